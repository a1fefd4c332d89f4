// How course-grade finds a class's submissions: the plain layout, nbgrader's, a zip's wrapping folder,
// and browser-renamed downloads; and that export's late policy outlives a regrade.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findSubmissions, originalName } = require("../../tools/grade/submissions.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { main: courseGrade, writeGrades } = require("../../tools/grade/cli.js");

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "submissions-test-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes files (relative path → text) under a new folder and returns it. */
function tree(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
type Found = { student: string; notebook: string; file: string; submittedAt: string; renamedFrom?: string };
const KNOWN = ["03-linear-autoencoder-pca", "05-denoising-autoencoder"];

describe("findSubmissions", () => {
  it("reads the plain layout, <student>/<notebook>.ipynb", () => {
    const dir = tree("plain", { "ada/03-linear-autoencoder-pca.ipynb": "{}", "bo/03-linear-autoencoder-pca.ipynb": "{}" });
    const { submissions, warnings } = findSubmissions(dir, KNOWN);
    assert.deepEqual(submissions.map((s: Found) => [s.student, s.notebook]), [["ada", "03-linear-autoencoder-pca"], ["bo", "03-linear-autoencoder-pca"]]);
    assert.deepEqual(warnings, []);
  });

  it("reads nbgrader's submitted/<student>/<assignment>/<notebook>.ipynb, with its timestamp.txt", () => {
    const dir = tree("nbgrader", {
      "submitted/ada/ps1/03-linear-autoencoder-pca.ipynb": "{}",
      "submitted/ada/ps1/timestamp.txt": "2026-12-01 10:30:00.000000 UTC",
      "submitted/bo/ps1/05-denoising-autoencoder.ipynb": "{}",
    });
    const { submissions } = findSubmissions(dir, KNOWN);
    assert.deepEqual(submissions.map((s: Found) => [s.student, s.notebook]), [["ada", "03-linear-autoencoder-pca"], ["bo", "05-denoising-autoencoder"]]);
    assert.equal(submissions[0].submittedAt, "2026-12-01T10:30:00.000Z");
    // The same, pointed at submitted/ itself, and wrapped in one more folder (as a zip often is).
    assert.equal(findSubmissions(path.join(dir, "submitted"), KNOWN).submissions.length, 2);
    const wrapped = tree("wrapped", { "class-export/submitted/ada/ps1/03-linear-autoencoder-pca.ipynb": "{}" });
    assert.equal(findSubmissions(wrapped, KNOWN).submissions[0].student, "ada");
    // A zip of submissions/<student>/<notebook>.ipynb: the wrapping folder is not a student with assignments.
    const zipped = tree("zipped", { "submissions/ada/03-linear-autoencoder-pca.ipynb": "{}", "submissions/bo/03-linear-autoencoder-pca.ipynb": "{}" });
    assert.deepEqual(findSubmissions(zipped, KNOWN).submissions.map((s: Found) => s.student), ["ada", "bo"]);
  });

  it("matches a renamed download when it is the only candidate, and says so", () => {
    assert.equal(originalName("10-adversarial-autoencoder (1)"), "10-adversarial-autoencoder");
    assert.equal(originalName("05-denoising-autoencoder-2"), "05-denoising-autoencoder");
    assert.equal(originalName("Copy of 05-denoising-autoencoder"), "05-denoising-autoencoder");
    const dir = tree("renamed", {
      "ada/03-linear-autoencoder-pca (1).ipynb": "{}", // the only one: graded as 03
      "bo/05-denoising-autoencoder.ipynb": "{}", "bo/05-denoising-autoencoder (2).ipynb": "{}", // the right name wins
      "cy/03-linear-autoencoder-pca (1).ipynb": "{}", "cy/03-linear-autoencoder-pca-2.ipynb": "{}", // two candidates
      "di/scratch.ipynb": "{}", // not a graded notebook
    });
    const { submissions, warnings } = findSubmissions(dir, KNOWN);
    assert.deepEqual(submissions.map((s: Found) => [s.student, s.notebook, s.renamedFrom ?? null]), [
      ["ada", "03-linear-autoencoder-pca", "03-linear-autoencoder-pca (1).ipynb"], ["bo", "05-denoising-autoencoder", null]]);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /^bo: ignored .*\(2\)\.ipynb, a copy of 05-denoising-autoencoder\.ipynb, which was submitted too/);
    assert.match(warnings[1], /^cy: 2 files could be 03-linear-autoencoder-pca\.ipynb .*none was graded/);
  });

  it("says what layout it expected when it finds none", () => {
    assert.throws(() => findSubmissions(tree("empty", { "readme.txt": "" }), KNOWN), /expected <student>\/<notebook>\.ipynb \(or nbgrader's submitted\//);
  });
});

describe("the late policy export saves", () => {
  it("is applied again when grades.csv is rewritten after a regrade", async () => {
    const dir = tree("graded-run", {
      "assignment.json": JSON.stringify({ source: "x", notebooks: [{ notebook: "nb", exercises: [{ gradeId: "t", maxPoints: 2 }] }] }),
      "graded/ada/nb.json": JSON.stringify({ student: "ada", notebook: "nb", score: 2, maxScore: 2, exercises: [{ gradeId: "t", points: 2, maxPoints: 2, tests: [] }],
        changes: [], crashes: [], timeouts: [], failure: null, seconds: 1, submittedAt: "2026-12-02T13:00:00.000Z", key: "k" }),
    });
    await courseGrade(["export", "--from", dir, "--due", "2026-12-01T12:00:00Z", "--penalty", "10%/day"]);
    const exported = fs.readFileSync(path.join(dir, "grades.csv"), "utf8");
    assert.match(exported, /^ada,2,2,2,2026-12-02T13:00:00.000Z,25,20%,1\.6,$/m);
    fs.rmSync(path.join(dir, "grades.csv"));
    writeGrades(dir); // what autograde does after grading
    assert.equal(fs.readFileSync(path.join(dir, "grades.csv"), "utf8"), exported);
  });
});
