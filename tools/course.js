#!/usr/bin/env node
// Runs the course's notebooks headlessly through real Jupyter (Debian's nbclient) with the project
// kernel, writes the executed copies, the recorded results and a short report.
//
//   node tools/course.js [--mode full|quick] [--out DIR] [--jobs N] [--check-exercises] [notebooks/03-*.ipynb ...]
//
// --jobs N runs N notebooks at a time (default 1). Each kernel computes on one thread when the
// native BLAS is loaded, so on two cores `--jobs 2` halves the wall time and changes no number; with
// the wasm kernels alone each kernel uses every core, and one at a time is as fast.
//
// --check-exercises also runs every notebook that has graded test cells with its solution regions
// replaced by the student stub, up to its last graded test cell, and fails unless each graded test
// cell fails there (and passed with the solutions in place).
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");
const { courseNotebooks } = require("./notebook-files");
const { root, kernelJson, jupyterEnv, pythonWith } = require("./jupyter-env");

function parseArgs(argv) {
  const opts = { mode: "full", out: null, checkExercises: false, notebooks: [], timeout: 900, jobs: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--mode") opts.mode = argv[++i];
    else if (a === "--out") opts.out = argv[++i];
    else if (a === "--timeout") opts.timeout = Number(argv[++i]);
    else if (a === "--jobs") opts.jobs = Number(argv[++i]);
    else if (a === "--check-exercises") opts.checkExercises = true;
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
    else opts.notebooks.push(path.resolve(a));
  }
  if (!["full", "quick"].includes(opts.mode)) throw new Error(`--mode must be full or quick, got ${opts.mode}`);
  if (!Number.isInteger(opts.jobs) || opts.jobs < 1) throw new Error(`--jobs must be a whole number of at least 1, got ${opts.jobs}`);
  opts.out = path.resolve(opts.out || path.join(root, "build", opts.mode === "full" ? "course" : "test-run"));
  if (!opts.notebooks.length) {
    const dir = path.join(root, "notebooks");
    opts.notebooks = courseNotebooks(dir).map((f) => path.join(dir, f));
  }
  return opts;
}

function preflight() {
  const py = pythonWith("nbclient");
  if (!py) {
    console.error("No Python with nbclient found. Install Debian's python3-nbclient (sudo apt-get install python3-nbclient jupyter-client), or set AE_PYTHON.");
    process.exit(2);
  }
  if (!fs.existsSync(kernelJson)) {
    console.error("The project kernel is not registered; run `npm install` (or `npm run kernel:install`).");
    process.exit(2);
  }
  if (!fs.existsSync(path.join(root, "lib", "dist", "index.js"))) {
    console.error("The library is not built; run `npm install` (or `npm run build`).");
    process.exit(2);
  }
  return py;
}

/** Runs one notebook in its own kernel; resolves with its summary, recorded results and what the runner printed. */
async function runOne(py, notebook, outDir, name, mode, timeout, extraArgs = []) {
  const executed = path.join(outDir, `${name}.ipynb`);
  const summaryFile = path.join(outDir, `${name}.summary.json`);
  const resultsFile = path.join(outDir, "results", `${name}.json`);
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.rmSync(resultsFile, { force: true });
  const t0 = Date.now();
  const child = spawn(py, [path.join(__dirname, "run_notebook.py"), notebook, executed, summaryFile, "--timeout", String(timeout), ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
    env: jupyterEnv({ AE_MODE: mode, AE_RESULTS: resultsFile, AE_STRICT_CHARTS: "1" }), // a chart vega warns about fails the run
  });
  const printed = [];
  child.stdout.on("data", (d) => printed.push(d));
  child.stderr.on("data", (d) => printed.push(d));
  const status = await new Promise((resolve) => { child.on("close", resolve); child.on("error", () => resolve(-1)); });
  let summary = { ok: false, failure: `runner exited with ${status}`, cells: [] };
  try { summary = JSON.parse(fs.readFileSync(summaryFile, "utf8")); } catch { /* runner crashed before writing */ }
  let results = {};
  try { results = JSON.parse(fs.readFileSync(resultsFile, "utf8")); } catch { /* recorded nothing */ }
  return { name, summary, results, seconds: (Date.now() - t0) / 1000, printed: Buffer.concat(printed).toString() };
}

function stubbedCopy(notebook, outDir) {
  const { studentVersion, isGradedTestCell } = require(path.join(root, "lib", "dist", "grading"));
  const nb = JSON.parse(fs.readFileSync(notebook, "utf8"));
  const graded = nb.cells.map((c, i) => (isGradedTestCell(c) ? i : -1)).filter((i) => i >= 0);
  if (!graded.length) return null;
  const file = path.join(outDir, "stubbed", path.basename(notebook));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Only what the graded cells need: the cells after the last one cannot change their outcome.
  const stubbed = studentVersion(nb, { keepHiddenTests: true });
  stubbed.cells = stubbed.cells.slice(0, Math.max(...graded) + 1);
  fs.writeFileSync(file, JSON.stringify(stubbed, null, 1));
  return { file, graded };
}

