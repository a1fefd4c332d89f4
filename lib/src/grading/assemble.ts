// Rebuilds a submission for grading: every cell comes from the instructor's notebook except the
// student's answer cells, matched by nbgrader grade_id (or, when the metadata was stripped, by the
// cell id Jupyter keeps). What the student changed elsewhere is ignored or restored, and listed.
// The result is a plan of cells to run: setup cells, answers, and each graded test cell twice — as
// the student saw it (visible tests), in the notebook's order, and whole (with its hidden tests),
// after the last student cell. In a test cell every assertion is a named check: the cell is rewritten
// so that each check's outcome is recorded and the next one still runs (an exercise's points are
// split over its checks), and the record is the cell's last value, behind a per-run secret token.
import { Notebook, NotebookCell, STUB, cellSource, isGradedTestCell, isSolutionCell, replaceRegions, studentVersion } from "./notebook";

export const HIDDEN_BEGIN = "// BEGIN HIDDEN TESTS";
export const HIDDEN_END = "// END HIDDEN TESTS";

export interface Exercise {
  /** grade_id of the graded test cell. */
  gradeId: string;
  points: number;
  cell: number;
  /** grade_ids of the answer cells this test cell follows (since the previous graded test cell). */
  answers: string[];
  hasHiddenTests: boolean;
  /** A cell graded by hand (nbgrader's manually graded answer or task): 0 until an override gives its points. */
  manual?: boolean;
  /** The test cell's checks (its assertion calls), in source order. */
  checks: CheckInfo[];
}

export interface CheckInfo {
  /** The check's name: its assertion's description (`${…}` parts shown as "…"). */
  name: string;
  hidden: boolean;
  /** Its share of the exercise's points relative to the other checks (default 1; set by the cell's `course.check_weights`). */
  weight?: number;
  /** A test cell without `ae.grading` assertions is one check: it passes when the whole cell runs without error. */
  whole?: boolean;
}

export type RunRole = "setup" | "answer" | "test";
export interface RunCell {
  /** Position in the run (the driver's cell index). */
  index: number;
  /** The instructor notebook's cell index. */
  cell: number;
  role: RunRole;
  source: string;
  gradeId?: string;
  part?: "visible" | "hidden";
  token?: string;
  /** Per check of a test cell, the secret its record gives when the check passed; the last one when the cell ran to its end. */
  checkSecrets?: string[];
  /**
   * Skipped when the run cell with this index timed out, killed the kernel or was skipped: the hidden
   * tests after visible ones that would only do the same again. After failed checks they still run.
   */
  requires?: number;
}

export interface GradingPlan {
  exercises: Exercise[];
  run: RunCell[];
  /** What the student changed that was ignored or restored, in words for the feedback. */
  changes: string[];
  /** Answer grade_ids that could not be found, with the reason. */
  missingAnswers: Record<string, string>;
  /** The graded notebook as run (instructor cells with the student's answers). */
  notebook: Notebook;
}

export function exercisesOf(nb: Notebook): Exercise[] {
  const exercises: Exercise[] = [];
  let answers: string[] = [];
  nb.cells.forEach((cell, i) => {
    const g = cell.metadata?.nbgrader;
    if (g?.grade && (g.solution || g.task)) {
      exercises.push({ gradeId: g.grade_id, points: Number(g.points ?? 0), cell: i, answers: [], hasHiddenTests: false, checks: [], manual: true });
      if (g.solution) answers.push(g.grade_id);
    } else if (isSolutionCell(cell)) answers.push(g.grade_id);
    else if (isGradedTestCell(cell)) {
      if (!g.grade_id) throw new Error(`cell ${i} is a graded test cell without a grade_id`);
      const src = cellSource(cell);
      const hasHiddenTests = src.split("\n").some((l) => l.trim() === HIDDEN_BEGIN);
      const checks = withWeights(instrumentChecks(src, "").checks, cell.metadata?.course?.check_weights, g.grade_id);
      exercises.push({ gradeId: g.grade_id, points: Number(g.points ?? 0), cell: i, answers, hasHiddenTests, checks: checks.length ? checks : [{ name: "all tests", hidden: hasHiddenTests, whole: true }] });
      answers = [];
    }
  });
  const ids = exercises.map((e) => e.gradeId);
  const dup = ids.find((id, k) => ids.indexOf(id) !== k);
  if (dup) throw new Error(`grade_id '${dup}' is used by two graded cells of the instructor's notebook`);
  return exercises;
}

