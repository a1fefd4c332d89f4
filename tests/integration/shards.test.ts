// Grading a class on several machines: `autograde --shard I/N` on each, then `merge`, gives the same
// grades as one run. The class here is made of submissions that fail before a kernel starts (a file
// that is not JSON, JSON that is not a notebook), so the test checks the bookkeeping in seconds.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..", "..");
const cli = path.join(root, "tools", "course-grade.js");
const NAME = "03-linear-autoencoder-pca";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "course-grade-shards-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function grade(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: root });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  return `${r.stdout}\n${r.stderr}`;
}
const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), "utf8");

describe("course-grade on several machines", () => {
  it("two shards merged give the grades of one run, roster included", () => {
    const subs = path.join(tmp, "submissions");
    const students = ["ana", "ben", "cai", "dee", "eli"];
    students.forEach((s, k) => {
      fs.mkdirSync(path.join(subs, s), { recursive: true });
      fs.writeFileSync(path.join(subs, s, `${NAME}.ipynb`), k % 2 ? "{}" : "not json");
    });
    const roster = path.join(tmp, "roster.csv");
    fs.writeFileSync(roster, `student,sis_id\n${students.map((s, k) => `${s},${100 + k}`).join("\n")}\nfay,106\n`);
    const whole = path.join(tmp, "whole");
    grade("autograde", subs, "--out", whole, "--roster", roster);
    const shards = [1, 2].map((i) => {
      const out = path.join(tmp, `shard-${i}`);
      assert.match(grade("autograde", subs, "--out", out, "--roster", roster, "--shard", `${i}/2`), new RegExp(`Shard ${i}/2: ${i === 1 ? 3 : 2} of 5 students`));
      return out;
    });
    const merged = path.join(tmp, "merged");
    grade("merge", ...shards, "--out", merged);
    assert.equal(read(merged, "grades.csv"), read(whole, "grades.csv"));
    assert.match(read(merged, "grades.csv"), /^fay,106,0,0,0,4,no submission$/m);
    for (const s of students) assert.deepEqual(JSON.parse(read(merged, `graded/${s}/${NAME}.json`)), JSON.parse(read(whole, `graded/${s}/${NAME}.json`)));
  });

  it("refuses a student graded in two shards, and a bad --shard", () => {
    const out = path.join(tmp, "twice");
    const r = spawnSync(process.execPath, [cli, "merge", path.join(tmp, "whole"), path.join(tmp, "shard-1"), "--out", out], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ana\/03-linear-autoencoder-pca was graded in two of the folders/);
    const bad = spawnSync(process.execPath, [cli, "autograde", path.join(tmp, "submissions"), "--out", out, "--shard", "3/2"], { encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--shard must be I\/N with 1 <= I <= N, like 1\/3; got '3\/2'/);
  });
});