/** What the stubbed run of a notebook shows: each graded test cell must fail there, and have passed with the solutions. */
function stubProblems(name, stub, run, srun) {
  const problems = [];
  const passedWithSolution = stub.graded.filter((i) => run.summary.cells.find((c) => c.cell === i)?.status === "ok");
  if (run.summary.ok && passedWithSolution.length !== stub.graded.length) problems.push(`${name}: graded cells ${stub.graded.filter((i) => !passedWithSolution.includes(i))} did not pass with the solutions in place`);
  const notRun = stub.graded.filter((i) => !srun.summary.cells.some((c) => c.cell === i));
  const notFailing = stub.graded.filter((i) => !notRun.includes(i) && srun.summary.cells.find((c) => c.cell === i).status !== "error");
  if (notRun.length) problems.push(`${name} (stubbed): graded test cells ${notRun.join(", ")} never ran (${srun.summary.failure})\n${srun.printed.trimEnd()}`);
  else if (notFailing.length) problems.push(`${name}: graded test cells ${notFailing.join(", ")} pass even with the stub, so they test nothing`);
  return problems;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const py = preflight();
  fs.mkdirSync(opts.out, { recursive: true });
  console.log(`Running ${opts.notebooks.length} notebook(s) in ${opts.mode} mode, ${opts.jobs} at a time; output in ${opts.out}`);
  // Each notebook's run and its stubbed run are separate jobs. With several at a time, the largest
  // notebooks (by file size, a fair proxy for their run time) start first, so no long run is left
  // for the end while the other lanes sit idle.
  // A notebook that reads another's recorded results (ae.recordedBy) starts after that one has finished.
  const names = opts.notebooks.map((nb) => path.basename(nb, ".ipynb"));
  const jobs = [];
  for (const nb of opts.notebooks) {
    const name = path.basename(nb, ".ipynb");
    const text = fs.readFileSync(nb, "utf8");
    const deps = names.filter((other) => other !== name && text.includes(`recordedBy(\\"${other}\\")`));
    jobs.push({ nb, name, kind: "run", size: text.length, deps });
    const stub = opts.checkExercises ? stubbedCopy(nb, opts.out) : null;
    if (stub) jobs.push({ nb, name, kind: "stub", stub, size: text.length, deps });
  }
  const order = opts.jobs > 1 ? [...jobs].sort((a, b) => b.size - a.size) : jobs;
  const finished = new Set();
  const ready = (job) => job.deps.every((d) => finished.has(d));
  const waiting = [];
  const wake = () => waiting.splice(0).forEach((resolve) => resolve());
  await Promise.all(Array.from({ length: Math.min(opts.jobs, order.length) }, async () => {
    for (;;) {
      const k = order.findIndex((j) => !j.started && ready(j));
      if (k < 0) {
        if (order.every((j) => j.started)) return;
        await new Promise((resolve) => waiting.push(resolve)); // until a running job finishes
        continue;
      }
      const job = order[k];
      job.started = true;
      if (job.kind === "run") {
        job.result = await runOne(py, job.nb, opts.out, job.name, opts.mode, opts.timeout);
        const r = job.result;
        console.log(`▶ ${job.name} ... ${r.summary.ok ? `ok (${r.seconds.toFixed(0)} s)` : `FAILED (${r.summary.failure})\n${r.printed.trimEnd()}`}`);
      } else {
        job.result = await runOne(py, job.stub.file, path.join(opts.out, "stubbed"), job.name, opts.mode, opts.timeout, ["--continue-on-error"]);
        console.log(`▶ ${job.name} with solutions stubbed out, up to its last graded cell ... done (${job.result.seconds.toFixed(0)} s)`);
      }
      if (job.kind === "run") finished.add(job.name);
      wake();
    }
  }));
  const runs = jobs.filter((j) => j.kind === "run").map((j) => j.result);
  const problems = runs.filter((r) => !r.summary.ok).map((r) => `${r.name}: ${r.summary.failure}`);
  for (const j of jobs.filter((j) => j.kind === "stub")) {
    const found = stubProblems(j.name, j.stub, jobs.find((r) => r.kind === "run" && r.name === j.name).result, j.result);
    problems.push(...found);
    if (!found.length) console.log(`✓ ${j.name}: all ${j.stub.graded.length} graded test cells pass with the solutions and fail on the stub`);
  }
  writeReport(opts, runs, problems);
  if (problems.length) {
    console.error(`\n${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`\nAll notebooks ran. Results: ${path.join(opts.out, "results.json")}, report: ${path.join(opts.out, "report.md")}`);
}

function writeReport(opts, runs, problems) {
  const results = {};
  for (const r of runs) results[r.name] = r.results;
  fs.writeFileSync(path.join(opts.out, "results.json"), JSON.stringify({ mode: opts.mode, date: new Date().toISOString(), results }, null, 2) + "\n");
  const lines = [`# Course run (${opts.mode} mode)`, "", `${new Date().toISOString()}`, "", "| notebook | status | minutes | slowest cell (s) |", "|---|---|---|---|"];
  for (const r of runs) {
    const slow = Math.max(0, ...r.summary.cells.map((c) => c.seconds || 0));
    lines.push(`| ${r.name} | ${r.summary.ok ? "ok" : "FAILED"} | ${(r.seconds / 60).toFixed(1)} | ${slow.toFixed(0)} |`);
  }
  lines.push("", "## Recorded results", "");
  for (const r of runs) {
    lines.push(`### ${r.name}`, "");
    for (const [k, v] of Object.entries(r.results)) lines.push(`- \`${k}\`: ${typeof v === "number" ? Number(v.toPrecision(6)) : JSON.stringify(v)}`);
    lines.push("");
  }
  if (problems.length) lines.push("## Problems", "", ...problems.map((p) => `- ${p}`), "");
  fs.writeFileSync(path.join(opts.out, "report.md"), lines.join("\n"));
}

main().catch((e) => {
  console.error(`course.js: ${e.message}`);
  process.exit(2);
});
