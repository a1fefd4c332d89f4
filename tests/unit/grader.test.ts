// The grader's pure parts: rebuilding a submission from the instructor's notebook, scoring a run from
// its cells' check records (behind secret tokens) with partial credit, the grade table, late policy, item analysis, Gradescope results and
// feedback. (tests/integration/grader.test.ts runs them in real kernels.)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Notebook, NotebookCell, STUB, applyLatePolicy, applyOverrides, canvasCsv, cellSource, checkRecorder, parseOverrides, cleanMessage, feedbackHtml, feedbackMarkdown, gradesCsv, gradescopeResults,
  hiddenLines, instrumentChecks, itemAnalysis, parsePenalty, parseRoster, planSubmission, scoreRun, studentVersion, withOutputs,
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
      source: lines("{\n  ae.grading.assertClose(double(2), 4, 'double(2)');\n  ae.grading.assertTrue(Number.isInteger(double(3)), `integers stay integers (${3})`);\n  // BEGIN HIDDEN TESTS\n  ae.grading.assertClose(double(-37), -74, 'negative inputs are doubled too');\n  // END HIDDEN TESTS\n}") },
  ];
  return { cells, metadata: { kernelspec: { name: "autoencoders-ts" } }, nbformat: 4, nbformat_minor: 5 };
}

let counter = 0;
const options = { token: () => `tok-${++counter}`, preludeForTests: "// prelude" };
const answer = (nb: Notebook, text: string) => { nb.cells.find((c) => c.id === "ans")!.source = lines(text); return nb; };
const solved = () => answer(studentVersion(instructor()), "function double(x: number): number { return 2 * x; }");

