// Packages the grader as a Gradescope autograder: a zip whose root holds setup.sh, run_autograder,
// the course project (library, tools, datasets) and the instructor's notebooks in assignment/.
// Gradescope unpacks it to /autograder/source, runs setup.sh once, then run_autograder per submission.
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const { root, pythonWith } = require("../jupyter-env");

const SETUP = `#!/usr/bin/env bash
# Gradescope runs this once while building the autograder image (Ubuntu, as root, with network).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends ca-certificates curl python3-nbclient python3-nbformat jupyter-client
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' 2>/dev/null; then
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y -qq nodejs
fi
cd /autograder/source
npm ci --no-audit --no-fund
`;

const RUN = `#!/usr/bin/env bash
# Gradescope runs this for each submission: grade the notebooks in /autograder/submission against the
# instructor's versions in source/assignment and write /autograder/results/results.json.
set -uo pipefail
AG="\${AUTOGRADER_ROOT:-/autograder}"
SRC="$AG/source"
WORK="$(mktemp -d)"
mkdir -p "$WORK/submissions/student" "$AG/results"
find "$AG/submission" -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' -exec cp {} "$WORK/submissions/student/" \\;
cd "$SRC"
node tools/course-grade.js autograde "$WORK/submissions" --source "$SRC/assignment" --out "$WORK/graded" --jobs 1 ${"$"}{COURSE_GRADE_OPTIONS:-}
node tools/course-grade.js export --from "$WORK/graded" --results-json "$AG/results/results.json"
`;

/** The project files the grader needs (no notebooks, tests, build output or history). */
function projectFiles() {
  const files = ["package.json", "package-lock.json", "tsconfig.json", "lib/package.json", "lib/tsconfig.json"];
  const walk = (rel) => {
    for (const f of fs.readdirSync(path.join(root, rel))) {
      const r = path.join(rel, f);
      if (f === "node_modules" || f === "lab") continue;
      if (fs.statSync(path.join(root, r)).isDirectory()) walk(r);
      else files.push(r);
    }
  };
  ["lib/src", "tools", "datasets"].forEach(walk);
  return files.filter((f) => fs.existsSync(path.join(root, f)));
}

function gradescopeZip(args, { notebooks }) {
  const out = path.resolve(args.flags.out || "gradescope-autograder.zip");
  const entries = [
    { name: "setup.sh", text: SETUP, mode: 0o755 },
    { name: "run_autograder", text: RUN, mode: 0o755 },
    ...projectFiles().map((f) => ({ name: f, file: path.join(root, f), mode: f.endsWith(".js") && f.startsWith("tools/course-grade") ? 0o755 : 0o644 })),
    ...notebooks.map((n) => ({ name: `assignment/${n.name}.ipynb`, file: n.file, mode: 0o644 })),
  ];
  const script = `import json, sys, zipfile
entries = json.load(sys.stdin)
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for e in entries:
        info = zipfile.ZipInfo(e["name"], date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = (0o100000 | e["mode"]) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        data = e["text"].encode() if "text" in e else open(e["file"], "rb").read()
        z.writestr(info, data)
`;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync(pythonWith("zipfile"), ["-c", script, out], { input: JSON.stringify(entries), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`could not write ${out}: ${r.stderr}`);
  console.log(`Wrote ${out}: ${notebooks.length} notebook(s) (${notebooks.map((n) => n.name).join(", ")}). Upload it as the assignment's autograder on Gradescope (Ubuntu 22.04 base image).`);
}

module.exports = { gradescopeZip, SETUP, RUN };
