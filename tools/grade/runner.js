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

// The library as the kernel loads it (require.cache keys are real paths).
const libDistReal = () => (fs.existsSync(libDist) ? fs.realpathSync(libDist) : libDist);

const hardenModule = () => path.join(libDistReal(), "grading", "harden.js");

/** Loaded into each kernel before tslab: hardens it (lib/src/grading/preload.ts and harden.ts say how and why). */
const preloadModule = () => path.join(libDistReal(), "grading", "preload.js");

/** The first cell, before any student code: checks the hardening took and locks tslab's own global. */
const hardenCell = (globalName) => `{
  // @ts-ignore -- made by the grader's preload for this run
  if (typeof ${globalName} !== "object") throw new Error("the kernel was not hardened (no ${globalName})");
  require(${JSON.stringify(hardenModule())}).lockTslabGlobal();
}`;

/** The folders whose loaded modules the kernel freezes: the course library and TensorFlow.js. */
const moduleRoots = () => [libDistReal() + path.sep, path.join(fs.realpathSync(path.join(root, "node_modules")), "@tensorflow") + path.sep];

/** A global name no submission can know in advance: test cells find the pristine built-ins under it. */
const newGlobalName = () => `__courseGrade_${crypto.randomBytes(8).toString("hex")}`;

/**
 * The kernel's own root filesystem. In new mount and PID namespaces (a user namespace too when not
 * root) an empty tmpfs becomes the root, with the system folders, the course library (read-only) and
 * the submission's own folder bound into it, and a /proc that shows only the kernel. Nothing else
 * exists for student code: not the instructor's notebooks, the other submissions, the graded output,
 * home folders or other copies of the course.
 * Arguments: NEW_ROOT WORK_DIR read-only-paths... -- writable-paths... -- command...
 */
const SANDBOX_SCRIPT = `R="$1"; W="$2"; shift 2
mount -t tmpfs -o size=1m,mode=0755 course-grade-root "$R" || exit 97
for d in /usr /etc /dev /bin /sbin /lib /lib32 /lib64 /libx32; do
  if [ -L "$d" ]; then ln -s "$(readlink "$d")" "$R$d" || exit 97
  elif [ -d "$d" ]; then mkdir -p "$R$d" && mount --rbind "$d" "$R$d" || exit 97; fi
done
mkdir -p "$R/proc" "$R/tmp" && mount -t proc proc "$R/proc" || exit 97
while [ "$1" != "--" ]; do
  mkdir -p "$R$1" && mount --bind "$1" "$R$1" || exit 97
  # Read-only; a user namespace must keep the flags the folder's filesystem already has.
  mount -o remount,ro,bind "$R$1" 2>/dev/null || mount -o remount,ro,bind,nosuid,nodev "$R$1" 2>/dev/null || true
  shift
done; shift
while [ "$1" != "--" ]; do mkdir -p "$R$1" && mount --bind "$1" "$R$1" || exit 97; shift; done; shift
exec "$(command -v chroot || echo /usr/sbin/chroot)" "$R" /usr/bin/env -C "$W" "$@"`;

/** What the kernel must read: node_modules, the library and the datasets, as real paths, outermost only. */
function libraryPaths() {
  const wanted = ["node_modules", "node_modules/autoencoders", "lib", "lib/dist", "datasets"].map((d) => path.join(root, d))
    .filter((p) => fs.existsSync(p)).map((p) => fs.realpathSync(p));
  const unique = [...new Set(wanted)].sort((a, b) => a.length - b.length);
  return unique.filter((p, k) => !unique.slice(0, k).some((q) => p.startsWith(q + path.sep)));
}

function sandboxPrefix(newRoot, workDir, writable) {
  const userns = process.getuid && process.getuid() !== 0 ? ["--map-root-user"] : [];
  return ["unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child", "--mount-proc", ...userns,
    "sh", "-c", SANDBOX_SCRIPT, "course-grade-sandbox", newRoot, workDir, ...libraryPaths(), "--", ...writable, "--"];
}

