// The grader's pure parts: rebuilding a submission from the instructor's notebook, scoring a run from
// reply status and secret tokens, the grade table, late policy, item analysis, Gradescope results and
// feedback. (tests/integration/grader.test.ts runs them in real kernels.)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Notebook, NotebookCell, STUB, applyLatePolicy, cleanMessage, feedbackHtml, feedbackMarkdown, gradesCsv, gradescopeResults,
  hiddenLines, itemAnalysis, parsePenalty, parseRoster, planSubmission, scoreRun, studentVersion, withOutputs,
} from "../../lib/src/grading";
import type { DriverResult, GradedSubmission } from "../../lib/src/grading";

const lines = (text: string) => text.split(/(?<=\n)/);
const meta = (extra: Record<string, unknown>) => ({ nbgrader: { schema_version: 3, locked: false, solution: false, grade: false, ...extra } });

function instructor(): Notebook {
  const cells: NotebookCell[] = [
    { id: "intro", cell_type: "markdown", source: "# Exercise", metadata: {} },
    { id: "setup", cell_type: "code", source: "const k = 2;", metadata: {}, outputs: [], execution_count: null },
    { id: "ans", cell_type: "code", metadata: meta({ grade_id: "double", solution: true }), outputs: [], execution_count: null,
      source: lines("function double(x: number): number {\n  // BEGIN SOLUTION\n  return k * x;\n  // END SOLUTION\n}") },
    { id: "test", cell_type: "code", metadata: meta({ grade_id: "double_tests", grade: true, points: 3, locked: true }), outputs: [], execution_count: null,
      source: lines("{\n  ae.grading.assertClose(double(2), 4, 'double(2)');\n  // BEGIN HIDDEN TESTS\n  ae.grading.assertClose(double(-37), -74, 'negative inputs are doubled too');\n  // END HIDDEN TESTS\n}") },
  ];
  return { cells, metadata: { kernelspec: { name: "autoencoders-ts" } }, nbformat: 4, nbformat_minor: 5 };
}

let counter = 0;
const options = { token: () => `tok-${++counter}`, preludeForTests: "// prelude" };
const answer = (nb: Notebook, text: string) => { nb.cells.find((c) => c.id === "ans")!.source = lines(text); return nb; };
const solved = () => answer(studentVersion(instructor()), "function double(x: number): number { return 2 * x; }");

function driverResult(plan: ReturnType<typeof planSubmission>, overrides: Record<number, Partial<DriverResult["cells"][number]>> = {}): DriverResult {
  return {
    cells: plan.run.map((r) => ({ index: r.index, status: "ok" as const, seconds: 0.1, stdout: r.token ? `${r.token}\n` : "", stderr: "", values: [], ...overrides[r.index] })),
    restarts: [], seconds: 3, failure: null,
  };
}
const info = { student: "ada", notebook: "nb", submittedAt: null, key: "k" };

