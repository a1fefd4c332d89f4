// Builds the addon at `npm install` and never fails the install: the course runs without it (on
// the wasm kernels alone). What went wrong is kept in build/status.json, which index.js reports.
//   node build.js           # what npm install runs; rebuild after `apt-get install libopenblas-dev`
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const here = __dirname;
const statusFile = path.join(here, "build", "status.json");

function nodeGyp() {
  if (process.env.npm_config_node_gyp && fs.existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  try { return require.resolve("node-gyp/bin/node-gyp.js"); } catch { /* not a dependency */ }
  // npm ships node-gyp beside itself.
  const npmRoot = path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm");
  const bundled = path.join(npmRoot, "node_modules", "node-gyp", "bin", "node-gyp.js");
  return fs.existsSync(bundled) ? bundled : undefined;
}

/** Node's own headers (a distribution's or an official tarball's), so nothing is downloaded. */
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  return fs.existsSync(path.join(prefix, "include", "node", "node_api.h")) ? prefix : undefined;
}

/** The first line a person can act on. */
function reasonFrom(log) {
  if (/cblas\.h: No such file|cannot find -lopenblas|Accelerate\/Accelerate\.h/.test(log)) {
    return process.platform === "darwin" ? "Accelerate headers not found (install the Xcode command-line tools)" :
      "libopenblas not found; apt-get install libopenblas-dev (or your system's OpenBLAS development package), then npm rebuild autoencoders-native";
  }
  const error = log.split("\n").find((l) => /error|not found|ERR!/i.test(l));
  return `the native BLAS addon did not build: ${(error ?? "node-gyp failed").trim().slice(0, 200)} (log: lib/native/build/build.log)`;
}

function write(status) {
  fs.mkdirSync(path.dirname(statusFile), { recursive: true });
  fs.writeFileSync(statusFile, JSON.stringify(status, null, 2) + "\n");
}

function main() {
  if (process.env.AE_BLAS === "0") return write({ built: false, reason: "not built (AE_BLAS=0 at install)" });
  const gyp = nodeGyp();
  if (!gyp) return write({ built: false, reason: "node-gyp not found (it comes with npm); the native BLAS addon was not built" });
  const args = [gyp, "rebuild"];
  const dir = nodeDir();
  if (dir) args.push(`--nodedir=${dir}`);
  const out = spawnSync(process.execPath, args, { cwd: here, encoding: "utf8", env: { ...process.env, JOBS: "2" } });
  const log = `${out.stdout ?? ""}${out.stderr ?? ""}${out.error ? String(out.error) : ""}`;
  fs.mkdirSync(path.join(here, "build"), { recursive: true });
  fs.writeFileSync(path.join(here, "build", "build.log"), log);
  if (out.status === 0) write({ built: true });
  else {
    write({ built: false, reason: reasonFrom(log) });
    console.warn(`autoencoders-native: ${reasonFrom(log)}. The course runs without it.`);
  }
}

main();
