// Finds submissions, in a folder or a zip: submissions/<student>/<notebook>.ipynb, or nbgrader's
// submitted/<student>/<assignment>/<notebook>.ipynb; renamed downloads are matched when unambiguous.
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
const visible = (dir) => fs.readdirSync(dir).filter((f) => !f.startsWith(".") && !f.startsWith("__MACOSX")).sort();
const notebooksIn = (dir) => visible(dir).filter((f) => f.endsWith(".ipynb") && !isDir(path.join(dir, f)));

/**
 * A student's notebook folders: the student's folder itself (submissions/<student>/<notebook>.ipynb)
 * and, in nbgrader's layout, each assignment folder in it (submitted/<student>/<assignment>/<notebook>.ipynb).
 */
function notebookFolders(studentDir) {
  const inner = visible(studentDir).map((d) => path.join(studentDir, d)).filter((d) => isDir(d) && notebooksIn(d).length);
  return notebooksIn(studentDir).length ? [studentDir, ...inner] : inner;
}

/**
 * The folder whose subfolders are students: the given one, nbgrader's submitted/ inside it, or either
 * inside one wrapping folder (a zip's). A folder whose students hold notebooks directly wins over one
 * read as nbgrader's layout, so a wrapping folder is never taken for a student with assignments.
 */
function submissionsRoot(dir) {
  const wrapped = visible(dir).filter((d) => isDir(path.join(dir, d)));
  const candidates = [path.join(dir, "submitted"), dir, ...(wrapped.length === 1 ? [path.join(dir, wrapped[0], "submitted"), path.join(dir, wrapped[0])] : [])].filter(isDir);
  const students = (d) => visible(d).map((s) => path.join(d, s)).filter(isDir);
  const plain = (d) => students(d).some((s) => notebooksIn(s).length);
  const nbgrader = (d) => students(d).some((s) => notebookFolders(s).length);
  const found = candidates.find(plain) ?? candidates.find(nbgrader);
  if (found) return found;
  throw new Error(`no submissions found in ${dir}: expected <student>/<notebook>.ipynb (or nbgrader's submitted/<student>/<assignment>/<notebook>.ipynb) inside it`);
}

/** nbgrader's timestamp.txt beside the notebook (or in the student's folder), else the file's modification time. */
function submissionTime(folders, file) {
  for (const folder of folders) {
    const stamp = path.join(folder, "timestamp.txt");
    if (!fs.existsSync(stamp)) continue;
    const text = fs.readFileSync(stamp, "utf8").trim().replace(" UTC", "Z").replace(" ", "T");
    const t = Date.parse(text);
    if (Number.isFinite(t)) return new Date(t).toISOString();
  }
  return fs.statSync(file).mtime.toISOString();
}

/** The notebook a browser-renamed download stands for: "name (1)", "name(2)", "name-2", "name_3", "Copy of name". */
function originalName(name) {
  return name.replace(/^Copy of /i, "").replace(/\s*\(\d+\)$/, "").replace(/[-_]\d+$/, "");
}

/**
 * Submissions as [{student, notebook (name without .ipynb), file, submittedAt, renamedFrom?}], sorted
 * by student then notebook, and warnings. With `known` (the graded notebooks' names), a file whose
 * name is not one of them is matched to the notebook it is a renamed copy of, when exactly one file
 * of that student could be it and none has the right name.
 */
function findSubmissions(dir, known = null) {
  const rootDir = submissionsRoot(dir);
  const found = [];
  const warnings = [];
  for (const student of visible(rootDir)) {
    const sdir = path.join(rootDir, student);
    if (!isDir(sdir)) continue;
    const files = notebookFolders(sdir).flatMap((folder) => notebooksIn(folder).map((f) => ({ folder, name: f.replace(/\.ipynb$/, ""), file: path.join(folder, f) })));
    const byNotebook = new Map();
    for (const f of files) {
      let notebook = f.name;
      if (known && !known.includes(notebook)) {
        const original = originalName(notebook);
        if (!known.includes(original)) continue; // not a graded notebook: autograde says so
        if (files.some((g) => g.name === original)) {
          warnings.push(`${student}: ignored ${path.relative(rootDir, f.file)}, a copy of ${original}.ipynb, which was submitted too`);
          continue;
        }
        notebook = original;
      }
      if (!byNotebook.has(notebook)) byNotebook.set(notebook, []);
      byNotebook.get(notebook).push(f);
    }
    for (const [notebook, candidates] of byNotebook) {
      if (candidates.length > 1) {
        warnings.push(`${student}: ${candidates.length} files could be ${notebook}.ipynb (${candidates.map((c) => path.relative(rootDir, c.file)).join(", ")}); none was graded. Keep one and grade again.`);
        continue;
      }
      const [c] = candidates;
      found.push({ student, notebook, file: c.file, submittedAt: submissionTime([c.folder, sdir], c.file), ...(c.name !== notebook ? { renamedFrom: `${c.name}.ipynb` } : {}) });
    }
  }
  found.sort((a, b) => (a.student === b.student ? a.notebook.localeCompare(b.notebook) : a.student.localeCompare(b.student)));
  return { submissions: found, warnings };
}

module.exports = { unzip, findSubmissions, originalName };