describe("planSubmission", () => {
  it("runs the instructor's cells with the student's answer, and each test cell twice: as released, then with its hidden tests", () => {
    const plan = planSubmission(instructor(), solved(), options);
    assert.deepEqual(plan.run.map((r) => [r.role, r.part ?? null]), [["setup", null], ["answer", null], ["test", "visible"], ["test", "hidden"]]);
    assert.equal(plan.run[1].source, "function double(x: number): number { return 2 * x; }");
    const [visible, hidden] = plan.run.slice(2);
    assert.doesNotMatch(visible.source, /negative inputs/);
    assert.match(hidden.source, /negative inputs/);
    assert.ok(visible.source.trimEnd().endsWith(JSON.stringify(visible.token)), "the token is the cell's last value");
    assert.notEqual(visible.token, hidden.token);
    assert.equal(hidden.requires, visible.index);
    assert.deepEqual(plan.changes, []);
  });

  it("does not run the cells after the last answer or test (they cannot change a grade), and keeps them in the graded notebook", () => {
    const nb = instructor();
    nb.cells.push({ id: "after", cell_type: "code", source: "const slowTraining = 1;", metadata: {}, outputs: [], execution_count: null });
    const plan = planSubmission(nb, solved(), options);
    assert.deepEqual(plan.run.map((r) => [r.role, r.part ?? null]), [["setup", null], ["answer", null], ["test", "visible"], ["test", "hidden"]]);
    assert.equal(plan.notebook.cells.at(-1)!.id, "after");
    assert.ok(!plan.run.some((r) => r.source.includes("slowTraining")));
  });

  it("ignores edits to locked and test cells, restores deleted ones, ignores added cells and new order, and says so", () => {
    const sub = solved();
    sub.cells.find((c) => c.id === "test")!.source = ["// pass"];
    sub.cells = sub.cells.filter((c) => c.id !== "setup");
    sub.cells.unshift({ cell_type: "code", source: "console.log('✓ all tests passed')", metadata: {} });
    sub.cells.reverse();
    const plan = planSubmission(instructor(), sub, options);
    assert.equal(plan.run[0].source, "const k = 2;", "the deleted setup cell is back");
    assert.match(plan.run[2].source, /assertClose\(double\(2\)/, "the test is the instructor's");
    const text = plan.changes.join("\n");
    assert.match(text, /Ignored your edit to the test cell 'double_tests'/);
    assert.match(text, /Restored cell 2 \(const k = 2;\): it was missing/);
    assert.match(text, /Ignored 1 code cell you added/);
    assert.match(text, /new order of cells/);
  });

  it("finds an answer by cell id when its metadata was stripped, runs a markdown answer as code, and grades the last of duplicates", () => {
    const stripped = solved();
    stripped.cells.find((c) => c.id === "ans")!.metadata = {};
    let plan = planSubmission(instructor(), stripped, options);
    assert.match(plan.run[1].source, /return 2 \* x/);
    assert.match(plan.changes.join(), /found by its cell id/);

    const md = solved();
    md.cells.find((c) => c.id === "ans")!.cell_type = "markdown";
    plan = planSubmission(instructor(), md, options);
    assert.match(plan.run[1].source, /return 2 \* x/);
    assert.match(plan.changes.join(), /turned into a markdown cell; it was run as code/);

    const dup = solved();
    const k = dup.cells.findIndex((c) => c.id === "ans");
    dup.cells.splice(k + 1, 0, { ...dup.cells[k], id: "copy", source: ["function double(x: number): number { return x; }"] });
    plan = planSubmission(instructor(), dup, options);
    assert.match(plan.run[1].source, /return x; \}/);
    assert.match(plan.changes.join(), /appears 2 times; the last one was graded/);
  });

  it("puts the stub in place of a missing answer, and its tests score zero with the reason", () => {
    const sub = solved();
    sub.cells = sub.cells.filter((c) => c.id !== "ans");
    const plan = planSubmission(instructor(), sub, options);
    assert.equal(plan.run[1].source, STUB.join("\n"));
    const g = scoreRun(plan, driverResult(plan), [], info);
    assert.equal(g.score, 0);
    assert.match(g.exercises[0].tests[0].message, /'double' is not in the submission/);
  });
});

