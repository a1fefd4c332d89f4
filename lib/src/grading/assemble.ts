// Rebuilds a submission for grading: every cell comes from the instructor's notebook except the
// student's answer cells, matched by nbgrader grade_id (or, when the metadata was stripped, by the
// cell id Jupyter keeps). What the student changed elsewhere is ignored or restored, and listed.
// The result is a plan of cells to run: setup cells, answers, and each graded test cell twice — as
// the student saw it (visible tests), in the notebook's order, and whole (with its hidden tests),
// after the last student cell — each wrapped so that it reports success only by printing a per-run
// secret token as the cell's last value.
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
  /** Run only if the run cell with this index succeeded (hidden tests after their visible ones). */
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
    if (isSolutionCell(cell)) answers.push(g.grade_id);
    else if (isGradedTestCell(cell)) {
      if (!g.grade_id) throw new Error(`cell ${i} is a graded test cell without a grade_id`);
      const src = cellSource(cell);
      exercises.push({ gradeId: g.grade_id, points: Number(g.points ?? 0), cell: i, answers, hasHiddenTests: src.split("\n").some((l) => l.trim() === HIDDEN_BEGIN) });
      answers = [];
    }
  });
  const ids = exercises.map((e) => e.gradeId);
  const dup = ids.find((id, k) => ids.indexOf(id) !== k);
  if (dup) throw new Error(`grade_id '${dup}' is used by two graded cells of the instructor's notebook`);
  return exercises;
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

export interface WrapOptions {
  /** A new secret for each wrapped test run. */
  token: () => string;
  /** How a test cell gets the pristine library, shadowing any `ae`/`tf` the student redeclared. */
  preludeForTests: string;
}

/** A test cell as sent to the kernel: the tests in their own block, then the token as the last value. */
export function wrapTest(source: string, token: string, prelude: string): string {
  return `{\n${prelude}\n${source}\n}\n${JSON.stringify(token)}`;
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
        if (hit[0].cell_type !== "code") changes.push(`Answer '${gradeId}' had been turned into a ${hit[0].cell_type} cell; it was run as code.`);
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
        const full = cellSource(cell);
        const visible = replaceRegions(full, HIDDEN_BEGIN, HIDDEN_END, [], `cell ${i}`);
        const visibleToken = options.token();
        push({ cell: i, role: "test", gradeId, part: "visible", token: visibleToken, source: wrapTest(visible, visibleToken, options.preludeForTests) });
        if (visible !== full) {
          const hiddenToken = options.token();
          hidden.push({ cell: i, role: "test", gradeId, part: "hidden", token: hiddenToken, requires: run.length - 1, source: wrapTest(full, hiddenToken, options.preludeForTests) });
        }
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
