// course-grade end to end on notebook 03: release, autograde a class of fixture submissions (correct,
// wrong, and every kind of sabotage) in real kernels, feedback, export, re-runs, a killed run, a zip,
// validate, and the Gradescope package run the way Gradescope runs it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Notebook, cellSource, hiddenLines, studentVersion } from "../../lib/src/grading";
import { GradedSubmission } from "../../lib/src/grading/score";
import { Fixture, fixturesFor, meets } from "../grading/fixtures";

const root = path.resolve(__dirname, "..", "..");
const NAME = "03-linear-autoencoder-pca";
const cli = path.join(root, "tools", "course-grade.js");
// Well above the slowest honest cell: notebook 03's data and PCA cell takes about 4 s alone and
// twice that when two kernels share two cores (it took 16–20 s there before the course had its own
// eigensolver, when a 20 s limit interrupted it at random). The infinite-loop fixture waits this long.
const CELL_TIMEOUT = "30";
const RUN = ["--jobs", "2", "--cell-timeout", CELL_TIMEOUT, "--memory", "1500"];

// The grader runs with a TMPDIR and a HOME of its own: it may write only under --out and in one
// private temporary folder that it removes, so both must be empty after every run.
const graderTmp = fs.mkdtempSync(path.join(os.tmpdir(), "course-grade-test-tmpdir-"));
const graderHome = fs.mkdtempSync(path.join(os.tmpdir(), "course-grade-test-home-"));
const graderEnv = { ...process.env, TMPDIR: graderTmp, HOME: graderHome };
const leftovers = () => [...fs.readdirSync(graderTmp).map((f) => `TMPDIR/${f}`), ...fs.readdirSync(graderHome).map((f) => `HOME/${f}`)];
after(() => {
  fs.rmSync(graderTmp, { recursive: true, force: true });
  fs.rmSync(graderHome, { recursive: true, force: true });
});

function grade(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: root, env: graderEnv });
  assert.deepEqual(leftovers(), [], `course-grade ${args[0]} left files outside --out`);
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** Processes whose command line mentions `text` (a kernel left running would). */
function processesMentioning(text: string): string[] {
  return fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).flatMap((p) => {
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ");
      return cmd.includes(text) ? [`${p}: ${cmd.slice(0, 200)}`] : [];
    } catch { return []; }
  });
}
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const walkFiles = (dir: string): string[] => fs.readdirSync(dir).flatMap((f) => {
  const p = path.join(dir, f);
  return fs.statSync(p).isDirectory() ? walkFiles(p) : [p];
});

