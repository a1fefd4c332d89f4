#!/usr/bin/env node
// Runs npm scripts one after another, stops at the first that fails, and ends with a line per script
// and the time it took, so that a slow stage is seen at once. The lines are also appended to the file
// named by AE_STAGE_LOG (.ci/run prints that file at its end).
//
//   node tools/stages.js test:types test:unit ...      (what `npm test` and `npm run test:e2e` run)
const { spawnSync } = require("child_process");
const fs = require("fs");

const scripts = process.argv.slice(2);
if (!scripts.length) {
  console.error("usage: node tools/stages.js SCRIPT [SCRIPT ...] (names of npm scripts in package.json)");
  process.exit(2);
}
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const lines = [];
let failed = null;
for (const script of scripts) {
  const t0 = Date.now();
  const r = spawnSync(npm, ["run", "--silent", script], { stdio: "inherit" });
  const seconds = Math.round((Date.now() - t0) / 1000);
  const ok = r.status === 0;
  lines.push(`stage ${script.padEnd(22)} ${String(seconds).padStart(5)} s  ${ok ? "ok" : `FAILED (exit ${r.status ?? r.signal})`}`);
  if (!ok) { failed = r.status || 1; break; }
}
console.log(`\n${lines.join("\n")}`);
if (process.env.AE_STAGE_LOG) fs.appendFileSync(process.env.AE_STAGE_LOG, lines.join("\n") + "\n");
if (failed) process.exit(failed);
