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

/** Runs the notebook (and with --check-exercises its stubbed copy); returns its run and its report lines. */
async function runNotebook(py, nb, opts) {
  const name = path.basename(nb, ".ipynb");
  const run = await runOne(py, nb, opts.out, name, opts.mode, opts.timeout);
  const report = [`▶ ${name} ... ${run.summary.ok ? `ok (${run.seconds.toFixed(0)} s)` : `FAILED (${run.summary.failure})`}`];
  const problems = run.summary.ok ? [] : [`${name}: ${run.summary.failure}`];
  if (!run.summary.ok) report.push(run.printed.trimEnd());
  const stub = opts.checkExercises ? stubbedCopy(nb, opts.out) : null;
  if (stub) {
    const passedWithSolution = stub.graded.filter((i) => run.summary.cells.find((c) => c.cell === i)?.status === "ok");
    if (passedWithSolution.length !== stub.graded.length) problems.push(`${name}: graded cells ${stub.graded.filter((i) => !passedWithSolution.includes(i))} did not pass with the solutions in place`);
    const srun = await runOne(py, stub.file, path.join(opts.out, "stubbed"), name, opts.mode, opts.timeout, ["--continue-on-error"]);
    const notRun = stub.graded.filter((i) => !srun.summary.cells.some((c) => c.cell === i));
    const notFailing = stub.graded.filter((i) => !notRun.includes(i) && srun.summary.cells.find((c) => c.cell === i).status !== "error");
    const line = `▶ ${name} with solutions stubbed out, up to its last graded cell ... `;
    if (notRun.length) {
      problems.push(`${name} (stubbed): graded test cells ${notRun.join(", ")} never ran (${srun.summary.failure})`);
      report.push(`${line}FAILED (graded cells ${notRun.join(", ")} never ran: ${srun.summary.failure})`, srun.printed.trimEnd());
    } else if (notFailing.length) {
      problems.push(`${name}: graded test cells ${notFailing.join(", ")} pass even with the stub, so they test nothing`);
      report.push(`${line}FAILED (graded cells ${notFailing.join(", ")} did not fail)`);
    } else report.push(`${line}ok (${srun.seconds.toFixed(0)} s): all ${stub.graded.length} graded test cells fail on the stub`);
  }
  return { run, problems, report };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const py = preflight();
  fs.mkdirSync(opts.out, { recursive: true });
  console.log(`Running ${opts.notebooks.length} notebook(s) in ${opts.mode} mode, ${opts.jobs} at a time; output in ${opts.out}`);
  const done = new Array(opts.notebooks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(opts.jobs, opts.notebooks.length) }, async () => {
    while (next < opts.notebooks.length) {
      const k = next++;
      done[k] = await runNotebook(py, opts.notebooks[k], opts);
      console.log(done[k].report.filter(Boolean).join("\n"));
    }
  }));
  const runs = done.map((d) => d.run);
  const problems = done.flatMap((d) => d.problems);
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
