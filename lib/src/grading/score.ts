// Scores one run of a grading plan. A test passes only if its cell's reply status is "ok" and the
// cell printed its per-run secret token as its last value; stderr and anything the student printed
// are never read for the score. An exercise earns its points when all its tests pass (nbgrader's
// all-or-nothing rule for a graded cell).
import { GradingPlan } from "./assemble";
import { READ_ONLY_MESSAGE } from "./harden";

export interface DriverCell {
  index: number;
  status: "ok" | "error" | "timeout" | "crashed" | "skipped";
  seconds: number;
  stdout: string;
  stderr: string;
  values: string[];
  reason?: string;
}
export interface DriverResult {
  cells: DriverCell[];
  restarts: { cell: number | null; cause: string; replayed: number }[];
  seconds: number;
  failure: string | null;
}

export type TestStatus = "passed" | "failed" | "timeout" | "crashed" | "not run";
export interface TestOutcome {
  name: string;
  part: "visible" | "hidden";
  status: TestStatus;
  /** What the student may read: visible tests' messages; never anything from a hidden test. */
  message: string;
}
export interface ExerciseScore {
  gradeId: string;
  points: number;
  maxPoints: number;
  tests: TestOutcome[];
}
export interface GradedSubmission {
  student: string;
  notebook: string;
  score: number;
  maxScore: number;
  exercises: ExerciseScore[];
  /** What the student changed that was ignored or restored. */
  changes: string[];
  /** Kernel deaths: which cell (of the instructor's notebook, 1-based) and why. */
  crashes: string[];
  timeouts: string[];
  /** Set when the submission could not be graded at all (unreadable file, kernel never started). */
  failure: string | null;
  seconds: number;
  /** ISO time the submission was made, when known (timestamp file or file time). */
  submittedAt: string | null;
  /** Hash of everything the grade depends on; an unchanged key means the grade can be reused. */
  key: string;
}

/** Removes stack frames and any line of hidden-test code from a message shown to the student. */
export function cleanMessage(text: string, hidden: string[], maxLength = 1500): string {
  const kept = text.split("\n").filter((l) => !/^\s+at\s/.test(l) && l.trim() !== "");
  let out = kept.join("\n");
  for (const h of hidden.filter((h) => h.length >= 8).sort((a, b) => b.length - a.length)) out = out.split(h).join("[hidden]");
  return out.length > maxLength ? out.slice(0, maxLength) + " …" : out;
}

export function scoreRun(plan: GradingPlan, result: DriverResult | null, hidden: string[],
  info: { student: string; notebook: string; submittedAt: string | null; key: string; failure?: string | null }): GradedSubmission {
  const byIndex = new Map((result?.cells ?? []).map((c) => [c.index, c]));
  const cellNo = new Map(plan.run.map((r) => [r.index, r.cell + 1]));
  const failure = info.failure ?? result?.failure ?? (result ? null : "the submission was not run");
  const exercises = plan.exercises.map((ex): ExerciseScore => {
    const missing = ex.answers.filter((a) => plan.missingAnswers[a]);
    const tests = plan.run.filter((r) => r.role === "test" && r.gradeId === ex.gradeId).map((r): TestOutcome => {
      const name = `${ex.gradeId}: ${r.part} tests`;
      const c = byIndex.get(r.index);
      if (missing.length) return { name, part: r.part!, status: "failed", message: missing.map((a) => plan.missingAnswers[a]).join("; ") };
      if (!c) return { name, part: r.part!, status: "not run", message: failure ?? "not run" };
      const reported = c.status === "ok" && !!r.token && (c.stdout.includes(r.token) || c.values.some((v) => v.includes(r.token!)));
      const visible = r.part === "visible";
      if (reported) return { name, part: r.part!, status: "passed", message: "" };
      if (c.status === "timeout") return { name, part: r.part!, status: "timeout", message: `stopped after ${Math.round(c.seconds)} s (time limit); the kernel was interrupted` };
      if (c.status === "crashed") return { name, part: r.part!, status: "crashed", message: cleanMessage(`the kernel died: ${c.reason}; it was restarted`, hidden) };
      if (c.status === "skipped") return { name, part: r.part!, status: "not run", message: c.reason ?? "" };
      if (c.status === "ok") return { name, part: r.part!, status: "failed", message: "the tests finished without reporting their result (was the kernel's output redirected?)" };
      return { name, part: r.part!, status: "failed", message: visible ? cleanMessage(c.stderr, hidden) : "" };
    });
    const allPassed = tests.length > 0 && tests.every((t) => t.status === "passed");
    return { gradeId: ex.gradeId, points: allPassed ? ex.points : 0, maxPoints: ex.points, tests };
  });
  // An answer that tried to change a built-in failed with a read-only error; say so in the feedback.
  const readOnly = plan.run.filter((r) => r.role === "answer" && byIndex.get(r.index)?.status === "error" && byIndex.get(r.index)!.stderr.includes(READ_ONLY_MESSAGE))
    .map((r) => `Answer '${r.gradeId}' tried to change a built-in and stopped there (${READ_ONLY_MESSAGE}): ${cleanMessage(byIndex.get(r.index)!.stderr, hidden, 300).split("\n")[0]}`);
  const crashes = (result?.restarts ?? []).map((r) => cleanMessage(`${r.cell === null ? "between cells" : `cell ${cellNo.get(r.cell) ?? "?"}`}: ${r.cause}`, hidden));
  const timeouts = (result?.cells ?? []).filter((c) => c.status === "timeout").map((c) => `cell ${cellNo.get(c.index) ?? "?"} ran past its time limit and was interrupted`);
  return {
    student: info.student, notebook: info.notebook,
    score: exercises.reduce((s, e) => s + e.points, 0), maxScore: exercises.reduce((s, e) => s + e.maxPoints, 0),
    exercises, changes: [...plan.changes, ...readOnly], crashes, timeouts, failure, seconds: result?.seconds ?? 0,
    submittedAt: info.submittedAt, key: info.key,
  };
}
