// Runs grading plans in fresh project kernels: one temporary folder and one kernel per submission,
// the instructor's folders hidden from the kernel when Linux allows it, and a pool of N at a time.
const { spawn, spawnSync } = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { root, pythonWith } = require("../jupyter-env");

const libDist = path.join(root, "lib", "dist");
const tslab = path.join(root, "node_modules", "tslab", "bin", "tslab");
const driver = path.join(__dirname, "..", "grade_kernel.py");

/** A fresh secret: the token a test cell prints only when all its tests passed. */
const newToken = () => `course-grade:${crypto.randomBytes(16).toString("hex")}`;

/**
 * Run before any student code: freezes the course library's module objects, so that a submission
 * cannot swap `ae.grading.assertTrue` (or a reference implementation the tests compare with) for a
 * function that never fails.
 */
const FREEZE_LIBRARY = `{
  require(${JSON.stringify(path.join(libDist, "index.js"))});
  for (const [file, mod] of Object.entries(require.cache)) {
    if (mod && file.startsWith(${JSON.stringify(libDist + path.sep)})) Object.freeze(mod.exports);
  }
}`;

/** Opens each test cell: the real library under the names tests use, whatever the student redeclared. */
const TEST_PRELUDE = `const ae: typeof import("autoencoders") = require(${JSON.stringify(path.join(libDist, "index.js"))});\nconst tf = ae.tf;`;

/** Folders a submission's kernel must not see: the instructor's source, every graded output, the project's notebooks and history. */
function foldersToHide(extra) {
  const candidates = [...extra, ...["notebooks", "build", ".git", "scratch", "tests"].map((d) => path.join(root, d))];
  return [...new Set(candidates.filter((d) => d && fs.existsSync(d) && fs.statSync(d).isDirectory()).map((d) => fs.realpathSync(d)))];
}

// Arguments: folders that must be hidden, "--", other entries of the temporary folder hidden if
// possible (a file is covered by /dev/null), "--", the kernel's command.
const SANDBOX_SCRIPT = [
  'while [ "$1" != "--" ]; do mount -t tmpfs -o size=64k,mode=0700 course-grade-hidden "$1" || exit 97; shift; done; shift',
  'while [ "$1" != "--" ]; do if [ -d "$1" ]; then mount -t tmpfs -o size=64k,mode=0700 course-grade-hidden "$1"; else mount --bind /dev/null "$1"; fi 2>/dev/null; shift; done; shift',
  'exec "$@"',
].join("; ");

/**
 * The kernel runs in its own mount and PID namespaces: each hidden folder is covered by an empty
 * tmpfs, and its /proc shows only its own processes (not the grader's command line, environment or
 * memory). Unprivileged users get this through a user namespace (--map-root-user).
 */
function sandboxPrefix(hide, alsoHide = []) {
  const userns = process.getuid && process.getuid() !== 0 ? ["--map-root-user"] : [];
  return ["unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc", ...userns, "sh", "-c", SANDBOX_SCRIPT, "course-grade-sandbox", ...hide, "--", ...alsoHide, "--"];
}

/**
 * Everything else in the temporary folder (other runs' copies of notebooks, say), except symlinks
 * and whatever holds the course itself (a clone in /tmp) or the library the kernel loads.
 */
function otherTempEntries(keep) {
  const tmp = os.tmpdir();
  const needed = [root, ...["node_modules", "lib/dist", "datasets"].map((d) => path.join(root, d))]
    .flatMap((p) => (fs.existsSync(p) ? [p, fs.realpathSync(p)] : [p]));
  return fs.readdirSync(tmp).map((f) => path.join(tmp, f))
    .filter((p) => p !== keep && !fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink())
    .filter((p) => !needed.some((n) => n === p || n.startsWith(p + path.sep)));
}

/** Whether folders can be hidden from kernels here (Linux mount namespaces); with the reason if not. */
function probeSandbox(hide) {
  if (process.platform !== "linux") return { ok: false, why: "hiding folders needs Linux mount namespaces" };
  const r = spawnSync("unshare", [...sandboxPrefix(hide).slice(1), "sh", "-c", `for d in "$@"; do [ -z "$(ls -A "$d")" ] || exit 5; done`, "probe", ...hide], { encoding: "utf8" });
  if (r.error) return { ok: false, why: `unshare is not available (${r.error.code})` };
  if (r.status !== 0) return { ok: false, why: `unshare was refused (${(r.stderr || "").trim().split("\n").pop() || `exit ${r.status}`})` };
  return { ok: true };
}

