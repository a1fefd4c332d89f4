// The report a student reads: points per exercise, the visible tests' messages, hidden tests by name
// and outcome only, timeouts, crashes, and what was ignored or restored in the submission.
import { GradedSubmission, TestOutcome } from "./score";
import { LatePolicy, applyLatePolicy } from "./report";

const mark = (t: TestOutcome) => (t.status === "passed" ? "✓" : t.status === "failed" ? "✗" : "⚠");

export function feedbackMarkdown(g: GradedSubmission, policy: LatePolicy | null = null): string {
  const late = applyLatePolicy(g.score, g.student, g.submittedAt, policy);
  const lines = [`# ${g.notebook} — feedback for ${g.student}`, "", `**Score: ${g.score} / ${g.maxScore}**`];
  if (late.penaltyFraction > 0) lines.push("", `Submitted ${late.hoursLate.toFixed(1)} hours late: ${(100 * late.penaltyFraction).toFixed(0)} % penalty, final score ${late.finalScore.toFixed(2)} / ${g.maxScore}.`);
  if (g.failure) lines.push("", `**The submission could not be graded fully:** ${g.failure}`);
  for (const e of g.exercises) {
    lines.push("", `## ${e.gradeId}: ${e.points} / ${e.maxPoints}`, "");
    for (const t of e.tests) {
      lines.push(`- ${mark(t)} ${t.name} — ${t.status}${t.part === "hidden" && t.status === "failed" ? " (hidden tests show only their outcome)" : ""}`);
      if (t.message) lines.push("", "  ```", ...t.message.split("\n").map((l) => `  ${l}`), "  ```", "");
    }
  }
  if (g.timeouts.length) lines.push("", "## Time limits", "", ...g.timeouts.map((t) => `- ${t}`));
  if (g.crashes.length) lines.push("", "## Kernel crashes (the kernel was restarted and grading went on)", "", ...g.crashes.map((c) => `- ${c}`));
  if (g.changes.length) lines.push("", "## Ignored or restored", "", "Only answer cells are graded; everything else is run as the instructor wrote it.", "", ...g.changes.map((c) => `- ${c}`));
  return lines.join("\n") + "\n";
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function feedbackHtml(g: GradedSubmission, policy: LatePolicy | null = null): string {
  const late = applyLatePolicy(g.score, g.student, g.submittedAt, policy);
  const parts: string[] = [];
  parts.push(`<h1>${esc(g.notebook)}</h1><p class="who">Feedback for ${esc(g.student)}</p>`);
  parts.push(`<p class="score">Score: <b>${g.score} / ${g.maxScore}</b></p>`);
  if (late.penaltyFraction > 0) parts.push(`<p class="late">Submitted ${late.hoursLate.toFixed(1)} hours late: ${(100 * late.penaltyFraction).toFixed(0)} % penalty, final score ${late.finalScore.toFixed(2)} / ${g.maxScore}.</p>`);
  if (g.failure) parts.push(`<p class="bad">The submission could not be graded fully: ${esc(g.failure)}</p>`);
  for (const e of g.exercises) {
    parts.push(`<section><h2>${esc(e.gradeId)} <span class="${e.points === e.maxPoints ? "good" : "bad"}">${e.points} / ${e.maxPoints}</span></h2><ul>`);
    for (const t of e.tests) {
      parts.push(`<li class="${t.status === "passed" ? "good" : "bad"}">${mark(t)} ${esc(t.name)} — ${t.status}${t.message ? `<pre>${esc(t.message)}</pre>` : ""}</li>`);
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
