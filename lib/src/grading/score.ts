// Scores one run of a grading plan. A test cell's checks count only from the record its cell gave as
// its last value behind the run's secret token; stderr and anything the student printed are never
// read for the score. An exercise's points are split over its checks (equally, or by the weights its
// author gave): a correct answer that leaks tensors loses only the leak check's share.
import { GradingPlan } from "./assemble";
import { CheckRecord } from "./check";
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
/** One check of an exercise (one assertion of its test cell) and the points it earned. */
export interface TestOutcome {
  name: string;
  part: "visible" | "hidden";
  status: TestStatus;
  /** Why it failed. For a hidden check the feedback holds this (and the name) back until released. */
  message: string;
  points: number;
  maxPoints: number;
}
export interface ExerciseScore {
  gradeId: string;
  points: number;
  maxPoints: number;
  tests: TestOutcome[];
  /** A manually graded cell: no tests; its points come from an override. */
  manual?: boolean;
  /** Set when the instructor adjusted the points (course-grade --overrides). */
  override?: { points: number; comment: string; autograded: number };
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

/** Points to the hundredth, so that shares like 2/7 add up to numbers people can read. */
export const roundPoints = (x: number): number => Math.round(100 * x) / 100;

/** The check record a test cell gave as its last value, behind its token; null if it gave none. */
export function readRecord(values: string[], token: string): CheckRecord | null {
  for (const v of values) {
    const at = v.indexOf(`${token} `);
    if (at < 0) continue;
    const encoded = /^[A-Za-z0-9%._~-]*/.exec(v.slice(at + token.length + 1))![0];
    try {
      const r = JSON.parse(decodeURIComponent(encoded));
      if (r && Array.isArray(r.passed) && r.failed && typeof r.failed === "object" && typeof r.stopped === "string") return r;
    } catch { /* not a record */ }
  }
  return null;
}

export function scoreRun(plan: GradingPlan, result: DriverResult | null, hidden: string[],
  info: { student: string; notebook: string; submittedAt: string | null; key: string; failure?: string | null }): GradedSubmission {
  const byIndex = new Map((result?.cells ?? []).map((c) => [c.index, c]));
  const cellNo = new Map(plan.run.map((r) => [r.index, r.cell + 1]));
  const failure = info.failure ?? result?.failure ?? (result ? null : "the submission was not run");
  const exercises = plan.exercises.map((ex): ExerciseScore => {
    if (ex.manual) return { gradeId: ex.gradeId, points: 0, maxPoints: ex.points, tests: [], manual: true };
    const missing = ex.answers.filter((a) => plan.missingAnswers[a]);
    const totalWeight = ex.checks.reduce((s, c) => s + (c.weight ?? 1), 0);
    const runs = plan.run.filter((r) => r.role === "test" && r.gradeId === ex.gradeId);
    const tests = ex.checks.map((check, k): TestOutcome => {
      const part = check.hidden ? "hidden" : "visible";
      const share = totalWeight > 0 ? (ex.points * (check.weight ?? 1)) / totalWeight : 0;
      const outcome = (status: TestStatus, message: string): TestOutcome => ({ name: check.name, part, status, message, points: status === "passed" ? share : 0, maxPoints: share });
      if (missing.length) return outcome("failed", missing.map((a) => plan.missingAnswers[a]).join("; "));
      const r = runs.find((x) => x.part === part) ?? runs[runs.length - 1];
      const c = r && byIndex.get(r.index);
      if (!c) return outcome("not run", failure ?? "not run");
      const record = c.status === "ok" && r.token ? readRecord([c.stdout, ...c.values], r.token) : null;
      const secret = r.checkSecrets?.[check.whole ? r.checkSecrets.length - 1 : k];
      if (record && secret && record.passed.includes(secret)) return outcome("passed", "");
      if (record && check.whole) return outcome("failed", cleanMessage(record.stopped || "failed", hidden));
      if (record && typeof record.failed[k] === "string") return outcome("failed", cleanMessage(record.failed[k], hidden));
      if (record) return outcome("failed", record.stopped ? cleanMessage(`not reached: the tests stopped at ${record.stopped}`, hidden) : "not reached");
      if (c.status === "timeout") return outcome("timeout", `stopped after ${Math.round(c.seconds)} s (time limit); the kernel was interrupted`);
      if (c.status === "crashed") return outcome("crashed", cleanMessage(`the kernel died: ${c.reason}; it was restarted`, hidden));
      if (c.status === "skipped") return outcome("not run", c.reason ?? "");
      if (c.status === "ok") return outcome("failed", "the tests finished without reporting their result (was the kernel's output redirected?)");
      return outcome("failed", cleanMessage(c.stderr, hidden, 300));
    });
    const points = roundPoints(tests.reduce((s, t) => s + t.points, 0));
    return { gradeId: ex.gradeId, points, maxPoints: ex.points, tests };
  });
  // An answer that tried to change a built-in failed with a read-only error; say so in the feedback.
  const readOnly = plan.run.filter((r) => r.role === "answer" && byIndex.get(r.index)?.status === "error" && byIndex.get(r.index)!.stderr.includes(READ_ONLY_MESSAGE))
    .map((r) => `Answer '${r.gradeId}' tried to change a built-in and stopped there (${READ_ONLY_MESSAGE}): ${cleanMessage(byIndex.get(r.index)!.stderr, hidden, 300).split("\n")[0]}`);
  const crashes = (result?.restarts ?? []).map((r) => cleanMessage(`${r.cell === null ? "between cells" : `cell ${cellNo.get(r.cell) ?? "?"}`}: ${r.cause}`, hidden));
  const timeouts = (result?.cells ?? []).filter((c) => c.status === "timeout").map((c) => `cell ${cellNo.get(c.index) ?? "?"} ran past its time limit and was interrupted`);
  return {
    student: info.student, notebook: info.notebook,
    score: roundPoints(exercises.reduce((s, e) => s + e.points, 0)), maxScore: exercises.reduce((s, e) => s + e.maxPoints, 0),
    exercises, changes: [...plan.changes, ...readOnly], crashes, timeouts, failure, seconds: result?.seconds ?? 0,
    submittedAt: info.submittedAt, key: info.key,
  };
}