describe("scoreRun", () => {
  it("passes a test only when its cell replied ok and printed its own token; stderr does not matter", () => {
    const plan = planSubmission(instructor(), solved(), options);
    const ok = scoreRun(plan, driverResult(plan, { 2: { stderr: "warning printed by a passing cell" } }), [], info);
    assert.equal(ok.score, 3);
    assert.equal(ok.maxScore, 3);
    const fake = scoreRun(plan, driverResult(plan, { 3: { stdout: "✓ hidden tests\ntok-999999\n" } }), [], info);
    assert.equal(fake.score, 0, "a token that is not this cell's own does not count");
    assert.equal(fake.exercises[0].tests[1].status, "failed");
    const errored = scoreRun(plan, driverResult(plan, { 3: { status: "error" } }), [], info);
    assert.equal(errored.score, 0, "the token printed by a cell that then failed does not count");
  });

  it("never shows a hidden test's message, reports timeouts and crashes, and redacts hidden code from what it shows", () => {
    const plan = planSubmission(instructor(), solved(), options);
    const hidden = hiddenLines(instructor());
    const g = scoreRun(plan, {
      ...driverResult(plan, {
        2: { status: "error", stdout: "", stderr: "✗ double(2): value 0 is 5\n    at fail (check.js:20:9)\n  ae.grading.assertClose(double(-37), -74, 'negative inputs are doubled too');" },
        3: { status: "skipped", reason: "not run because the visible tests before it failed" },
      }),
      restarts: [{ cell: 1, cause: "the kernel process exited with code 0 (process.exit() or similar)", replayed: 1 }],
    }, hidden, info);
    const [visible, hid] = g.exercises[0].tests;
    assert.equal(visible.status, "failed");
    assert.match(visible.message, /value 0 is 5/);
    assert.doesNotMatch(visible.message, /at fail|negative inputs/);
    assert.match(visible.message, /\[hidden\]/);
    assert.equal(hid.status, "not run");
    assert.deepEqual(g.crashes, ["cell 3: the kernel process exited with code 0 (process.exit() or similar)"]);
    const t = scoreRun(plan, driverResult(plan, { 2: { status: "timeout", seconds: 20 } }), hidden, info);
    assert.equal(t.exercises[0].tests[0].status, "timeout");
    assert.equal(t.timeouts.length, 1);
  });

  it("scores an unreadable submission zero with its reason", () => {
    const plan = planSubmission(instructor(), { ...solved(), cells: [] }, options);
    const g = scoreRun(plan, null, [], { ...info, failure: "the file is not a readable notebook" });
    assert.equal(g.score, 0);
    assert.equal(g.failure, "the file is not a readable notebook");
  });

  it("puts each cell's output in the graded notebook without the tokens", () => {
    const plan = planSubmission(instructor(), solved(), options);
    const result = driverResult(plan, { 1: { stdout: "hello\n" } });
    const nb = withOutputs(plan, result.cells);
    assert.deepEqual(nb.cells[2].outputs, [{ output_type: "stream", name: "stdout", text: "hello\n" }]);
    assert.ok(!JSON.stringify(nb).includes(plan.run[2].token!));
  });
});

describe("cleanMessage", () => {
  it("drops stack frames and blank lines and shortens long messages", () => {
    assert.equal(cleanMessage("Error: x\n    at f (a.js:1:1)\n\nmore", []), "Error: x\nmore");
    assert.equal(cleanMessage("a".repeat(50), [], 10), "aaaaaaaaaa …");
  });
});

function gradedFor(student: string, points: number, hiddenPassed: boolean, submittedAt: string | null = null): GradedSubmission {
  return {
    student, notebook: "nb", score: points, maxScore: 3, changes: [], crashes: [], timeouts: [], failure: null, seconds: 12, submittedAt, key: "",
    exercises: [{ gradeId: "double_tests", points, maxPoints: 3, tests: [
      { name: "double_tests: visible tests", part: "visible", status: "passed", message: "" },
      { name: "double_tests: hidden tests", part: "hidden", status: hiddenPassed ? "passed" : "failed", message: "" },
    ] }],
  };
}

describe("late policy", () => {
  it("parses penalty rules and rejects what it cannot read", () => {
    assert.deepEqual(parsePenalty("10%/day"), { penaltyPerPeriod: 0.1, periodHours: 24, maxPenalty: 1 });
    assert.deepEqual(parsePenalty("2%/hour, max=30%"), { penaltyPerPeriod: 0.02, periodHours: 1, maxPenalty: 0.3 });
    assert.throws(() => parsePenalty("ten percent"), /not understood/);
  });

  it("counts started periods after the due date plus extension, and caps the penalty", () => {
    const policy = { due: "2026-12-01T12:00:00Z", ...parsePenalty("10%/day,max=25%"), extensionHours: { bo: 24 } };
    assert.equal(applyLatePolicy(10, "ada", "2026-12-01T11:00:00Z", policy).penaltyFraction, 0);
    assert.equal(applyLatePolicy(10, "ada", "2026-12-01T13:00:00Z", policy).finalScore, 9);
    assert.equal(applyLatePolicy(10, "ada", "2026-12-05T13:00:00Z", policy).penaltyFraction, 0.25);
    assert.equal(applyLatePolicy(10, "bo", "2026-12-02T11:00:00Z", policy).penaltyFraction, 0, "inside the extension");
    assert.equal(applyLatePolicy(10, "ada", "2026-12-01T12:00:01Z", { due: policy.due, ...parsePenalty("zero") }).finalScore, 0);
    assert.throws(() => applyLatePolicy(10, "ada", "yesterday", policy), /cannot read/);
  });
});

