// The headless runner must fail on any cell error. tslab signals errors only by reply status and
// stderr (no ename/traceback), so this checks both a runtime error and a TypeScript type error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");

function notebook(sources: string[]) {
  return {
    cells: sources.map((s) => ({ cell_type: "code", metadata: {}, source: s, outputs: [], execution_count: null })),
    metadata: { kernelspec: { name: "autoencoders-ts", display_name: "TypeScript (Autoencoders course)", language: "typescript" } },
    nbformat: 4, nbformat_minor: 4,
  };
}

function run(sources: string[]) {
  // Inside the project, so that the kernel resolves "autoencoders" from node_modules as notebooks/ do.
  fs.mkdirSync(path.join(root, "build"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, "build", "runner-"));
  const nb = path.join(dir, "01-check.ipynb");
  fs.writeFileSync(nb, JSON.stringify(notebook(sources)));
  const r = spawnSync(process.execPath, [path.join(root, "tools", "course.js"), "--mode", "quick", "--out", path.join(dir, "out"), nb], { encoding: "utf8" });
  const summary = JSON.parse(fs.readFileSync(path.join(dir, "out", "01-check.summary.json"), "utf8"));
  const results = JSON.parse(fs.readFileSync(path.join(dir, "out", "results.json"), "utf8"));
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status, output: r.stdout + r.stderr, summary, results };
}

test("a notebook that throws fails the run and shows the error", () => {
  const r = run(['import * as ae from "autoencoders";\nae.record("before", 1);', 'throw new Error("boom from cell two");', 'ae.record("after", 2);']);
  assert.notEqual(r.status, 0);
  assert.equal(r.summary.ok, false);
  assert.equal(r.summary.cells[1].status, "error");
  assert.match(r.output, /boom from cell two/);
  assert.deepEqual(r.results.results["01-check"], { before: 1 }, "results recorded before the failure are kept; later cells do not run");
});

test("a TypeScript type error fails the run", () => {
  const r = run(['const n: number = "not a number";']);
  assert.notEqual(r.status, 0);
  assert.match(r.output, /not assignable to type 'number'/);
});

test("a clean notebook passes and its results are collected", () => {
  const r = run(['import * as ae from "autoencoders";\nae.record("mode", ae.mode());']);
  assert.equal(r.status, 0, r.output);
  assert.deepEqual(r.results.results["01-check"], { mode: "quick" });
});
