// Finds submissions in nbgrader's layout, submissions/<student>/<notebook>.ipynb, in a folder or a zip.
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const { pythonWith } = require("../jupyter-env");

/** Unpacks a zip with Python's zipfile (which drops absolute paths and '..'), into `dest`. */
function unzip(zipFile, dest) {
  const py = pythonWith("zipfile");
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  // Each file keeps the time stored in the zip, which is its submission time when nothing better is known.
  const script = `import os, sys, time, zipfile
z = zipfile.ZipFile(sys.argv[1])
for info in z.infolist():
    path = z.extract(info, sys.argv[2])
    if not info.is_dir():
        t = time.mktime(info.date_time + (0, 0, -1))
        os.utime(path, (t, t))`;
  const r = spawnSync(py, ["-c", script, zipFile, dest], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cannot unpack ${zipFile}: ${(r.stderr || "").trim().split("\n").pop()}. Is it a zip of submissions/<student>/<notebook>.ipynb?`);
}

const isDir = (p) => { try { return fs.statSync(p).isDirectory(); } catch { return false; } };
const hasNotebooks = (dir) => fs.readdirSync(dir).some((s) => isDir(path.join(dir, s)) && fs.readdirSync(path.join(dir, s)).some((f) => f.endsWith(".ipynb")));

/** The folder whose subfolders are students (a zip may wrap it in one more folder). */
function submissionsRoot(dir) {
  if (hasNotebooks(dir)) return dir;
  const inner = fs.readdirSync(dir).filter((d) => !d.startsWith(".") && !d.startsWith("__MACOSX") && isDir(path.join(dir, d)));
  if (inner.length === 1 && hasNotebooks(path.join(dir, inner[0]))) return path.join(dir, inner[0]);
  throw new Error(`no submissions found in ${dir}: expected <student>/<notebook>.ipynb inside it`);
}

/** nbgrader's timestamp.txt in the student's folder, else the notebook file's modification time. */
function submissionTime(studentDir, file) {
  const stamp = path.join(studentDir, "timestamp.txt");
  if (fs.existsSync(stamp)) {
    const text = fs.readFileSync(stamp, "utf8").trim().replace(" UTC", "Z").replace(" ", "T");
    const t = Date.parse(text);
    if (Number.isFinite(t)) return new Date(t).toISOString();
  }
  return fs.statSync(file).mtime.toISOString();
}

/** [{student, notebook (name without .ipynb), file, submittedAt}] sorted by student then notebook. */
function findSubmissions(dir) {
  const rootDir = submissionsRoot(dir);
  const found = [];
  for (const student of fs.readdirSync(rootDir).sort()) {
    const sdir = path.join(rootDir, student);
    if (student.startsWith(".") || !isDir(sdir)) continue;
    for (const f of fs.readdirSync(sdir).sort()) {
      if (!f.endsWith(".ipynb") || f.startsWith(".")) continue;
      const file = path.join(sdir, f);
      found.push({ student, notebook: f.replace(/\.ipynb$/, ""), file, submittedAt: submissionTime(sdir, file) });
    }
  }
  return found;
}

module.exports = { unzip, findSubmissions };