describe("exports", () => {
  const all = [gradedFor("ada", 3, true, "2026-12-01T10:00:00Z"), gradedFor("bo, jr", 0, false, "2026-12-02T13:00:00Z")];
  const notebooks = [{ notebook: "nb", exercises: [{ gradeId: "double_tests", maxPoints: 3 }] }];

  it("writes one row per student with a column per graded cell, the total, the maximum and the late columns", () => {
    const csv = gradesCsv(all, notebooks, { due: "2026-12-01T12:00:00Z", ...parsePenalty("10%/day") }).trim().split("\n");
    assert.equal(csv[0], "student,nb/double_tests,total,max,submitted_at,hours_late,late_penalty,final,problems");
    assert.equal(csv[1], "ada,3,3,3,2026-12-01T10:00:00Z,0,0%,3,");
    assert.equal(csv[2], '"bo, jr",0,0,3,2026-12-02T13:00:00Z,25,20%,0,', "names with commas are quoted");
  });

  it("computes each test's pass rate across the class", () => {
    const items = itemAnalysis(all);
    assert.deepEqual(items.map((i) => [i.test, i.passed, i.attempts]), [["double_tests: visible tests", 2, 2], ["double_tests: hidden tests", 1, 2]]);
  });

  it("writes Gradescope results whose hidden tests carry only their outcome, shown after the due date", () => {
    const g = gradedFor("bo", 0, false);
    g.exercises[0].tests[1].message = "should never be shown";
    const r = gradescopeResults(g) as { score: number; tests: { name: string; output: string; max_score: number; visibility: string }[] };
    assert.equal(r.score, 0);
    assert.equal(r.tests[1].output, "failed");
    assert.equal(r.tests.reduce((s, t) => s + t.max_score, 0), 3, "the points sit on one test per exercise");
    assert.deepEqual(r.tests.map((t) => t.visibility), ["visible", "after_due_date"], "resubmitting must not reveal the hidden tests");
  });

  it("with a roster: every listed student has a row with the roster's ids, a missing one says so, a stranger is flagged", () => {
    const roster = parseRoster('student,sis_id,email\nada,1001,ada@uni.edu\ncy,1003,"cy@uni.edu"\n', "roster.csv");
    const csv = gradesCsv(all, notebooks, null, roster).trim().split("\n");
    assert.equal(csv[0], "student,sis_id,email,nb/double_tests,total,max,problems");
    assert.deepEqual(csv.slice(1), ["ada,1001,ada@uni.edu,3,3,3,", "cy,1003,cy@uni.edu,0,0,3,no submission", '"bo, jr",,,0,0,3,not on the roster']);
  });

  it("refuses a roster it cannot use, saying why", () => {
    assert.throws(() => parseRoster("name,id\nada,1\n", "r.csv"), /r\.csv has no 'student' column \(its header is 'name,id'\)/);
    assert.throws(() => parseRoster("student\nada\nada\n", "r.csv"), /'ada' is listed twice/);
    assert.throws(() => parseRoster("", "r.csv"), /r\.csv is empty/);
    assert.throws(() => parseRoster("student,id\nada,1,extra\n", "r.csv"), /line 2: 3 fields for 2 columns/);
  });

  it("feedback lists points, tests by name and outcome, and what was ignored; the HTML escapes student text", () => {
    const g = gradedFor("ada", 0, false);
    g.changes = ["Ignored your edit to the test cell 'double_tests'; the original was run."];
    g.exercises[0].tests[0] = { ...g.exercises[0].tests[0], status: "failed", message: "✗ got <script>alert(1)</script>" };
    const md = feedbackMarkdown(g);
    assert.match(md, /## double_tests: 0 \/ 3/);
    assert.match(md, /✗ double_tests: hidden tests — failed \(hidden tests show only their outcome\)/);
    assert.match(md, /## Ignored or restored/);
    const html = feedbackHtml(g);
    assert.ok(html.includes("&lt;script&gt;") && !html.includes("<script>alert"));
  });
});