/**
 * An author can weigh checks in the test cell's metadata, `"course": {"check_weights": {"<check name>": 3}}`,
 * where one check is the heart of the exercise and the others are details (its shape, no leaks).
 */
function withWeights(checks: CheckInfo[], weights: unknown, gradeId: string): CheckInfo[] {
  if (weights === undefined) return checks;
  if (!weights || typeof weights !== "object") throw new Error(`'${gradeId}': course.check_weights must map check names to numbers`);
  for (const [name, w] of Object.entries(weights)) {
    if (!checks.some((c) => c.name === name)) throw new Error(`'${gradeId}': course.check_weights names '${name}', which is not one of its checks (${checks.map((c) => `'${c.name}'`).join(", ")})`);
    if (typeof w !== "number" || !(w >= 0)) throw new Error(`'${gradeId}': the weight of '${name}' must be a number ≥ 0, got ${JSON.stringify(w)}`);
  }
  return checks.map((c) => ((weights as Record<string, number>)[c.name] !== undefined ? { ...c, weight: (weights as Record<string, number>)[c.name] } : c));
}

/** Every non-blank line inside a hidden-test region (for leak checks and for redacting feedback). */
export function hiddenLines(nb: Notebook): string[] {
  const lines: string[] = [];
  for (const cell of nb.cells) {
    let inside = false;
    for (const line of cellSource(cell).split("\n")) {
      const t = line.trim();
      if (t === HIDDEN_BEGIN) inside = true;
      else if (t === HIDDEN_END) inside = false;
      else if (inside && t) lines.push(t);
    }
  }
  return lines;
}

/** Hidden-test lines that are not also written in the open in any of the notebooks' student versions. */
export function secretHiddenLines(notebooks: Notebook[]): string[] {
  const visible = notebooks.map((nb) => studentVersion(nb).cells.map(cellSource).join("\n")).join("\n");
  return [...new Set(notebooks.flatMap(hiddenLines))].filter((line) => !visible.includes(line));
}

function label(cell: NotebookCell, i: number): string {
  const id = cell.metadata?.nbgrader?.grade_id;
  if (id) return `'${id}'`;
  const first = cellSource(cell).split("\n").find((l) => l.trim()) ?? "";
  return `cell ${i + 1} (${first.trim().slice(0, 40)}${first.trim().length > 40 ? "…" : ""})`;
}

const same = (a: string, b: string) => a.replace(/\s+$/gm, "").trimEnd() === b.replace(/\s+$/gm, "").trimEnd();

const ASSERTION = /\bae\.grading\.(assertTrue|assertShape|assertClose|assertThrows)\(/g;
/** Which argument of each assertion is its description. */
const WHAT_ARGUMENT: Record<string, number> = { assertTrue: 1, assertShape: 2, assertClose: 2, assertThrows: 1 };

/** The source text of each top-level argument of the call whose "(" is at `open`. */
function callArguments(src: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0, start = open + 1;
  for (let i = open; i < src.length; i++) {
    const ch = src[i];
    if (ch === '"' || ch === "'" || ch === "`") {
      for (i++; i < src.length && src[i] !== ch; i++) if (src[i] === "\\") i++;
    } else if (ch === "/" && src[i + 1] === "/") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) {
      if (--depth === 0) { args.push(src.slice(start, i)); return args; }
    } else if (ch === "," && depth === 1) { args.push(src.slice(start, i)); start = i + 1; }
  }
  return args;
}

