// The course's own JupyterLab 4 frontend (this folder): built from the npm @jupyterlab packages the
// first time it is needed, then reused. Its node_modules (about 550 MB) exist only to build it.
const { spawnSync } = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const dir = __dirname;
const entryPoint = path.join(dir, "course_lab.py");
const buildDir = path.join(dir, "build");
const stampFile = path.join(buildDir, ".built-from");

/** What the build depends on: when any of these files changes, the frontend is rebuilt. */
function sourceHash() {
  const h = crypto.createHash("sha256");
  for (const f of ["package.json", "index.js", "rspack.config.js"]) h.update(fs.readFileSync(path.join(dir, f)));
  return h.digest("hex");
}

function isBuilt() {
  return fs.existsSync(path.join(buildDir, "bundle.js")) && fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, "utf8").trim() === sourceHash();
}

function run(label, args) {
  const t0 = Date.now();
  process.stdout.write(`  ${label} ...`);
  const r = spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", args, { cwd: dir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) {
    process.stdout.write(" failed\n");
    const tail = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
    return `${label} failed:\n${tail}`;
  }
  process.stdout.write(` done (${Math.round((Date.now() - t0) / 1000)} s)\n`);
  return null;
}

/** Builds the frontend unless an up-to-date build exists. Returns null on success, else why not. */
function ensureBuilt() {
  if (isBuilt()) return null;
  console.log("Building the course's JupyterLab frontend (first start only; about a minute and 550 MB of packages from npm):");
  // --no-save: the lock file stays as committed (the first start must leave the checkout clean).
  const why = run("installing the @jupyterlab packages", ["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"]) ??
    run("bundling the frontend", ["run", "build"]);
  if (why) return why;
  fs.writeFileSync(stampFile, sourceHash() + "\n");
  return null;
}

module.exports = { entryPoint, buildDir, ensureBuilt, isBuilt };