describe("course-grade on notebook 03", () => {
  let tmp: string;
  let source: string;
  let instructor: Notebook;
  let fixtures: Fixture[];
  let secrets: string[];
  let t1: string;
  let t2: string;
  const out = () => path.join(tmp, "graded");
  const graded = (student: string): GradedSubmission => readJson(path.join(out(), "graded", student, `${NAME}.json`));
  const points = (g: GradedSubmission, id: string) => g.exercises.find((e) => e.gradeId === id)!.points;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "course-grade-test-"));
    source = path.join(tmp, "source");
    fs.mkdirSync(source);
    fs.copyFileSync(path.join(root, "notebooks", `${NAME}.ipynb`), path.join(source, `${NAME}.ipynb`));
    instructor = readJson(path.join(source, `${NAME}.ipynb`));
    const made = fixturesFor(NAME, instructor);
    fixtures = made.fixtures;
    [t1, t2] = made.tests;
    const visible = studentVersion(instructor).cells.map(cellSource).join("\n");
    secrets = hiddenLines(instructor).filter((l) => !visible.includes(l));
    assert.ok(secrets.length >= 4, "notebook 03 has hidden tests to protect");
    for (const f of fixtures) {
      fs.mkdirSync(path.join(tmp, "submissions", f.name), { recursive: true });
      fs.writeFileSync(path.join(tmp, "submissions", f.name, `${NAME}.ipynb`), f.text);
    }
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("release writes student versions and a manifest, and no hidden line appears anywhere in the release folder", () => {
    const rel = path.join(tmp, "release");
    const r = grade("release", "--source", source, "--out", rel);
    assert.equal(r.code, 0, r.out);
    const manifest = readJson(path.join(rel, "manifest.json"));
    const locked = manifest.notebooks[NAME].lockedCells.map((c: { gradeId: string }) => c.gradeId);
    assert.ok(locked.includes(t1) && locked.includes(t2), `manifest lists the test cells: ${locked}`);
    for (const file of walkFiles(rel)) {
      const text = fs.readFileSync(file, "utf8");
      for (const s of secrets) assert.ok(!text.includes(s) && !text.includes(JSON.stringify(s).slice(1, -1)), `${file} contains the hidden line ${s}`);
    }
    const released: Notebook = readJson(path.join(rel, `${NAME}.ipynb`));
    assert.ok(released.cells.every((c) => c.cell_type !== "code" || (c.outputs!.length === 0 && c.execution_count === null)), "outputs cleared");
  });

  it("autograde gives every fixture the grade it must, in real kernels, and one broken submission stops nothing", () => {
    const r = grade("autograde", path.join(tmp, "submissions"), "--source", source, "--out", out(), ...RUN);
    assert.equal(r.code, 0, r.out);
    for (const f of fixtures) {
      const g = graded(f.name);
      for (const [id, p] of Object.entries(f.expect)) assert.ok(meets(points(g, id), p, (other) => points(graded(other), id)), `${f.name} (${f.about}): ${id} got ${points(g, id)}, expected ${JSON.stringify(p)}\n${JSON.stringify(g, null, 1)}`);
    }
    const tests = (name: string) => graded(name).exercises.flatMap((e) => e.tests);
    // The plausible mistake loses exactly the hidden check that catches it, and only its share.
    const wrong = tests("wrong-plausible");
    assert.deepEqual(wrong.filter((t) => t.status !== "passed").map((t) => [t.name, t.part]), [["gramSchmidt throws on linearly dependent vectors", "hidden"]]);
    assert.equal(points(graded("wrong-plausible"), t2), 1.6);
    assert.ok(tests("correct").every((t) => t.status === "passed"));
    assert.ok(graded("pass-locked").changes.some((c) => c.includes(`Ignored your edit to the test cell '${t1}'`)), graded("pass-locked").changes.join("\n"));
    assert.ok(graded("delete-test").changes.some((c) => c.includes(`Restored '${t1}'`)));
    assert.ok(graded("duplicate-answer").changes.some((c) => c.includes("appears 2 times")));
    assert.ok(graded("markdown-answer").changes.some((c) => c.includes("turned into a markdown cell")));
    assert.ok(graded("fake-success").changes.some((c) => c.includes("code cell you added")));
    assert.match(graded("missing-answer").exercises.find((e) => e.gradeId === t1)!.tests[0].message, /not in the submission/);
    assert.equal(graded("infinite-loop").exercises.find((e) => e.gradeId === t1)!.tests[0].status, "timeout");
    assert.match(graded("memory-hog").crashes.join("\n"), /memory/);
    assert.match(graded("process-exit").crashes.join("\n"), /exited with code 0/);
    assert.match(graded("timer-throw").crashes.join("\n"), /boom from a timer/, "the timer's exception killed the kernel and was recorded");
    // What the searching answer printed is kept in the graded notebook, for the instructor.
    const gradedNb: Notebook = readJson(path.join(out(), "graded", "read-source", `${NAME}.ipynb`));
    const searched = gradedNb.cells.filter((c) => c.metadata?.nbgrader?.solution).flatMap((c) => (c.outputs ?? []) as { text?: string }[]).map((o) => o.text ?? "").join("");
    assert.match(searched, /SEARCHED [1-9]\d* files/, "the search ran");
    assert.doesNotMatch(searched, /LEAKED/, "the instructor's notebooks were not reachable from the kernel");
    assert.match(graded("corrupt").failure!, /not a readable notebook/);
    // Each attack on a built-in failed loudly in its answer cell, and the feedback says why.
    for (const f of fixtures.filter((f) => f.name.startsWith("builtin-") && f.name !== "builtin-shadow-names")) {
      assert.ok(graded(f.name).changes.some((c) => c.includes("built-ins are read-only during grading")), `${f.name}: ${graded(f.name).changes.join("\n")}`);
    }
    // Reading the hidden tests back found nothing to report: both answers kept their points.
    assert.ok(tests("read-back").every((t) => t.status === "passed" && !t.message.includes("LEAKED")), JSON.stringify(tests("read-back")));
    const csv = fs.readFileSync(path.join(out(), "grades.csv"), "utf8").trim().split("\n");
    assert.equal(csv.length, fixtures.length + 1, "one row per student");
    assert.deepEqual(csv[0].split(",").slice(0, 5), ["student", `${NAME}/${t1}`, `${NAME}/${t2}`, "total", "max"]);
    assert.ok(csv.includes(`correct,2,2,4,4,`), csv.join("\n"));
  });

  it("feedback holds hidden checks back until released, and no hidden line reaches any report", () => {
    const r = grade("feedback", "--from", out());
    assert.equal(r.code, 0, r.out);
    const md = fs.readFileSync(path.join(out(), "feedback", "wrong-plausible", `${NAME}.md`), "utf8");
    assert.match(md, /✗ hidden check 2 of 2 — failed \(0 \/ 0\.4; what it checks is shown when your instructor releases/);
    assert.doesNotMatch(md, /linearly dependent/);
    assert.match(md, /Score: 3\.6 \/ 4/);
    const released = grade("feedback", "--from", out(), "--show-hidden", "--out", path.join(tmp, "released"));
    assert.equal(released.code, 0, released.out);
    assert.match(fs.readFileSync(path.join(tmp, "released", "wrong-plausible", `${NAME}.md`), "utf8"), /✗ hidden: gramSchmidt throws on linearly dependent vectors — failed \(0 \/ 0\.4\)\n\n  ```\n  ✗ gramSchmidt throws on linearly dependent vectors: expected an Error, but it returned normally/);
    const html = fs.readFileSync(path.join(out(), "feedback", "pass-locked", `${NAME}.html`), "utf8");
    assert.match(html, /Ignored your edit to the test cell/);
    for (const file of [...walkFiles(path.join(out(), "feedback")), ...walkFiles(path.join(tmp, "released"))]) {
      const text = fs.readFileSync(file, "utf8");
      for (const s of secrets) assert.ok(!text.includes(s), `${file} shows the hidden line ${s}`);
    }
  });

  it("export applies a late policy and writes Gradescope results and an item analysis", () => {
    const stamps = path.join(tmp, "timestamps.csv");
    fs.writeFileSync(stamps, "student,time\ncorrect,2026-12-01T10:00:00Z\nwrong-plausible,2026-12-02T16:00:00Z\nstderr,2026-12-02T16:00:00Z\n");
    const ext = path.join(tmp, "extensions.csv");
    fs.writeFileSync(ext, "student,hours\nstderr,48\n");
    const r = grade("export", "--from", out(), "--due", "2026-12-01T12:00:00Z", "--penalty", "10%/day", "--timestamps", stamps, "--extensions", ext);
    assert.equal(r.code, 0, r.out);
    const rows = Object.fromEntries(fs.readFileSync(path.join(out(), "grades.csv"), "utf8").trim().split("\n").map((l) => [l.split(",")[0], l.split(",")]));
    const header = rows.student;
    const col = (student: string, name: string) => rows[student][header.indexOf(name)];
    assert.equal(col("correct", "final"), "4");
    assert.equal(col("wrong-plausible", "late_penalty"), "20%", "28 hours late is two started days");
    assert.equal(col("wrong-plausible", "final"), "2.88");
    assert.equal(col("stderr", "final"), "4", "the extension covers it");
    const gs = readJson(path.join(out(), "gradescope", "wrong-plausible", `${NAME}.results.json`));
    assert.equal(gs.score, 2.88);
    const dependent = `${t2}: hidden: gramSchmidt throws on linearly dependent vectors`;
    assert.ok(gs.tests.some((t: { name: string; status: string; visibility: string; score: number }) => t.name === dependent && t.status === "failed" && t.visibility === "after_due_date" && t.score === 0), JSON.stringify(gs.tests));
    const items = fs.readFileSync(path.join(out(), "item-analysis.csv"), "utf8");
    const hiddenRow = items.split("\n").find((l) => l.includes(dependent))!.split(",");
    const passedHidden = fixtures.filter((f) => graded(f.name).exercises.find((e) => e.gradeId === t2)!.tests.find((t) => t.name === "gramSchmidt throws on linearly dependent vectors")?.status === "passed").length;
    assert.equal(Number(hiddenRow[3]), passedHidden);
    assert.equal(Number(hiddenRow[2]), fixtures.length);
  });

  it("re-running grades only what changed, and a killed run resumes without losing written grades", async () => {
    const again = grade("autograde", path.join(tmp, "submissions"), "--source", source, "--out", out(), ...RUN);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, new RegExp(`Grading 0 submission\\(s\\).*${fixtures.length} unchanged`));

    // A zip of a fresh class of two; kill the grader once the first grade is written.
    const cls = path.join(tmp, "class", "submissions");
    for (const name of ["correct", "wrong-plausible"]) {
      fs.mkdirSync(path.join(cls, name), { recursive: true });
      fs.copyFileSync(path.join(tmp, "submissions", name, `${NAME}.ipynb`), path.join(cls, name, `${NAME}.ipynb`));
    }
    const zip = path.join(tmp, "class.zip");
    spawnSync("/usr/bin/python3", ["-c", "import shutil, sys; shutil.make_archive(sys.argv[1][:-4], 'zip', sys.argv[2], 'submissions')", zip, path.join(tmp, "class")]);
    const out2 = path.join(tmp, "graded-zip");
    const child = spawn(process.execPath, [cli, "autograde", zip, "--source", source, "--out", out2, "--jobs", "1", "--cell-timeout", CELL_TIMEOUT], { stdio: "ignore", env: { ...graderEnv, TMPDIR: tmp } });
    const first = path.join(out2, "graded", "correct", `${NAME}.json`);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (fs.existsSync(first)) { clearInterval(timer); child.kill("SIGKILL"); resolve(); }
      }, 200);
      child.on("exit", () => { clearInterval(timer); reject(new Error("the grader finished before it could be killed")); });
    });
    assert.match(fs.readFileSync(path.join(out2, "grades.csv"), "utf8"), /^correct,2,2,4,4,/m, "the written grade is in grades.csv");
    // SIGTERM (what a scheduler or `kill` sends): the kernels stop, the temporary folder goes, the grades stay.
    const out3 = path.join(tmp, "graded-term");
    const term = spawn(process.execPath, [cli, "autograde", zip, "--source", source, "--out", out3, "--jobs", "2", "--cell-timeout", CELL_TIMEOUT], { stdio: ["ignore", "ignore", "pipe"], env: graderEnv });
    let termErr = "";
    term.stderr!.on("data", (d) => (termErr += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (processesMentioning(graderTmp).some((p) => p.includes("tslab"))) { clearInterval(timer); term.kill("SIGTERM"); resolve(); }
      }, 100);
      term.on("exit", () => { clearInterval(timer); reject(new Error(`the grader finished before a kernel started:\n${termErr}`)); });
    });
    const termCode = await new Promise((resolve) => term.on("exit", (c) => resolve(c)));
    assert.equal(termCode, 143, termErr);
    assert.match(termErr, /stopped by SIGTERM\. The grades written so far are kept/);
    await new Promise((r) => setTimeout(r, 3000)); // the drivers shut their kernels down
    assert.deepEqual(processesMentioning(graderTmp), [], "a kernel outlived the grader");
    assert.deepEqual(leftovers(), [], "SIGTERM left temporary files");

    const resumed = grade("autograde", zip, "--source", source, "--out", out2, "--jobs", "2", "--cell-timeout", CELL_TIMEOUT);
    assert.equal(resumed.code, 0, resumed.out);
    assert.match(resumed.out, /Grading 1 submission\(s\).*1 unchanged/);
    const csv = fs.readFileSync(path.join(out2, "grades.csv"), "utf8");
    assert.match(csv, /^correct,2,2,4,4,/m);
    assert.match(csv, /^wrong-plausible,2,1\.6,3\.6,4,/m);
  });

  it("validate passes the instructor's notebook and fails every graded cell of the student version", () => {
    const r = grade("validate", NAME, "--source", source, "--jobs", "2");
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Valid: 1 notebook/);
    const broken = path.join(tmp, "broken");
    fs.mkdirSync(broken);
    const nb: Notebook = JSON.parse(JSON.stringify(instructor));
    const k = nb.cells.findIndex((c) => c.metadata?.nbgrader?.grade_id === t1);
    nb.cells[k].source = ["// this test cell tests nothing"];
    delete nb.cells[k].metadata.course;
    fs.writeFileSync(path.join(broken, `${NAME}.ipynb`), JSON.stringify(nb));
    const bad = grade("validate", NAME, "--source", broken, "--jobs", "2");
    assert.equal(bad.code, 1);
    assert.match(bad.out, new RegExp(`'${t1}' gives points to the student version \\(blank answers\\) for 'all tests'`));
  });

  it("the Gradescope package grades a submission the way Gradescope runs it", () => {
    const zip = path.join(tmp, "autograder.zip");
    const r = grade("gradescope", NAME, "--source", source, "--out", zip);
    assert.equal(r.code, 0, r.out);
    const ag = path.join(tmp, "autograder");
    const src = path.join(ag, "source");
    spawnSync("/usr/bin/python3", ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", zip, src]);
    for (const f of ["setup.sh", "run_autograder", "package-lock.json", "tools/course-grade.js", "lib/src/grading/assemble.ts", `assignment/${NAME}.ipynb`, "datasets/fashion-mnist/SHA256SUMS"]) assert.ok(fs.existsSync(path.join(src, f)), `${f} is in the zip`);
    assert.equal(spawnSync("bash", ["-n", path.join(src, "setup.sh")]).status, 0);
    // setup.sh's npm ci is replaced by the already installed project.
    fs.symlinkSync(path.join(root, "node_modules"), path.join(src, "node_modules"));
    fs.symlinkSync(path.join(root, "lib", "dist"), path.join(src, "lib", "dist"));
    fs.mkdirSync(path.join(ag, "submission"));
    fs.copyFileSync(path.join(tmp, "submissions", "wrong-plausible", `${NAME}.ipynb`), path.join(ag, "submission", `${NAME}.ipynb`));
    const run = spawnSync("bash", [path.join(src, "run_autograder")], { encoding: "utf8", env: { ...process.env, AUTOGRADER_ROOT: ag } });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const results = readJson(path.join(ag, "results", "results.json"));
    assert.equal(results.score, 3.6, JSON.stringify(results, null, 1));
    assert.equal(results.tests.length, 10, "one test per check");
  });
});

describe("course-grade on the Korean edition of notebook 03", () => {
  it("releases, validates and grades it the same way, answers matched by grade_id", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "course-grade-ko-"));
    try {
      const source = path.join(tmp, "source");
      fs.mkdirSync(source);
      fs.copyFileSync(path.join(root, "notebooks", "ko", `${NAME}.ipynb`), path.join(source, `${NAME}.ipynb`));
      const korean: Notebook = readJson(path.join(source, `${NAME}.ipynb`));
      const rel = path.join(tmp, "release");
      const r = grade("release", "--source", source, "--out", rel);
      assert.equal(r.code, 0, r.out);
      const released: Notebook = readJson(path.join(rel, `${NAME}.ipynb`));
      assert.match(released.cells.filter((c) => c.cell_type === "markdown").map(cellSource).join("\n"), /오토인코더/, "the student version keeps the Korean text");
      const v = grade("validate", NAME, "--source", source, "--jobs", "2");
      assert.equal(v.code, 0, v.out);
      // A student who worked in the Korean notebook, and one who worked in the English one.
      const { fixtures, tests: [k1, k2] } = fixturesFor(NAME, korean);
      const english = fixturesFor(NAME, readJson(path.join(root, "notebooks", `${NAME}.ipynb`))).fixtures;
      const students = [["ko-correct", fixtures.find((f) => f.name === "correct")!], ["ko-wrong-plausible", fixtures.find((f) => f.name === "wrong-plausible")!], ["en-correct", english.find((f) => f.name === "correct")!]] as const;
      for (const [student, f] of students) {
        fs.mkdirSync(path.join(tmp, "submissions", student), { recursive: true });
        fs.writeFileSync(path.join(tmp, "submissions", student, `${NAME}.ipynb`), f.text);
      }
      const out = path.join(tmp, "graded");
      const g = grade("autograde", path.join(tmp, "submissions"), "--source", source, "--out", out, ...RUN);
      assert.equal(g.code, 0, g.out);
      const csv = fs.readFileSync(path.join(out, "grades.csv"), "utf8");
      assert.deepEqual(csv.split("\n")[0].split(",").slice(1, 3), [`${NAME}/${k1}`, `${NAME}/${k2}`]);
      assert.match(csv, /^ko-correct,2,2,4,4,/m);
      assert.match(csv, /^ko-wrong-plausible,2,1\.6,3\.6,4,/m);
      assert.match(csv, /^en-correct,2,2,4,4,/m);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