type Plan = ReturnType<typeof planSubmission>;
/** What a test cell prints as its last value: the record of its checks behind its token. */
function record(r: Plan["run"][number], failed: Record<number, string> = {}, stopped = ""): string {
  const recorder = checkRecorder(r.checkSecrets!);
  const visibleOnly = r.part === "visible" ? r.source.split("$checks.check(").length - 1 : Infinity;
  r.checkSecrets!.slice(0, -1).forEach((_, k) => { if (k < visibleOnly || r.part === "hidden") recorder.check(k, "assertTrue", !(k in failed), "c", failed[k]); });
  if (stopped) recorder.stopped(new Error(stopped));
  return `${recorder.report(r.token!)}\n`;
}
function driverResult(plan: Plan, overrides: Record<number, Partial<DriverResult["cells"][number]>> = {}): DriverResult {
  return {
    cells: plan.run.map((r) => ({ index: r.index, status: "ok" as const, seconds: 0.1, stdout: r.token ? record(r) : "", stderr: "", values: [], ...overrides[r.index] })),
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
    assert.ok(visible.source.trimEnd().endsWith(`.report(${JSON.stringify(visible.token)})`), "the record behind the token is the cell's last value");
    assert.notEqual(visible.token, hidden.token);
    assert.equal(hidden.requires, visible.index, "the hidden tests are skipped when the visible ones timed out or killed the kernel (the driver's rule)");
    assert.match(hidden.source, /\$checks\.check\(2, "assertClose", double\(-37\)/, "each assertion becomes a numbered check");
    assert.equal(new Set([...visible.checkSecrets!, ...hidden.checkSecrets!]).size, 8, "a secret per check and run");
    assert.deepEqual(plan.exercises[0].checks, [{ name: "double(2)", hidden: false }, { name: "integers stay integers (…)", hidden: false }, { name: "negative inputs are doubled too", hidden: true }]);
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
    assert.match(plan.run[2].source, /"assertClose", double\(2\)/, "the test is the instructor's");
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
  it("splits an exercise's points over its checks; stderr does not matter", () => {
    const plan = planSubmission(instructor(), solved(), options);
    const ok = scoreRun(plan, driverResult(plan, { 2: { stderr: "warning printed by a passing cell" } }), [], info);
    assert.equal(ok.score, 3);
    assert.equal(ok.maxScore, 3);
    assert.deepEqual(ok.exercises[0].tests.map((t) => [t.name, t.part, t.status, t.points]), [
      ["double(2)", "visible", "passed", 1], ["integers stay integers (…)", "visible", "passed", 1], ["negative inputs are doubled too", "hidden", "passed", 1]]);
    const oneWrong = scoreRun(plan, driverResult(plan, { 3: { stdout: record(plan.run[3], { 2: "✗ negative inputs are doubled too: value 0 is 74. Hint: the sign" }) } }), [], info);
    assert.equal(oneWrong.score, 2, "only the failed check's share is lost");
    assert.equal(oneWrong.exercises[0].tests[2].message, "✗ c: check failed. Hint: ✗ negative inputs are doubled too: value 0 is 74. Hint: the sign", "the assertion's message with its hint");
    const stopped = scoreRun(plan, driverResult(plan, { 2: { stdout: record(plan.run[2], { 1: "✗ not an integer" }, "TypeError: x is undefined") } }), [], info);
    assert.equal(stopped.exercises[0].points, 2, "visible: 1 + 0; the hidden check still earns its share");
  });

  it("counts a pass only from its own run's secrets: a forged, replayed or errored record earns nothing", () => {
    const plan = planSubmission(instructor(), solved(), options);
    const forged = `${plan.run[3].token} ${encodeURIComponent(JSON.stringify({ passed: ["tok-1", "tok-2", "tok-3"], failed: {}, stopped: "" }))}\n`;
    assert.equal(scoreRun(plan, driverResult(plan, { 3: { stdout: forged } }), [], info).score, 2);
    const replayed = scoreRun(plan, driverResult(plan, { 3: { stdout: record(plan.run[2]).replace(plan.run[2].token!, plan.run[3].token!) } }), [], info);
    assert.equal(replayed.score, 2, "the visible run's secrets do not pass hidden checks");
    assert.equal(scoreRun(plan, driverResult(plan, { 3: { stdout: "✓ hidden tests\ntok-999999\n" } }), [], info).exercises[0].tests[2].status, "failed");
    assert.equal(scoreRun(plan, driverResult(plan, { 3: { status: "error" } }), [], info).score, 2, "a record from a cell that then failed does not count");
  });

  it("reports timeouts and crashes, and redacts hidden code from what it shows", () => {
    const plan = planSubmission(instructor(), solved(), options);
    const hidden = hiddenLines(instructor());
    const g = scoreRun(plan, {
      ...driverResult(plan, {
        2: { status: "error", stdout: "", stderr: "✗ double(2): value 0 is 5\n    at fail (check.js:20:9)\n  ae.grading.assertClose(double(-37), -74, 'negative inputs are doubled too');" },
        3: { status: "skipped", reason: "the submission's time budget was used up" },
      }),
      restarts: [{ cell: 1, cause: "the kernel process exited with code 0 (process.exit() or similar)", replayed: 1 }],
    }, hidden, info);
    const [visible, , hid] = g.exercises[0].tests;
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

  it("treats a test cell without ae.grading checks as one check: the whole cell must run", () => {
    const nb = instructor();
    nb.cells[3].source = lines("{\n  if (double(2) !== 4) throw new Error('double(2)');\n}");
    const plan = planSubmission(nb, solved(), options);
    assert.deepEqual(plan.exercises[0].checks, [{ name: "all tests", hidden: false, whole: true }]);
    assert.equal(scoreRun(plan, driverResult(plan), [], info).score, 3);
    assert.equal(scoreRun(plan, driverResult(plan, { 2: { stdout: record(plan.run[2], {}, "Error: double(2)") } }), [], info).score, 0);
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
    assert.ok(!JSON.stringify(nb).includes(plan.run[2].token!) && !JSON.stringify(nb).includes(plan.run[2].checkSecrets![0]));
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
      { name: "double(2)", part: "visible", status: "passed", message: "", points: 1.5, maxPoints: 1.5 },
      { name: "negative inputs are doubled too", part: "hidden", status: hiddenPassed ? "passed" : "failed", message: hiddenPassed ? "" : "✗ negative inputs are doubled too: value 0 is 74", points: hiddenPassed ? 1.5 : 0, maxPoints: 1.5 },
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
    assert.deepEqual(items.map((i) => [i.test, i.passed, i.attempts]), [["double_tests: double(2)", 2, 2], ["double_tests: hidden: negative inputs are doubled too", 1, 2]]);
  });

  it("writes Gradescope results with one test per check and its share; hidden checks are shown after the due date", () => {
    const g = gradedFor("bo", 1.5, false);
    const r = gradescopeResults(g) as { score: number; tests: { name: string; output: string; score: number; max_score: number; visibility: string }[] };
    assert.equal(r.score, 1.5);
    assert.deepEqual(r.tests.map((t) => [t.name, t.score, t.max_score]), [["double_tests: double(2)", 1.5, 1.5], ["double_tests: hidden: negative inputs are doubled too", 0, 1.5]]);
    assert.equal(r.tests[1].output, "✗ negative inputs are doubled too: value 0 is 74");
    assert.deepEqual(r.tests.map((t) => t.visibility), ["visible", "after_due_date"], "resubmitting must not reveal the hidden checks");
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

  it("feedback lists every check with its points and message, holds hidden ones back until released; the HTML escapes student text", () => {
    const g = gradedFor("ada", 0, false);
    g.changes = ["Ignored your edit to the test cell 'double_tests'; the original was run."];
    g.exercises[0].tests[0] = { ...g.exercises[0].tests[0], status: "failed", points: 0, message: "✗ got <script>alert(1)</script>" };
    const md = feedbackMarkdown(g);
    assert.match(md, /## double_tests: 0 \/ 3/);
    assert.match(md, /✗ double\(2\) — failed \(0 \/ 1\.5\)/);
    assert.match(md, /✗ hidden check 1 of 1 — failed \(0 \/ 1\.5; what it checks is shown when your instructor releases/);
    assert.doesNotMatch(md, /negative inputs|value 0 is 74/, "held back: neither the hidden check's name nor its message");
    const released = feedbackMarkdown(g, null, { showHidden: true });
    assert.match(released, /✗ hidden: negative inputs are doubled too — failed \(0 \/ 1\.5\)\n\n  ```\n  ✗ negative inputs are doubled too: value 0 is 74/);
    assert.match(md, /## Ignored or restored/);
    const html = feedbackHtml(g);
    assert.ok(html.includes("&lt;script&gt;") && !html.includes("<script>alert"));
  });
});

describe("checks", () => {
  it("numbers a test cell's assertions in source order and names each by its description", () => {
    const src = [
      `ae.grading.assertClose(f([1, 2], "a,b"), g(3), "values, with (commas)", { atol: 1e-3 });`,
      `ae.grading.assertTrue(ok(")"), 'single quotes', "hint");`,
      `// BEGIN HIDDEN TESTS`,
      `ae.grading.assertShape(x, [2, 3], \`rows for k = \${k}\`);`,
      `ae.grading.assertThrows(() => h(0), label);`,
      `// END HIDDEN TESTS`,
    ].join("\n");
    const { source, checks } = instrumentChecks(src, "$c");
    assert.deepEqual(checks, [{ name: "values, with (commas)", hidden: false }, { name: "single quotes", hidden: false },
      { name: "rows for k = …", hidden: true }, { name: "check 4", hidden: true }]);
    assert.match(source, /^\$c\.check\(0, "assertClose", f\(\[1, 2\], "a,b"\)/);
    assert.match(source, /\$c\.check\(3, "assertThrows", \(\) => h\(0\), label\);/);
  });

  it("a recorder keeps going after a failed check, fails a check if any of its calls fails, and reports passes by secret", () => {
    const r = checkRecorder(["s0", "s1", "s2", "end"]);
    r.check(0, "assertTrue", true, "first");
    r.check(1, "assertClose", 1, 2, "second");
    for (const v of [1, 5, 1]) r.check(2, "assertClose", v, 1, "in a loop");
    const text = r.report("tok");
    const rec = JSON.parse(decodeURIComponent(text.slice(4)));
    assert.deepEqual(rec.passed, ["s0", "end"]);
    assert.match(rec.failed[1], /second: value 0 is 1, expected 2/);
    assert.match(rec.failed[2], /in a loop: value 0 is 5/);
    assert.match(text, /^tok [A-Za-z0-9%._~-]+$/, "nothing a kernel's display would quote");
  });

  it("assertThrows wants the answer's own Error: not the stub's, not an undefined name, not a normal return", () => {
    const { assertThrows } = require("../../lib/src/grading/check");
    assert.doesNotThrow(() => assertThrows(() => { throw new RangeError("k must be at least 1"); }, "k = 0"));
    assert.throws(() => assertThrows(() => 1, "k = 0", "check k"), /returned normally\. Hint: check k/);
    assert.throws(() => assertThrows(() => { throw new Error(STUB[1].slice(17, -3)); }, "k = 0"), /not implemented yet/);
    assert.throws(() => assertThrows(() => { throw new ReferenceError("myPrecisionAtK is not defined"); }, "k = 0"), /failed before checking anything/);
  });
});

describe("manual grading and Canvas", () => {
  const notebooks = [{ notebook: "nb", exercises: [{ gradeId: "double_tests", maxPoints: 3 }, { gradeId: "essay", maxPoints: 2 }] }];

  it("a hand-graded cell is an exercise worth 0 until an override gives its points; it is never run", () => {
    const nb = instructor();
    nb.cells.push({ id: "essay", cell_type: "markdown", source: "Why does PCA ...\n\nYOUR ANSWER HERE", metadata: meta({ grade_id: "essay", grade: true, solution: true, points: 2 }) });
    const sub = solved();
    sub.cells.push({ ...nb.cells.at(-1)!, source: "Because the loss is quadratic." });
    const plan = planSubmission(nb, sub, options);
    assert.ok(!plan.run.some((r) => r.source.includes("quadratic")), "a written answer is not run as code");
    assert.equal(cellSource(plan.notebook.cells.at(-1)!), "Because the loss is quadratic.", "the graded notebook keeps it for the instructor");
    const g = scoreRun(plan, driverResult(plan), [], info);
    assert.deepEqual([g.score, g.maxScore], [3, 5]);
    assert.match(feedbackMarkdown(g), /## essay: 0 \/ 2\n\nGraded by hand: not graded yet\./);
    const [adjusted] = applyOverrides([g], parseOverrides("student,grade_id,points,comment\nada,essay,1.5,\"Right idea; say why the minimum is unique.\"\nada,double_tests,2,Copied from a classmate: see the syllabus\n", "o.csv", notebooks));
    assert.equal(adjusted.score, 3.5);
    const md = feedbackMarkdown(adjusted);
    assert.match(md, /## essay: 1\.5 \/ 2\n\nGraded by your instructor: Right idea; say why the minimum is unique\./);
    assert.match(md, /## double_tests: 2 \/ 3\n\nAdjusted by your instructor \(the tests gave 3\): Copied from a classmate/);
    assert.deepEqual(applyOverrides([adjusted], parseOverrides("student,grade_id,points\nada,essay,2\n", "o.csv", notebooks))[0].exercises[0].override?.autograded, 3, "applying again keeps the autograded points");
  });

  it("refuses overrides it cannot apply, saying why", () => {
    assert.throws(() => parseOverrides("student,points\nada,1\n", "o.csv", notebooks), /o\.csv has no 'grade_id' column/);
    assert.throws(() => parseOverrides("student,grade_id,points\nada,essy,1\n", "o.csv", notebooks), /line 2: no graded cell 'essy'; the graded cells are nb\/double_tests, nb\/essay/);
    assert.throws(() => parseOverrides("student,grade_id,points\nada,essay,3\n", "o.csv", notebooks), /points must be a number from 0 to 2 for 'essay', got '3'/);
    const two = [...notebooks, { notebook: "nb2", exercises: [{ gradeId: "essay", maxPoints: 1 }] }];
    assert.throws(() => parseOverrides("student,grade_id,points\nada,essay,1\n", "o.csv", two), /'essay' is in nb and nb2; add a 'notebook' column/);
    assert.equal(parseOverrides("student,notebook,grade_id,points\nada,nb2,essay,1\n", "o.csv", two)[0].notebook, "nb2");
  });

  it("writes Canvas's gradebook import from grades.csv and the roster's Canvas ids", () => {
    const roster = parseRoster("student,name,canvas_id,sis_user_id,section\nada,\"Lovelace, Ada\",101,S1,Mon\ncy,Cy Young,103,S3,Tue\n", "r.csv");
    const grades = "student,name,canvas_id,sis_user_id,section,nb/double_tests,total,max,problems\nada,\"Lovelace, Ada\",101,S1,Mon,3,3,3,\ncy,Cy Young,103,S3,Tue,0,0,3,no submission\n";
    assert.equal(canvasCsv(grades, roster, "Notebook 03 (4521)"), [
      "Student,ID,SIS User ID,SIS Login ID,Section,Notebook 03 (4521)", "Points Possible,,,,,3",
      '"Lovelace, Ada",101,S1,,Mon,3', "Cy Young,103,S3,,Tue,0", ""].join("\n"));
    assert.throws(() => canvasCsv(grades, parseRoster("student\nada\n", "r.csv"), "A"), /no Canvas id for 'ada': add a column 'canvas_id'/);
  });
});
