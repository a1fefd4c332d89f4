// course-grade: release, validate, autograde, feedback, export and package for Gradescope the
// course's TypeScript notebook assignments. See the README's instructor section.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { root } = require("../jupyter-env");
const { Runner, pool, Progress, newToken } = require("./runner");
const { unzip, findSubmissions } = require("./submissions");

// Saved beside the grades, so that every later run writes the same grades.csv.
const ROSTER_FILE = "roster.json";
const POLICY_FILE = "late-policy.json";
const OVERRIDES_FILE = "overrides.json";
const { gradescopeZip } = require("./gradescope");

const USAGE = `usage: course-grade <command> [options]

  release   [NOTEBOOK...] [--source DIR] [--out DIR]        student versions + manifest (default out: release/)
  validate  [NOTEBOOK...] [--source DIR] [--jobs N]         every check passes with the solutions, none with the blank answers
  autograde SUBMISSIONS --out DIR [--source DIR] [--roster FILE] [--shard I/N] [--jobs N] [--cell-timeout S] [--budget S] [--memory MB] [--mode quick|full] [--force]
            SUBMISSIONS is submissions/<student>/<notebook>.ipynb or nbgrader's submitted/<student>/<assignment>/<notebook>.ipynb,
            as a folder or a .zip (renamed downloads such as "name (1).ipynb" are matched); writes DIR/grades.csv.
            --roster: a CSV with a 'student' column (other columns, e.g. ids, are carried into grades.csv): every
            student on it gets a row ("no submission" when nothing came), and a submission not on it is flagged.
            --shard I/N: only the I-th of N equal shares of the students, to grade a class on N machines
  merge     DIR... --out DIR                                 one graded folder (and grades.csv) from the shards' --out folders
  feedback  --from DIR [--out DIR] [--overrides FILE] [--show-hidden | --show-hidden-after ISO-TIME] [late policy]
            per-student HTML and Markdown reports: every check with its points and message; hidden checks
            show only their outcome until released (--show-hidden, or after the given time)
  export    --from DIR [--overrides FILE] [late policy] [--results-json FILE] [--canvas FILE [--canvas-assignment NAME]]
            grades.csv, Gradescope results.json, item analysis; --canvas: Canvas's gradebook import CSV
            (the students' Canvas ids come from the roster: canvas_id, sis_user_id or sis_login_id columns)
  gradescope [NOTEBOOK...] [--source DIR] [--out FILE]      a Gradescope autograder zip (setup.sh + run_autograder)

  late policy: --due ISO-TIME [--penalty "10%/day" | "2%/hour" | "10%/day,max=50%" | zero]
               [--extensions FILE (student,hours)] [--timestamps FILE (student,ISO-TIME)]
               export saves it with the grades: later autograde, feedback and export runs keep applying it
  --overrides FILE: a CSV student,grade_id,points,comment (optional notebook column) of manual adjustments and
               hand-graded cells; saved with the grades like the late policy, shown in the feedback
NOTEBOOK is a file name in the source folder (default source: the course's notebooks/).`;

const FLAGS = new Set(["--source", "--out", "--jobs", "--cell-timeout", "--budget", "--memory", "--mode", "--from", "--due", "--penalty", "--extensions", "--timestamps", "--results-json", "--roster", "--shard", "--show-hidden-after", "--overrides", "--canvas", "--canvas-assignment"]);
const SWITCHES = new Set(["--force", "--help", "--show-hidden"]);

function parse(argv) {
  const args = { command: argv[0], positional: [], flags: {} };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (FLAGS.has(a)) {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      args.flags[a.slice(2)] = argv[++i];
    } else if (SWITCHES.has(a)) args.flags[a.slice(2)] = true;
    else if (a.startsWith("--")) throw new UsageError(`unknown option ${a}`);
    else args.positional.push(a);
  }
  return args;
}

class UsageError extends Error {}

const grading = () => require(path.join(root, "lib", "dist", "grading"));
const readJson = (file, what) => {
  try { return JSON.parse(fs.readFileSync(file, "utf8")); } catch (e) { throw new Error(`cannot read ${what} ${file}: ${e.message}`); }
};
/** Writes through a temporary file and a rename, so a killed run never leaves half a file. */
function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
const number = (v, name, dflt) => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!(n > 0)) throw new UsageError(`--${name} must be a positive number, got '${v}'`);
  return n;
};

