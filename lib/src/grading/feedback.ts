// The report a student reads: points per exercise, each check passed or failed with its points and
// message (the hint is part of the message), timeouts, crashes, and what was ignored or restored in
// the submission. Hidden checks show only their number and outcome until the instructor releases
// them (`showHidden`); the hidden tests' code is never shown.
import { ExerciseScore, GradedSubmission, TestOutcome, roundPoints } from "./score";
import { LatePolicy, applyLatePolicy } from "./report";

const mark = (t: TestOutcome) => (t.status === "passed" ? "✓" : t.status === "failed" ? "✗" : "⚠");
/** Points as people write them: 2, 1.5, 0.67. */
export const pts = (x: number) => String(roundPoints(x));

/** What the instructor did by hand: a manually graded cell, or an adjusted score, with the comment. */
function adjustment(e: ExerciseScore): string {
  if (e.override) return `${e.manual ? "Graded by your instructor" : `Adjusted by your instructor (the tests gave ${pts(e.override.autograded)})`}${e.override.comment ? `: ${e.override.comment}` : "."}`;
  return e.manual ? "Graded by hand: not graded yet." : "";
}

export interface FeedbackOptions {
  /** Show hidden checks' names and messages (after the due date, say); otherwise only their outcome. */
  showHidden?: boolean;
}

/** Each check as the student may see it: its line, and its message when there is one to show. */
function checkLines(tests: TestOutcome[], showHidden: boolean): { line: string; passed: boolean; message: string }[] {
  const hiddenCount = tests.filter((t) => t.part === "hidden").length;
  let k = 0;
  return tests.map((t) => {
    const points = `${pts(t.points)} / ${pts(t.maxPoints)}`;
    if (t.part === "hidden" && !showHidden) {
      k++;
      return { line: `${mark(t)} hidden check ${k} of ${hiddenCount} — ${t.status} (${points}; what it checks is shown when your instructor releases the hidden tests' feedback)`, passed: t.status === "passed", message: "" };
    }
    return { line: `${mark(t)} ${t.part === "hidden" ? "hidden: " : ""}${t.name} — ${t.status} (${points})`, passed: t.status === "passed", message: t.status === "passed" ? "" : t.message };
  });
}

export function feedbackMarkdown(g: GradedSubmission, policy: LatePolicy | null = null, options: FeedbackOptions = {}): string {
  const late = applyLatePolicy(g.score, g.student, g.submittedAt, policy);
  const lines = [`# ${g.notebook} — feedback for ${g.student}`, "", `**Score: ${pts(g.score)} / ${g.maxScore}**`];
  if (late.penaltyFraction > 0) lines.push("", `Submitted ${late.hoursLate.toFixed(1)} hours late: ${(100 * late.penaltyFraction).toFixed(0)} % penalty, final score ${late.finalScore.toFixed(2)} / ${g.maxScore}.`);
  if (g.failure) lines.push("", `**The submission could not be graded fully:** ${g.failure}`);
  for (const e of g.exercises) {
    lines.push("", `## ${e.gradeId}: ${pts(e.points)} / ${e.maxPoints}`, "");
    const note = adjustment(e);
    if (note) lines.push(note, "");
    for (const c of checkLines(e.tests, !!options.showHidden)) {
      lines.push(`- ${c.line}`);
      if (c.message) lines.push("", "  ```", ...c.message.split("\n").map((l) => `  ${l}`), "  ```", "");
    }
  }
  if (g.timeouts.length) lines.push("", "## Time limits", "", ...g.timeouts.map((t) => `- ${t}`));
  if (g.crashes.length) lines.push("", "## Kernel crashes (the kernel was restarted and grading went on)", "", ...g.crashes.map((c) => `- ${c}`));
  if (g.changes.length) lines.push("", "## Ignored or restored", "", "Only answer cells are graded; everything else is run as the instructor wrote it.", "", ...g.changes.map((c) => `- ${c}`));
  return lines.join("\n") + "\n";
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function feedbackHtml(g: GradedSubmission, policy: LatePolicy | null = null, options: FeedbackOptions = {}): string {
  const late = applyLatePolicy(g.score, g.student, g.submittedAt, policy);
  const parts: string[] = [];
  parts.push(`<h1>${esc(g.notebook)}</h1><p class="who">Feedback for ${esc(g.student)}</p>`);
  parts.push(`<p class="score">Score: <b>${pts(g.score)} / ${g.maxScore}</b></p>`);
  if (late.penaltyFraction > 0) parts.push(`<p class="late">Submitted ${late.hoursLate.toFixed(1)} hours late: ${(100 * late.penaltyFraction).toFixed(0)} % penalty, final score ${late.finalScore.toFixed(2)} / ${g.maxScore}.</p>`);
  if (g.failure) parts.push(`<p class="bad">The submission could not be graded fully: ${esc(g.failure)}</p>`);
  for (const e of g.exercises) {
    parts.push(`<section><h2>${esc(e.gradeId)} <span class="${e.points === e.maxPoints ? "good" : "bad"}">${pts(e.points)} / ${e.maxPoints}</span></h2>`);
    const note = adjustment(e);
    if (note) parts.push(`<p class="note">${esc(note)}</p>`);
    parts.push("<ul>");
    for (const c of checkLines(e.tests, !!options.showHidden)) {
      parts.push(`<li class="${c.passed ? "good" : "bad"}">${esc(c.line)}${c.message ? `<pre>${esc(c.message)}</pre>` : ""}</li>`);
    }
    parts.push("</ul></section>");
  }
  const list = (title: string, items: string[], note = "") => (items.length ? `<section><h2>${title}</h2>${note}<ul>${items.map((i) => `<li>${esc(i)}</li>`).join("")}</ul></section>` : "");
  parts.push(list("Time limits", g.timeouts));
  parts.push(list("Kernel crashes", g.crashes, "<p>The kernel was restarted and grading went on after the failing cell.</p>"));
  parts.push(list("Ignored or restored", g.changes, "<p>Only answer cells are graded; everything else is run as the instructor wrote it.</p>"));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(g.notebook)} — ${esc(g.student)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{font-size:1.15rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}.good{color:#1a7f37}.bad{color:#b42318}
pre{background:#f6f8fa;color:#222;padding:.6rem;white-space:pre-wrap;border-radius:4px}.score{font-size:1.3rem}li{margin:.3rem 0}</style>
</head><body>${parts.join("\n")}</body></html>\n`;
}
