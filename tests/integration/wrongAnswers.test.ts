// Every plausible wrong answer of tests/grading/wrongAnswers.ts, graded by the grader's own kernel
// driver, plans and scoring in real kernels: each must lose points on its exercise, and the right
// answers keep every point. One kernel per notebook: its cells run once with the right answers, then
// for each wrong answer the answer cell is replaced (by the blank stub, then the wrong answer), the
// exercise's visible and hidden tests run and are scored, and the right answer is put back. Cells after
// a notebook's last test cell are left out. (One course-grade run per wrong answer would set each
// notebook up again for each of the 80: six minutes instead of two.) tests/integration/grader.test.ts
// grades whole submissions through the command.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { Notebook, RunCell, cellSource, planSubmission, scoreRun, studentVersion, testRuns } from "../../lib/src/grading";
import type { DriverResult } from "../../lib/src/grading";
import { WRONG_ANSWERS, WrongAnswer } from "../grading/wrongAnswers";

const root = path.resolve(__dirname, "..", "..");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { Runner, pool, newToken } = require(path.join(root, "tools", "grade", "runner.js"));
const runner = new Runner({ mode: "quick", cellTimeout: 120, budget: 1800, memoryMb: 2048 });
after(() => runner.close());

/** What a student hands in: the answer without the instructor's solution markers. */
const asStudent = (source: string) => source.replace(/^[ \t]*\/\/ (BEGIN|END) SOLUTION\n/gm, "");

interface Verdict { notebook: string; test: string; wrong?: WrongAnswer; points: number; max: number; failed: string[] }

/** Grades a notebook's right answers and each of its wrong answers in one kernel. */
async function gradeNotebook(name: string, wrongs: WrongAnswer[]): Promise<Verdict[]> {
  const instructor: Notebook = JSON.parse(fs.readFileSync(path.join(root, "notebooks", `${name}.ipynb`), "utf8"));
  const options = { token: newToken, preludeForTests: runner.testPrelude };
  const plan = planSubmission(instructor, instructor, options);
  const released = studentVersion(instructor);
  // Only the cells up to the last test cell: what comes after (more training, charts) cannot change a grade.
  const lastTest = Math.max(...plan.run.filter((r) => r.role === "test").map((r) => r.cell));
  const run: RunCell[] = plan.run.filter((r) => r.part !== "hidden" && r.cell <= lastTest).map((r, index) => ({ ...r, index, requires: undefined }));
  const rightVisible = run.filter((r) => r.role === "test");
  const add = (r: Omit<RunCell, "index">) => { run.push({ ...r, index: run.length }); return run[run.length - 1]; };
  const sourceOf = (nb: Notebook, id: string) => cellSource(nb.cells.find((c) => c.metadata?.nbgrader?.grade_id === id)!);
  const rounds = wrongs.map((wrong) => {
    const exercise = plan.exercises.find((e) => e.answers.includes(wrong.answer));
    assert.ok(exercise, `${name}: no exercise has the answer cell '${wrong.answer}'`);
    // The blank answer first: a wrong answer that does not even compile must not leave the right one in place.
    add({ cell: -1, role: "answer", gradeId: wrong.answer, source: sourceOf(released, wrong.answer) });
    add({ cell: -1, role: "answer", gradeId: wrong.answer, source: asStudent(wrong.from(sourceOf(instructor, wrong.answer))) });
    const tests = testRuns(instructor.cells[exercise.cell], exercise.cell, options);
    const cells = [add(tests.visible), ...(tests.hidden ? [add(tests.hidden)] : [])];
    add({ cell: -1, role: "answer", gradeId: wrong.answer, source: asStudent(sourceOf(instructor, wrong.answer)) });
    return { wrong, exercise, cells };
  });
  const right = [...rightVisible, ...plan.run.filter((r) => r.part === "hidden").map((h) => add(h))];  // the right answers' tests
  const result: DriverResult = await runner.run({ run });
  assert.equal(result.failure, null, `${name}: ${result.failure}`);
  const info = { student: "wrong-answers", notebook: name, submittedAt: null, key: "" };
  const score = (cells: RunCell[], exercise: (typeof plan.exercises)[number]) => {
    const indices = new Set(cells.map((c) => c.index));
    const g = scoreRun({ ...plan, exercises: [exercise], run: cells }, { ...result, cells: result.cells.filter((c) => indices.has(c.index)) }, [], info);
    return g.exercises[0];
  };
  const verdicts: Verdict[] = plan.exercises.map((e) => {
    const s = score(right.filter((r) => r.gradeId === e.gradeId), e);
    return { notebook: name, test: e.gradeId, points: s.points, max: e.points, failed: s.tests.filter((t) => t.status !== "passed").map((t) => `${t.name}: ${t.status} ${t.message}`) };
  });
  for (const r of rounds) {
    const s = score(r.cells, r.exercise);
    verdicts.push({ notebook: name, test: r.exercise.gradeId, wrong: r.wrong, points: s.points, max: r.exercise.points, failed: s.tests.filter((t) => t.status !== "passed").map((t) => t.name) });
  }
  return verdicts;
}

describe("the grader takes points from every plausible wrong answer", () => {
  it("grades each wrong answer below full marks and the right answers at full marks", async (t) => {
    const verdicts: Verdict[] = [];
    await pool(Object.entries(WRONG_ANSWERS), 2, async ([name, wrongs]: [string, WrongAnswer[]]) => { verdicts.push(...await gradeNotebook(name, wrongs)); });
    const problems: string[] = [];
    for (const v of verdicts.sort((a, b) => a.notebook.localeCompare(b.notebook))) {
      if (v.wrong) t.diagnostic(`${v.notebook} '${v.wrong.answer}' ${v.wrong.name}: ${v.points}/${v.max} (failed: ${v.failed.join("; ")})`);
      if (v.wrong && v.points >= v.max) problems.push(`${v.notebook} '${v.wrong.answer}' ${v.wrong.name} (${v.wrong.about}) kept ${v.points}/${v.max}`);
      if (!v.wrong && v.points !== v.max) problems.push(`${v.notebook} '${v.test}' with the right answer got ${v.points}/${v.max}: ${v.failed.join("; ")}`);
    }
    assert.deepEqual(problems, []);
  });
});