/** The instructor notebooks to work on: named ones, or every notebook with graded cells in the source folder. */
function sourceNotebooks(args) {
  const source = path.resolve(args.flags.source || path.join(root, "notebooks"));
  if (!fs.existsSync(source)) throw new UsageError(`the source folder ${source} does not exist`);
  const names = args.positional.length ? args.positional.map((n) => path.basename(n)) : fs.readdirSync(source).filter((f) => f.endsWith(".ipynb")).sort();
  const out = [];
  for (const name of names) {
    const file = path.join(source, name.endsWith(".ipynb") ? name : `${name}.ipynb`);
    if (!fs.existsSync(file)) throw new UsageError(`${file} does not exist`);
    const nb = readJson(file, "the notebook");
    if (!nb.cells.some((c) => grading().isGradedTestCell(c))) {
      if (args.positional.length) throw new UsageError(`${file} has no graded test cells (nbgrader metadata with grade: true)`);
      continue;
    }
    out.push({ name: path.basename(file, ".ipynb"), file, nb, text: fs.readFileSync(file, "utf8") });
  }
  return { source, notebooks: out };
}

// ---------------------------------------------------------------- release

function release(args) {
  const g = grading();
  const { notebooks } = sourceNotebooks(args);
  const out = path.resolve(args.flags.out || "release");
  fs.mkdirSync(out, { recursive: true });
  const manifest = { created: new Date().toISOString(), notebooks: {} };
  for (const n of notebooks) {
    const student = g.studentVersion(n.nb);
    const text = JSON.stringify(student, null, 1) + "\n";
    writeAtomic(path.join(out, `${n.name}.ipynb`), text);
    manifest.notebooks[n.name] = g.releaseEntry(`${n.name}.ipynb`, student, text);
  }
  writeAtomic(path.join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  const leaks = findHiddenLeaks(out, notebooks.map((n) => n.nb));
  if (leaks.length) throw new Error(`hidden tests leaked into the release folder:\n  ${leaks.slice(0, 10).join("\n  ")}`);
  console.log(`Released ${notebooks.length} notebook(s) to ${out} (manifest.json lists a checksum of every locked cell); no hidden-test line appears in it.`);
}

/** Hidden-test lines (those not also written outside hidden regions) found in any file under `dir`. */
function findHiddenLeaks(dir, instructorNotebooks) {
  const g = grading();
  // A hidden line that is also written in the open somewhere in the release (a cleanup line, say) is no secret.
  const secrets = g.secretHiddenLines(instructorNotebooks);
  const leaks = [];
  const walk = (d) => {
    for (const f of fs.readdirSync(d)) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else {
        const text = fs.readFileSync(p, "utf8");
        const unescaped = text.includes("\\") ? text + "\n" + text.replace(/\\"/g, '"').replace(/\\\\/g, "\\").replace(/\\n/g, "\n") : text;
        for (const s of secrets) if (unescaped.includes(s)) leaks.push(`${p}: ${s}`);
      }
    }
  };
  walk(dir);
  return leaks;
}

// ---------------------------------------------------------------- grading one submission

const GRADER_FILES = [path.join(__dirname, "runner.js"), path.join(__dirname, "..", "grade_kernel.py"), ...["assemble.js", "score.js", "check.js", "harden.js", "preload.js"].map((f) => path.join(root, "lib", "dist", "grading", f))];
function graderVersion() {
  const h = crypto.createHash("sha256");
  for (const f of GRADER_FILES) h.update(fs.existsSync(f) ? fs.readFileSync(f) : f);
  return h.digest("hex");
}

function runnerOptions(args) {
  const mode = args.flags.mode || "quick";
  if (!["quick", "full"].includes(mode)) throw new UsageError(`--mode must be quick or full, got '${mode}'`);
  return {
    mode, cellTimeout: number(args.flags["cell-timeout"], "cell-timeout", 120), budget: number(args.flags.budget, "budget", 900),
    memoryMb: number(args.flags.memory, "memory", 4096),
  };
}

/** Plans, runs and scores one notebook; `submission` is the parsed student notebook or an error. */
async function gradeOne(runner, instructor, submission, info) {
  const g = grading();
  const hidden = g.hiddenLines(instructor);
  if (submission instanceof Error) {
    const plan = unrunPlan(instructor);
    return { graded: g.scoreRun(plan, null, hidden, { ...info, failure: submission.message }), plan };
  }
  const plan = g.planSubmission(instructor, submission, { token: newToken, preludeForTests: runner.testPrelude });
  const result = await runner.run(plan);
  return { graded: g.scoreRun(plan, result, hidden, info), plan, notebook: g.withOutputs(plan, result.cells), retry: !result.cells.length && !!result.failure };
}

/** For a submission that cannot be run: every test is "not run" (with the failure), nothing listed as restored. */
function unrunPlan(instructor) {
  return { ...grading().planSubmission(instructor, { cells: [] }, { token: newToken, preludeForTests: "" }), changes: [], missingAnswers: {} };
}

function parseNotebook(text) {
  try {
    const nb = JSON.parse(text);
    if (!nb || !Array.isArray(nb.cells)) return new Error("the file is JSON but not a notebook (it has no cell list); it could not be graded");
    return nb;
  } catch (e) {
    return new Error(`the file is not a readable notebook (${e.message}); it could not be graded — was it saved from Jupyter?`);
  }
}

// ---------------------------------------------------------------- autograde

async function autograde(args) {
  if (args.positional.length !== 1) throw new UsageError("autograde takes one SUBMISSIONS folder or zip");
  if (!args.flags.out) throw new UsageError("autograde needs --out DIR");
  const out = path.resolve(args.flags.out);
  const jobs = number(args.flags.jobs, "jobs", 1);
  const options = runnerOptions(args);
  let subDir = path.resolve(args.positional[0]);
  if (!fs.existsSync(subDir)) throw new UsageError(`${subDir} does not exist`);
  fs.mkdirSync(out, { recursive: true });
  if (subDir.endsWith(".zip")) {
    const dest = path.join(out, "unpacked-submissions");
    unzip(subDir, dest);
    subDir = dest;
  }
  const { source, notebooks } = sourceNotebooks({ ...args, positional: [] });
  const found = findSubmissions(subDir, notebooks.map((n) => n.name));
  for (const w of found.warnings) console.error(`warning: ${w}`);
  const submissions = args.flags.shard ? shardOf(found.submissions, args.flags.shard) : found.submissions;
  if (args.flags.roster) {
    const file = path.resolve(args.flags.roster);
    if (!fs.existsSync(file)) throw new UsageError(`--roster ${args.flags.roster}: no such file`);
    const roster = grading().parseRoster(fs.readFileSync(file, "utf8"), args.flags.roster);
    writeAtomic(path.join(out, ROSTER_FILE), JSON.stringify(roster, null, 1) + "\n");
    const listed = new Set(roster.rows.map((r) => r.student));
    const strangers = [...new Set(submissions.map((s) => s.student))].filter((s) => !listed.has(s));
    if (strangers.length) console.error(`warning: not on the roster, graded and flagged in grades.csv: ${strangers.join(", ")}`);
  }
  const byName = new Map(notebooks.map((n) => [n.name, n]));
  const assignment = { source, notebooks: notebooks.filter((n) => submissions.some((s) => s.notebook === n.name))
    .map((n) => ({ notebook: n.name, exercises: grading().exercisesOf(n.nb).map((e) => ({ gradeId: e.gradeId, maxPoints: e.points })) })) };
  writeAtomic(path.join(out, "assignment.json"), JSON.stringify(assignment, null, 2) + "\n");
  saveOverrides(args, out);

  const runner = new Runner(options);
  if (!runner.sandbox.ok) console.error(`warning: kernels cannot be sandboxed here (${runner.sandbox.why}): student code can read any file you can, the instructor's notebooks included. Grade in a container or on Gradescope, or at least keep the source and output folders away from the submissions.`);
  const version = graderVersion();
  const todo = [];
  let unchanged = 0;
  for (const s of submissions) {
    const instructor = byName.get(s.notebook);
    const text = fs.readFileSync(s.file, "utf8");
    const key = crypto.createHash("sha256").update(JSON.stringify([version, options, instructor ? instructor.text : null, text])).digest("hex");
    const target = path.join(out, "graded", s.student, `${s.notebook}.json`);
    if (!instructor) {
      console.error(`warning: ${s.student}/${s.notebook}.ipynb does not match any graded notebook in ${source}; skipped`);
      continue;
    }
    if (!args.flags.force && fs.existsSync(target)) {
      try {
        const prior = JSON.parse(fs.readFileSync(target, "utf8"));
        if (prior.key === key) {
          if (prior.submittedAt !== s.submittedAt) writeAtomic(target, JSON.stringify({ ...prior, submittedAt: s.submittedAt }, null, 1) + "\n");
          unchanged++;
          continue;
        }
      } catch { /* unreadable: grade again */ }
    }
    todo.push({ ...s, text, key, target, instructor });
  }
  console.error(`Grading ${todo.length} submission(s) with ${jobs} kernel(s) at a time${unchanged ? `; ${unchanged} unchanged since the last run, kept` : ""}. Mode ${options.mode}, ${options.cellTimeout} s per cell, ${options.budget} s per submission, ${options.memoryMb} MB per kernel.`);
  const progress = new Progress(todo.length);
  try {
    await gradeAll(todo, jobs, runner, progress, out, assignment);
  } finally {
    runner.close();
  }
  progress.end();
  writeGrades(out);
  console.log(`Grades: ${path.join(out, "grades.csv")} (${loadGraded(out).length} graded notebook(s)). Next: course-grade feedback --from ${args.flags.out}; course-grade export --from ${args.flags.out}`);
}

/** Grades each submission and writes its grade, then the whole table, before taking the next one. */
function gradeAll(todo, jobs, runner, progress, out, assignment) {
  const all = new Map(loadGraded(out).map((g) => [`${g.student}/${g.notebook}`, g]));
  return pool(todo, jobs, async (s) => {
    let graded;
    try {
      const r = await gradeOne(runner, s.instructor.nb, parseNotebook(s.text), { student: s.student, notebook: s.notebook, submittedAt: s.submittedAt, key: s.key });
      graded = r.graded;
      if (s.renamedFrom) graded.changes.unshift(`Your file was named '${s.renamedFrom}'; it was graded as ${s.notebook}.ipynb.`);
      // The kernel never started: that is this machine's problem, not the submission's, so the next run grades it again.
      if (r.retry) graded.key = "";
      writeAtomic(s.target.replace(/\.json$/, ".ipynb"), JSON.stringify(r.notebook || r.plan.notebook, null, 1) + "\n");
    } catch (e) { // one broken submission never stops the batch
      graded = grading().scoreRun(unrunPlan(s.instructor.nb), null, [], { student: s.student, notebook: s.notebook, submittedAt: s.submittedAt, key: "", failure: `the grader failed on this submission: ${e.message}` });
    }
    writeAtomic(s.target, JSON.stringify(graded, null, 1) + "\n");
    all.set(`${s.student}/${s.notebook}`, graded);
    writeGrades(out, undefined, [...all.values()], assignment);
    progress.tick(`${s.student}/${s.notebook}: ${graded.score}/${graded.maxScore}${graded.failure ? ` (${graded.failure})` : ""}`);
  });
}

function loadGraded(dir) {
  const gradedDir = path.join(dir, "graded");
  if (!fs.existsSync(gradedDir)) return [];
  const all = [];
  for (const student of fs.readdirSync(gradedDir).sort()) {
    for (const f of fs.readdirSync(path.join(gradedDir, student)).sort()) {
      if (f.endsWith(".json")) all.push(readJson(path.join(gradedDir, student, f), "the graded result"));
    }
  }
  return all;
}

/** grades.csv from the graded results, with the saved roster and (unless one is given) the saved late policy. */
function writeGrades(dir, policy = undefined, graded = loadGraded(dir), assignment = readJson(path.join(dir, "assignment.json"), "the assignment description")) {
  const saved = savedPolicy(dir);
  if (policy === undefined) {
    policy = saved?.policy ?? null;
    graded = withTimes(graded, saved?.times ?? {});
  }
  const roster = fs.existsSync(path.join(dir, ROSTER_FILE)) ? readJson(path.join(dir, ROSTER_FILE), "the saved roster") : null;
  writeAtomic(path.join(dir, "grades.csv"), grading().gradesCsv(withOverrides(dir, graded), assignment.notebooks, policy, roster));
}

/** Reads --overrides against the graded assignment and saves it beside the grades, so every later command applies it. */
function saveOverrides(args, dir) {
  if (!args.flags.overrides) return;
  const file = path.resolve(args.flags.overrides);
  if (!fs.existsSync(file)) throw new UsageError(`--overrides ${args.flags.overrides}: no such file`);
  const assignment = readJson(path.join(dir, "assignment.json"), "the assignment description");
  const overrides = grading().parseOverrides(fs.readFileSync(file, "utf8"), args.flags.overrides, assignment.notebooks);
  writeAtomic(path.join(dir, OVERRIDES_FILE), JSON.stringify(overrides, null, 1) + "\n");
  console.error(`${overrides.length} override(s) from ${args.flags.overrides} saved with the grades; later runs keep applying them until another --overrides replaces them`);
}

/** The graded results with the saved overrides applied. */
function withOverrides(dir, graded) {
  const file = path.join(dir, OVERRIDES_FILE);
  return fs.existsSync(file) ? grading().applyOverrides(graded, readJson(file, "the saved overrides")) : graded;
}

function savedPolicy(dir) {
  const file = path.join(dir, POLICY_FILE);
  return fs.existsSync(file) ? readJson(file, "the saved late policy") : null;
}

/** The graded results with submission times replaced where `times` (student → ISO time) has one. */
function withTimes(graded, times) {
  return graded.map((g) => (times[g.student] ? { ...g, submittedAt: new Date(Date.parse(times[g.student])).toISOString() } : g));
}

/** The submissions of the I-th of N shares of the students (sorted by name, every N-th from the I-th). */
function shardOf(submissions, spec) {
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard must be I/N with 1 <= I <= N, like 1/3; got '${spec}'`);
  const [i, n] = [Number(m[1]), Number(m[2])];
  const students = [...new Set(submissions.map((s) => s.student))].sort();
  const mine = new Set(students.filter((_, k) => k % n === i - 1));
  console.error(`Shard ${i}/${n}: ${mine.size} of ${students.length} students.`);
  return submissions.filter((s) => mine.has(s.student));
}

// ---------------------------------------------------------------- merge

function merge(args) {
  if (!args.flags.out) throw new UsageError("merge needs --out DIR");
  if (!args.positional.length) throw new UsageError("merge takes the --out folders of the shards' autograde runs");
  const out = path.resolve(args.flags.out);
  const dirs = args.positional.map((d) => path.resolve(d));
  for (const d of dirs) if (!fs.existsSync(path.join(d, "assignment.json"))) throw new UsageError(`${d} is not a folder autograde wrote (no assignment.json)`);
  const notebooks = new Map();
  const seen = new Map();
  let source = null;
  for (const d of dirs) {
    const a = readJson(path.join(d, "assignment.json"), "the assignment description");
    source = source ?? a.source;
    for (const n of a.notebooks) {
      const prior = notebooks.get(n.notebook);
      if (prior && JSON.stringify(prior) !== JSON.stringify(n)) throw new Error(`${d} graded ${n.notebook} with other exercises than another shard: were the shards graded from the same source?`);
      notebooks.set(n.notebook, n);
    }
    for (const g of loadGraded(d)) {
      const target = path.join(out, "graded", g.student, `${g.notebook}.json`);
      if (seen.has(`${g.student}/${g.notebook}`)) throw new Error(`${g.student}/${g.notebook} was graded in two of the folders (${seen.get(`${g.student}/${g.notebook}`)} and ${d}); grade each student in one shard`);
      seen.set(`${g.student}/${g.notebook}`, d);
      for (const ext of [".json", ".ipynb"]) {
        const from = path.join(d, "graded", g.student, `${g.notebook}${ext}`);
        if (fs.existsSync(from)) writeAtomic(target.replace(/\.json$/, ext), fs.readFileSync(from, "utf8"));
      }
    }
    for (const f of [ROSTER_FILE, POLICY_FILE, OVERRIDES_FILE]) {
      const from = path.join(d, f);
      if (fs.existsSync(from)) writeAtomic(path.join(out, f), fs.readFileSync(from, "utf8"));
    }
  }
  const order = [...notebooks.keys()].sort();
  writeAtomic(path.join(out, "assignment.json"), JSON.stringify({ source, notebooks: order.map((k) => notebooks.get(k)) }, null, 2) + "\n");
  writeGrades(out);
  console.log(`Merged ${dirs.length} graded folder(s) into ${out}: ${loadGraded(out).length} graded notebook(s). Next: course-grade feedback --from ${args.flags.out}; course-grade export --from ${args.flags.out}`);
}

// ---------------------------------------------------------------- late policy, feedback, export

function readCsvPairs(file, what) {
  const pairs = {};
  for (const [k, raw] of fs.readFileSync(file, "utf8").split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [student, value] = line.split(",").map((s) => s.trim());
    if (k === 0 && student === "student") continue;
    if (!student || value === undefined) throw new Error(`${file} line ${k + 1}: expected 'student,${what}', got '${line}'`);
    pairs[student] = value;
  }
  return pairs;
}

function latePolicy(args) {
  if (!args.flags.due) {
    if (args.flags.penalty || args.flags.extensions) throw new UsageError("--penalty and --extensions need --due");
    return null;
  }
  if (!Number.isFinite(Date.parse(args.flags.due))) throw new UsageError(`--due '${args.flags.due}' is not a date-time (write it like 2026-12-01T23:59:00Z)`);
  const ext = args.flags.extensions ? readCsvPairs(args.flags.extensions, "hours") : {};
  const extensionHours = Object.fromEntries(Object.entries(ext).map(([s, h]) => {
    if (!Number.isFinite(Number(h))) throw new Error(`${args.flags.extensions}: extension for ${s} is not a number of hours: '${h}'`);
    return [s, Number(h)];
  }));
  return { due: args.flags.due, extensionHours, ...grading().parsePenalty(args.flags.penalty || "10%/day") };
}

/** The graded results with their submission times, and the late policy: given now, else the one export saved. */
function gradedWithTimes(args) {
  if (!args.flags.from) throw new UsageError(`${args.command} needs --from DIR (the folder autograde wrote)`);
  const dir = path.resolve(args.flags.from);
  if (!fs.existsSync(path.join(dir, "assignment.json"))) throw new UsageError(`${args.flags.from} is not a folder autograde wrote (it has no assignment.json)`);
  saveOverrides(args, dir);
  const given = latePolicy(args);
  const saved = given ? null : savedPolicy(dir);
  const times = args.flags.timestamps ? readCsvPairs(args.flags.timestamps, "time") : saved?.times ?? {};
  return { dir, graded: withOverrides(dir, withTimes(loadGraded(dir), times)), policy: given ?? saved?.policy ?? null, times };
}

function feedback(args) {
  const g = grading();
  const { dir, graded, policy } = gradedWithTimes(args);
  const out = path.resolve(args.flags.out || path.join(dir, "feedback"));
  const after = args.flags["show-hidden-after"];
  if (after !== undefined && !Number.isFinite(Date.parse(after))) throw new UsageError(`--show-hidden-after '${after}' is not a date-time (write it like 2026-12-20T00:00:00Z)`);
  const showHidden = !!args.flags["show-hidden"] || (after !== undefined && Date.now() >= Date.parse(after));
  for (const s of graded) {
    writeAtomic(path.join(out, s.student, `${s.notebook}.md`), g.feedbackMarkdown(s, policy, { showHidden }));
    writeAtomic(path.join(out, s.student, `${s.notebook}.html`), g.feedbackHtml(s, policy, { showHidden }));
  }
  console.log(`Feedback for ${new Set(graded.map((s) => s.student)).size} student(s) in ${out}/<student>/<notebook>.html and .md (hidden checks ${showHidden ? "released: names and messages shown" : "held back: outcome only"})`);
}

function exportGrades(args) {
  const g = grading();
  const { dir, graded, policy, times } = gradedWithTimes(args);
  if (args.flags["results-json"]) {
    // One results.json for one student (Gradescope grades one submission per run).
    const tests = [];
    const notes = [];
    let score = 0;
    for (const s of graded) {
      const r = g.gradescopeResults(s, policy);
      score += r.score;
      tests.push(...r.tests.map((t) => ({ ...t, name: graded.length > 1 ? `${s.notebook} · ${t.name}` : t.name })));
      if (r.output) notes.push(r.output);
    }
    if (!graded.length) notes.push("No notebook was graded: the submission holds no .ipynb named like the assignment's notebooks.");
    writeAtomic(path.resolve(args.flags["results-json"]), JSON.stringify({ score, output: notes.join("\n"), tests }, null, 2) + "\n");
    console.log(`Wrote ${args.flags["results-json"]}`);
    return;
  }
  if (policy) writeAtomic(path.join(dir, POLICY_FILE), JSON.stringify({ policy, times }, null, 1) + "\n");
  writeGrades(dir, policy, graded);
  for (const s of graded) writeAtomic(path.join(dir, "gradescope", s.student, `${s.notebook}.results.json`), JSON.stringify(g.gradescopeResults(s, policy), null, 2) + "\n");
  const items = g.itemAnalysis(graded);
  writeAtomic(path.join(dir, "item-analysis.csv"), g.itemAnalysisCsv(items));
  writeAtomic(path.join(dir, "item-analysis.md"), g.itemAnalysisMarkdown(items));
  if (args.flags.canvas) {
    const rosterFile = path.join(dir, ROSTER_FILE);
    if (!fs.existsSync(rosterFile)) throw new UsageError("--canvas needs the students' Canvas ids: grade with --roster (Canvas's own gradebook export, or a CSV with a student column and canvas_id, sis_user_id or sis_login_id)");
    const assignment = readJson(path.join(dir, "assignment.json"), "the assignment description");
    const name = args.flags["canvas-assignment"] || assignment.notebooks.map((n) => n.notebook).join(" + ");
    writeAtomic(path.resolve(args.flags.canvas), g.canvasCsv(fs.readFileSync(path.join(dir, "grades.csv"), "utf8"), readJson(rosterFile, "the saved roster"), name));
    console.log(`Wrote ${args.flags.canvas}: import it in Canvas's Grades > Import; the column '${name}' must match the assignment's name there`);
  }
  console.log(`Exported ${path.join(dir, "grades.csv")}${policy ? " (with the late policy)" : ""}, gradescope/<student>/<notebook>.results.json and item-analysis.csv/.md`);
}

// ---------------------------------------------------------------- validate

async function validate(args) {
  const g = grading();
  const { notebooks } = sourceNotebooks(args);
  const runner = new Runner(runnerOptions(args));
  const jobs = number(args.flags.jobs, "jobs", 1);
  const runs = notebooks.flatMap((n) => [{ n, as: "instructor", sub: n.nb }, { n, as: "student", sub: g.studentVersion(n.nb) }]);
  const problems = [];
  const progress = new Progress(runs.length);
  await pool(runs, jobs, async (r) => {
    const { graded } = await gradeOne(runner, r.n.nb, JSON.parse(JSON.stringify(r.sub)), { student: r.as, notebook: r.n.name, submittedAt: null, key: "" });
    for (const e of graded.exercises) {
      const passed = e.tests.filter((t) => t.status === "passed").map((t) => t.name);
      if (r.as === "instructor" && passed.length !== e.tests.length) problems.push(`${r.n.name}: '${e.gradeId}' fails with the instructor's solution: ${e.tests.filter((t) => t.status !== "passed").map((t) => `${t.name} ${t.status} ${t.message}`).join("; ")}`);
      if (r.as === "student" && passed.length) problems.push(`${r.n.name}: '${e.gradeId}' gives points to the student version (blank answers) for ${passed.map((p) => `'${p}'`).join(", ")}, so those checks test nothing`);
    }
    if (graded.failure) problems.push(`${r.n.name} (${r.as} version): ${graded.failure}`);
    progress.tick(`${r.n.name} as ${r.as}: ${graded.score}/${graded.maxScore}`);
  }).finally(() => runner.close());
  progress.end();
  if (problems.length) throw new Error(`validation failed:\n  ${problems.join("\n  ")}`);
  console.log(`Valid: ${notebooks.length} notebook(s); every check passes with the instructor's solutions and none gives a point to the blank answers as released.`);
}

async function main(argv) {
  const args = parse(argv);
  if (!args.command || args.command === "--help" || args.flags.help) return console.log(USAGE);
  const commands = { release, validate, autograde, merge, feedback, export: exportGrades, gradescope: (a) => gradescopeZip(a, sourceNotebooks(a)) };
  if (!commands[args.command]) throw new UsageError(`unknown command '${args.command}'`);
  await commands[args.command](args);
}

module.exports = { main, UsageError, findHiddenLeaks, parse, writeGrades };