class Runner {
  /** options: {mode, cellTimeout, budget, memoryMb, hide: [folders], log} */
  constructor(options) {
    this.options = options;
    this.python = pythonWith("jupyter_client");
    if (!this.python) throw new Error("No Python with jupyter_client found. Install Debian's jupyter-client and python3-nbclient (sudo apt-get install jupyter-client python3-nbclient), or set AE_PYTHON.");
    if (!fs.existsSync(tslab) || !fs.existsSync(path.join(libDist, "index.js"))) throw new Error("The project is not installed; run `npm install` first.");
    // The driver's files (kernel spec, log, result with test output) live here, hidden from kernels.
    this.privateDir = fs.mkdtempSync(path.join(os.tmpdir(), "course-grade-private-"));
    this.hide = foldersToHide([...(options.hide || []), this.privateDir]);
    this.sandbox = probeSandbox(this.hide);
  }

  kernelArgv(jobDir) {
    const heap = Math.max(512, Math.floor(this.options.memoryMb * 0.6));
    const kernel = [process.execPath, `--max-old-space-size=${heap}`, tslab, "kernel", "--config-path", "{connection_file}"];
    return this.sandbox.ok ? [...sandboxPrefix(this.hide, otherTempEntries(jobDir)), ...kernel] : kernel;
  }

  close() {
    fs.rmSync(this.privateDir, { recursive: true, force: true });
  }

  /** Runs a plan's cells in a fresh kernel; resolves with the driver's result (never rejects). */
  async run(plan) {
    // The kernel's folder holds its working folder and its connection file, nothing else; the job
    // (with the hidden tests) reaches the driver through a pipe, never through a file.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "course-grade-"));
    const privateDir = fs.mkdtempSync(path.join(this.privateDir, "job-"));
    const work = path.join(dir, "work");
    fs.mkdirSync(work);
    // The kernel resolves the course library from its working folder, and nothing else is there.
    fs.symlinkSync(path.join(root, "node_modules"), path.join(work, "node_modules"), "dir");
    const cells = [{ index: -1, role: "setup", source: FREEZE_LIBRARY }, ...plan.run.map(({ index, role, source, requires }) => ({ index, role, source, requires }))];
    const job = {
      kernelArgv: this.kernelArgv(dir),
      env: { PATH: process.env.PATH, HOME: work, TMPDIR: work, LANG: process.env.LANG || "C.UTF-8", AE_MODE: this.options.mode, AE_PROJECT_ROOT: root },
      cwd: work, cellTimeout: this.options.cellTimeout, budget: this.options.budget, memoryMb: this.options.memoryMb,
      specDir: path.join(privateDir, "spec"), logFile: path.join(privateDir, "kernel.log"), cells,
    };
    const resultFile = path.join(privateDir, "result.json");
    const stderr = [];
    const code = await new Promise((resolve) => {
      const child = spawn(this.python, [driver, "-", resultFile], { stdio: ["pipe", "ignore", "pipe"], env: { ...process.env, JUPYTER_RUNTIME_DIR: path.join(dir, "runtime") } });
      child.stdin.on("error", () => { /* the driver died early; its exit code says so */ });
      child.stdin.end(JSON.stringify(job));
      child.stderr.on("data", (d) => stderr.push(d));
      child.on("close", resolve);
      child.on("error", (e) => { stderr.push(Buffer.from(String(e))); resolve(-1); });
    });
    let result = null;
    try { result = JSON.parse(fs.readFileSync(resultFile, "utf8")); } catch { /* the driver died before writing */ }
    if (result) {
      const freeze = result.cells.find((c) => c.index === -1);
      if (freeze && freeze.status !== "ok") result.failure = result.failure || `the grader could not prepare the kernel: ${freeze.stderr.slice(0, 300)}`;
      result.cells = result.cells.filter((c) => c.index !== -1);
    } else result = { cells: [], restarts: [], seconds: 0, failure: `the kernel driver failed (exit ${code}): ${Buffer.concat(stderr).toString().slice(-500)}` };
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(privateDir, { recursive: true, force: true });
    return result;
  }
}

/** Runs `worker(item)` over items with at most `jobs` at once, in order of submission. */
async function pool(items, jobs, worker) {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, async () => {
    while (next < items.length) {
      const k = next++;
      await worker(items[k], k);
    }
  });
  await Promise.all(lanes);
}

/** A progress line with an ETA: redrawn in place on a terminal, one line per step otherwise. */
class Progress {
  constructor(total, stream = process.stderr) {
    this.total = total;
    this.done = 0;
    this.t0 = Date.now();
    this.stream = stream;
  }
  tick(message) {
    this.done++;
    const elapsed = (Date.now() - this.t0) / 1000;
    const eta = this.done ? (elapsed / this.done) * (this.total - this.done) : 0;
    const fmt = (s) => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.round(s)}s`);
    const width = 24;
    const filled = Math.round((width * this.done) / Math.max(1, this.total));
    const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${this.done}/${this.total} · ${fmt(elapsed)} elapsed · ETA ${fmt(eta)}`;
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${message}\n${bar}`);
    else this.stream.write(`${bar} · ${message}\n`);
  }
  end() {
    if (this.stream.isTTY) this.stream.write("\n");
  }
}

module.exports = { Runner, pool, Progress, newToken, TEST_PRELUDE, foldersToHide };