/** Whether kernels can be sandboxed here (Linux namespaces); with the reason if not. */
function probeSandbox(tempRoot) {
  if (process.platform !== "linux") return { ok: false, why: "the sandbox needs Linux namespaces" };
  const dir = fs.mkdtempSync(path.join(tempRoot, "probe-"));
  try {
    fs.mkdirSync(path.join(dir, "root"));
    const [cmd, ...args] = sandboxPrefix(path.join(dir, "root"), dir, [dir]);
    const r = spawnSync(cmd, [...args, "/usr/bin/test", "!", "-e", path.join(root, "package.json")], { encoding: "utf8" });
    if (r.error) return { ok: false, why: `unshare is not available (${r.error.code})` };
    if (r.status !== 0) return { ok: false, why: `the namespaces were refused (${(r.stderr || "").trim().split("\n").pop() || `exit ${r.status}`})` };
    return { ok: true };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runners not yet closed: a signal closes them before the grader exits. */
const openRunners = new Set();

class Runner {
  /** options: {mode, cellTimeout, budget, memoryMb} */
  constructor(options) {
    this.options = options;
    this.python = pythonWith("jupyter_client");
    if (!this.python) throw new Error("No Python with jupyter_client found. Install Debian's jupyter-client and python3-nbclient (sudo apt-get install jupyter-client python3-nbclient), or set AE_PYTHON.");
    if (!fs.existsSync(tslab) || !fs.existsSync(path.join(libDist, "index.js"))) throw new Error("The project is not installed; run `npm install` first.");
    // Made once per grading run; what opens every test cell (the pristine library and built-ins).
    this.globalName = newGlobalName();
    this.testPrelude = require(hardenModule()).testPrelude(this.globalName);
    // Everything a run writes outside --out goes in this one folder: mode 0700 (mkdtemp's), removed
    // by close(), which the command calls on success, failure, SIGTERM and Ctrl-C.
    this.tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), "course-grade-"));
    // The driver's files (kernel spec, log, result with test output) live here, out of the kernel's sight.
    this.privateDir = fs.mkdtempSync(path.join(this.tempRoot, "private-"));
    this.children = new Set();
    openRunners.add(this);
    this.sandbox = probeSandbox(this.tempRoot);
  }

  kernelArgv(jobDir) {
    const heap = Math.max(512, Math.floor(this.options.memoryMb * 0.6));
    // Real paths: inside the sandbox only the real library folders exist, not symlinks to them.
    const kernel = [fs.realpathSync(process.execPath), `--max-old-space-size=${heap}`, "--require", preloadModule(), fs.realpathSync(tslab), "kernel", "--config-path", "{connection_file}"];
    if (!this.sandbox.ok) return kernel;
    fs.mkdirSync(path.join(jobDir, "root"));
    return [...sandboxPrefix(path.join(jobDir, "root"), path.join(jobDir, "work"), [jobDir]), ...kernel];
  }

  /** Stops the kernels still running and removes every temporary file of the run. */
  close() {
    // SIGTERM: each kernel driver then shuts its kernel down before it exits (grade_kernel.py).
    for (const child of this.children) {
      try { child.kill("SIGTERM"); } catch { /* already gone */ }
    }
    fs.rmSync(this.tempRoot, { recursive: true, force: true });
    openRunners.delete(this);
  }

  /** Runs a plan's cells in a fresh kernel; resolves with the driver's result (never rejects). */
  async run(plan) {
    // The kernel's folder holds its working folder and its connection file, nothing else; the job
    // (with the hidden tests) reaches the driver through a pipe, never through a file.
    const dir = fs.mkdtempSync(path.join(this.tempRoot, "kernel-"));
    const privateDir = fs.mkdtempSync(path.join(this.privateDir, "job-"));
    const work = path.join(dir, "work");
    fs.mkdirSync(work);
    // The kernel resolves the course library from its working folder, and nothing else is there.
    fs.symlinkSync(fs.realpathSync(path.join(root, "node_modules")), path.join(work, "node_modules"), "dir");
    const cells = [{ index: -1, role: "setup", source: hardenCell(this.globalName) }, ...plan.run.map(({ index, role, source, requires }) => ({ index, role, source, requires }))];
    const job = {
      kernelArgv: this.kernelArgv(dir),
      env: { PATH: process.env.PATH, HOME: work, TMPDIR: work, LANG: process.env.LANG || "C.UTF-8", AE_MODE: this.options.mode, AE_PROJECT_ROOT: root,
        COURSE_GRADE_GLOBAL: this.globalName, COURSE_GRADE_MODULE_ROOTS: JSON.stringify(moduleRoots()) },
      cwd: work, cellTimeout: this.options.cellTimeout, budget: this.options.budget, memoryMb: this.options.memoryMb,
      specDir: path.join(privateDir, "spec"), logFile: path.join(privateDir, "kernel.log"), connectionDir: path.join(dir, "runtime"), cells,
    };
    const resultFile = path.join(privateDir, "result.json");
    const stderr = [];
    const code = await new Promise((resolve) => {
      const child = spawn(this.python, [driver, "-", resultFile], { stdio: ["pipe", "ignore", "pipe"], env: { ...process.env, JUPYTER_RUNTIME_DIR: path.join(dir, "runtime") } });
      this.children.add(child);
      child.stdin.on("error", () => { /* the driver died early; its exit code says so */ });
      child.stdin.end(JSON.stringify(job));
      child.stderr.on("data", (d) => stderr.push(d));
      child.on("close", (c) => { this.children.delete(child); resolve(c); });
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

/** Closes every open runner (on SIGTERM or Ctrl-C): kernels stopped, temporary files removed. */
function closeAllRunners() {
  for (const r of [...openRunners]) r.close();
}

module.exports = { Runner, pool, Progress, newToken, closeAllRunners };