/** A check's name from its description argument: a string literal, else "check N". */
function checkName(arg: string | undefined, k: number): string {
  const t = (arg ?? "").trim();
  if (/^"(?:[^"\\]|\\.)*"$/.test(t) || /^'(?:[^'\\]|\\.)*'$/.test(t)) {
    try { return JSON.parse(t[0] === "'" ? `"${t.slice(1, -1).replace(/"/g, '\\"')}"` : t); } catch { /* fall through */ }
  }
  if (/^`[^`]*`$/.test(t)) return t.slice(1, -1).replace(/\$\{[^}]*\}/g, "…");
  return `check ${k + 1}`;
}

/**
 * Rewrites a test cell's `ae.grading.assertX(` calls to `<recorder>.check(i, "assertX", `, numbered in
 * source order, and lists the checks with their names and whether they sit among the hidden tests.
 */
export function instrumentChecks(source: string, recorder: string): { source: string; checks: CheckInfo[] } {
  const checks: CheckInfo[] = [];
  let hidden = false, scanned = 0;
  const out = source.replace(ASSERTION, (call: string, name: string, at: number) => {
    for (const line of source.slice(scanned, at).split("\n")) {
      if (line.trim() === HIDDEN_BEGIN) hidden = true;
      else if (line.trim() === HIDDEN_END) hidden = false;
    }
    scanned = at;
    const k = checks.length;
    checks.push({ name: checkName(callArguments(source, at + call.length - 1)[WHAT_ARGUMENT[name]], k), hidden });
    return `${recorder}.check(${k}, "${name}", `;
  });
  return { source: out, checks };
}

export interface WrapOptions {
  /** A new secret for each wrapped test run. */
  token: () => string;
  /** How a test cell gets the pristine library, shadowing any `ae`/`tf` the student redeclared. */
  preludeForTests: string;
}

/**
 * A test cell as sent to the kernel: its checks (instrumented by `instrumentChecks` to call
 * `$checks`) recorded by a recorder that
 * only this cell's code can name, the tests in their own block, and the record behind the token as
 * the last value. An error that stops the tests is recorded too: the checks after it count as failed.
 */
export function wrapTest(instrumented: string, token: string, prelude: string, secrets: string[]): string {
  const recorder = `$courseGradeChecks_${token.replace(/[^0-9a-zA-Z]/g, "").slice(-32)}`;
  // The recorder comes from the pristine library under the run's global name (the prelude's first
  // declaration), without compiling the whole prelude a second time.
  const pristine = /const __grader: any = ([\w$]+);/.exec(prelude)?.[1];
  const library = pristine ? `(${pristine} as any).ae` : "ae";
  return `${pristine ? "// @ts-ignore -- the grader's pristine library, under the run's global name\n" : ""}const ${recorder} = ${library}.grading.checkRecorder(${JSON.stringify(secrets)});\n` +
    `{\n${prelude}\nconst $checks = ${recorder};\ntry {\n${instrumented}\n} catch ($error) {\n  $checks.stopped($error);\n}\n}\n${recorder}.report(${JSON.stringify(token)})`;
}

/** A graded test cell's two runs: as the student saw it (visible), and whole (hidden, when it has hidden tests). */
export function testRuns(cell: NotebookCell, i: number, options: WrapOptions): { visible: Omit<RunCell, "index">; hidden?: Omit<RunCell, "index"> } {
  const gradeId = cell.metadata?.nbgrader?.grade_id;
  const { source: full, checks } = instrumentChecks(cellSource(cell), "$checks");
  const visible = replaceRegions(full, HIDDEN_BEGIN, HIDDEN_END, [], `cell ${i}`);
  const test = (part: "visible" | "hidden", source: string): Omit<RunCell, "index"> => {
    const token = options.token(), checkSecrets = [...checks, "the end"].map(() => options.token());
    return { cell: i, role: "test", gradeId, part, token, checkSecrets, source: wrapTest(source, token, options.preludeForTests, checkSecrets) };
  };
  return { visible: test("visible", visible), ...(visible !== full ? { hidden: test("hidden", full) } : {}) };
}

export function planSubmission(instructor: Notebook, submission: Notebook | null, options: WrapOptions): GradingPlan {
  const exercises = exercisesOf(instructor);
  const released = studentVersion(instructor);
  const subCells = submission?.cells ?? [];
  const changes: string[] = [];
  const missingAnswers: Record<string, string> = {};
  const used = new Set<number>();

  const byGradeId = (id: string) => subCells.map((c, k) => [c, k] as const).filter(([c]) => c.metadata?.nbgrader?.grade_id === id);
  const byCellId = (id: unknown) => (id ? subCells.findIndex((c) => c.id === id) : -1);

  const cells: NotebookCell[] = [];
  const run: RunCell[] = [];
  const matchedOrder: number[] = [];
  const push = (r: Omit<RunCell, "index">) => run.push({ ...r, index: run.length });
  const hidden: Omit<RunCell, "index">[] = [];

  instructor.cells.forEach((cell, i) => {
    if (isSolutionCell(cell)) {
      const gradeId: string = cell.metadata.nbgrader.grade_id;
      let found = byGradeId(gradeId);
      if (!found.length) {
        const k = byCellId(cell.id);
        if (k >= 0 && !subCells[k].metadata?.nbgrader?.grade_id) {
          found = [[subCells[k], k]];
          changes.push(`Answer '${gradeId}' was found by its cell id: its nbgrader metadata had been removed.`);
        }
      }
      if (found.length > 1) changes.push(`Answer '${gradeId}' appears ${found.length} times; the last one was graded (a top-to-bottom run leaves it in effect).`);
      const hit = found[found.length - 1];
      let source: string;
      if (!hit) {
        missingAnswers[gradeId] = `your answer cell '${gradeId}' is not in the submission (deleted, or its cell was replaced)`;
        source = STUB.join("\n");
      } else {
        found.forEach(([, k]) => used.add(k));
        matchedOrder.push(hit[1]);
        source = cellSource(hit[0]);
        if (hit[0].cell_type !== "code" && cell.cell_type === "code") changes.push(`Answer '${gradeId}' had been turned into a ${hit[0].cell_type} cell; it was run as code.`);
      }
      // A written answer (nbgrader's manually graded markdown cell) is kept for the grader to read, not run.
      if (cell.cell_type !== "code") {
        cells.push({ ...cell, source });
        return;
      }
      cells.push({ ...cell, source, outputs: [], execution_count: null });
      push({ cell: i, role: "answer", source, gradeId });
      return;
    }
    cells.push({ ...cell, ...(cell.cell_type === "code" ? { outputs: [], execution_count: null } : {}) });
    // Locked, test and instruction cells always come from the instructor; note what was changed.
    const gradeId = cell.metadata?.nbgrader?.grade_id;
    let k = byCellId(cell.id);
    if (k < 0 && gradeId) k = byGradeId(gradeId).map(([, j]) => j)[0] ?? -1;
    if (k >= 0) {
      used.add(k);
      matchedOrder.push(k);
    }
    if (cell.cell_type === "code") {
      const sub = k >= 0 ? subCells[k] : undefined;
      if (!sub) changes.push(`Restored ${label(cell, i)}: it was missing from the submission.`);
      else if (sub.cell_type !== "code") changes.push(`Restored ${label(cell, i)}: it had been turned into a ${sub.cell_type} cell.`);
      else if (!same(cellSource(sub), cellSource(released.cells[i]))) changes.push(`Ignored your edit to ${isGradedTestCell(cell) ? "the test cell" : "the locked cell"} ${label(cell, i)}; the original was run.`);
      if (isGradedTestCell(cell)) {
        const runs = testRuns(cell, i, options);
        push(runs.visible);
        if (runs.hidden) hidden.push({ ...runs.hidden, requires: run.length - 1 });
      } else push({ cell: i, role: "setup", source: cellSource(cell) });
    }
  });

  // Cells after the last answer or test cannot change a grade: they are not run (in notebook 03,
  // the training that follows the exercises), which makes grading a class that much faster.
  let last = run.length - 1;
  while (last >= 0 && run[last].role === "setup") last--;
  run.length = last + 1;
  // Hidden tests run last, after every student cell: their source is then in the kernel only while
  // no student cell can run afterwards and report what it found (in a visible test's message, say).
  for (const h of hidden) push(h);

  const added = subCells.filter((c, k) => !used.has(k) && c.cell_type === "code" && cellSource(c).trim()).length;
  if (added) changes.push(`Ignored ${added} code cell${added > 1 ? "s" : ""} you added (only answer cells are graded).`);
  if (matchedOrder.some((k, j) => j > 0 && k < matchedOrder[j - 1])) changes.push("Ignored the new order of cells; the instructor's order was run.");
  return { exercises, run, changes, missingAnswers, notebook: { ...instructor, cells } };
}

/**
 * The graded notebook with what each cell printed (for the instructor's eyes): answers and setup as
 * run, each test cell's visible run with its token line removed.
 */
export function withOutputs(plan: GradingPlan, cells: { index: number; status: string; stdout: string; stderr: string; reason?: string }[]): Notebook {
  const nb: Notebook = JSON.parse(JSON.stringify(plan.notebook));
  const byRun = new Map(cells.map((c) => [c.index, c]));
  for (const r of plan.run) {
    if (r.part === "hidden") continue;
    const c = byRun.get(r.index);
    if (!c) continue;
    const stdout = r.token ? c.stdout.split("\n").filter((l) => !l.includes(r.token!)).join("\n") : c.stdout;
    const outputs: unknown[] = [];
    if (stdout.trim()) outputs.push({ output_type: "stream", name: "stdout", text: stdout });
    const err = [c.stderr, c.status === "ok" ? "" : `[course-grade] ${c.status}${c.reason ? `: ${c.reason}` : ""}`].filter((t) => t.trim()).join("\n");
    if (err) outputs.push({ output_type: "stream", name: "stderr", text: err });
    nb.cells[r.cell].outputs = outputs;
  }
  return nb;
}
