// What the instructor exports: the grade table, the item analysis, Gradescope's results.json, and a
// late-submission policy applied to totals.
import { GradedSubmission } from "./score";

export interface LatePolicy {
  /** ISO date-time the work is due. */
  due: string;
  /** Extra hours per student. */
  extensionHours?: Record<string, number>;
  /** Fraction of the total lost per started period late (0.1 = 10 %). */
  penaltyPerPeriod: number;
  periodHours: number;
  /** Largest fraction that can be lost (1 = everything). */
  maxPenalty: number;
}

/** Parses "10%/day", "2%/hour", "10%/day,max=50%" or "zero" (no credit once late). */
export function parsePenalty(rule: string): Pick<LatePolicy, "penaltyPerPeriod" | "periodHours" | "maxPenalty"> {
  const r = rule.trim().toLowerCase();
  if (r === "zero") return { penaltyPerPeriod: 1, periodHours: 1e-9, maxPenalty: 1 };
  const m = /^(\d+(?:\.\d+)?)%\/(day|hour)(?:\s*,\s*max\s*=\s*(\d+(?:\.\d+)?)%)?$/.exec(r);
  if (!m) throw new Error(`late penalty '${rule}' is not understood; write it like "10%/day", "2%/hour", "10%/day,max=50%" or "zero"`);
  return { penaltyPerPeriod: Number(m[1]) / 100, periodHours: m[2] === "day" ? 24 : 1, maxPenalty: m[3] ? Number(m[3]) / 100 : 1 };
}

export interface LateOutcome {
  hoursLate: number;
  penaltyFraction: number;
  finalScore: number;
}

export function applyLatePolicy(score: number, student: string, submittedAt: string | null, policy: LatePolicy | null): LateOutcome {
  if (!policy || !submittedAt) return { hoursLate: 0, penaltyFraction: 0, finalScore: score };
  const due = Date.parse(policy.due) + 3600e3 * (policy.extensionHours?.[student] ?? 0);
  const at = Date.parse(submittedAt);
  if (!Number.isFinite(due) || !Number.isFinite(at)) throw new Error(`cannot read the due date '${policy.due}' or the submission time '${submittedAt}' of ${student}`);
  const hoursLate = Math.max(0, (at - due) / 3600e3);
  const periods = Math.ceil(hoursLate / policy.periodHours - 1e-12);
  const penaltyFraction = Math.min(policy.maxPenalty, Math.max(0, periods) * policy.penaltyPerPeriod);
  return { hoursLate, penaltyFraction, finalScore: Math.max(0, score * (1 - penaltyFraction)) };
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
const round = (x: number) => Math.round(x * 1000) / 1000;

/** One row per student, one column per graded cell (notebook/grade_id), the total and the maximum. */
/** A class list: its `student` column names the submission folders; other columns (ids, emails) are carried into grades.csv. */
export interface Roster {
  columns: string[];
  rows: Record<string, string>[];
}

export function gradesCsv(graded: GradedSubmission[], allNotebooks: { notebook: string; exercises: { gradeId: string; maxPoints: number }[] }[], policy: LatePolicy | null = null, roster: Roster | null = null): string {
  const columns = allNotebooks.flatMap((n) => n.exercises.map((e) => ({ key: `${n.notebook}/${e.gradeId}`, max: e.maxPoints })));
  const max = columns.reduce((s, c) => s + c.max, 0);
  const submitted = [...new Set(graded.map((g) => g.student))].sort();
  const listed = roster ? roster.rows.map((r) => r.student) : [];
  const students = roster ? [...listed, ...submitted.filter((s) => !listed.includes(s))] : submitted;
  const idColumns = roster ? roster.columns.filter((c) => c !== "student") : [];
  const header = ["student", ...idColumns, ...columns.map((c) => c.key), "total", "max", ...(policy ? ["submitted_at", "hours_late", "late_penalty", "final"] : []), "problems"];
  const rows = students.map((student) => {
    const mine = graded.filter((g) => g.student === student);
    const points = new Map<string, number>(mine.flatMap((g) => g.exercises.map((e): [string, number] => [`${g.notebook}/${e.gradeId}`, e.points])));
    const total = mine.reduce((s, g) => s + g.score, 0);
    const missing = allNotebooks.filter((n) => !mine.some((g) => g.notebook === n.notebook)).map((n) => `${n.notebook}: no submission`);
    const problems = [
      ...(roster && !listed.includes(student) ? ["not on the roster"] : []),
      ...(mine.length ? missing : ["no submission"]),
      ...mine.flatMap((g) => [...(g.failure ? [`${g.notebook}: ${g.failure}`] : []), ...g.crashes.map((c) => `${g.notebook}: crash in ${c}`), ...g.timeouts.map((t) => `${g.notebook}: ${t}`)]),
    ];
    const latest = mine.map((g) => g.submittedAt).filter((t): t is string => !!t).sort().pop() ?? null;
    const late = applyLatePolicy(total, student, latest, policy);
    const ids = roster ? idColumns.map((c) => roster.rows.find((r) => r.student === student)?.[c] ?? "") : [];
    return [student, ...ids, ...columns.map((c) => points.get(c.key) ?? 0), round(total), max,
      ...(policy ? [latest ?? "", round(late.hoursLate), `${round(100 * late.penaltyFraction)}%`, round(late.finalScore)] : []), problems.join("; ")];
  });
  return [header, ...rows].map((r) => r.map(csvField).join(",")).join("\n") + "\n";
}

/** Parses a roster CSV (a header with a `student` column; quoted fields allowed); says what is wrong. */
export function parseRoster(text: string, file = "the roster"): Roster {
  const records = parseCsv(text).filter((r) => r.some((f) => f.trim()));
  if (!records.length) throw new Error(`${file} is empty: it needs a header line with a 'student' column, then one line per student`);
  const columns = records[0].map((c) => c.trim());
  if (!columns.includes("student")) throw new Error(`${file} has no 'student' column (its header is '${columns.join(",")}'); name the column that holds the submission folder names 'student'`);
  const rows = records.slice(1).map((r, k) => {
    if (r.length > columns.length) throw new Error(`${file} line ${k + 2}: ${r.length} fields for ${columns.length} columns`);
    return Object.fromEntries(columns.map((c, i) => [c, (r[i] ?? "").trim()]));
  });
  const seen = new Set<string>();
  rows.forEach((r, k) => {
    if (!r.student) throw new Error(`${file} line ${k + 2}: no student name`);
    if (seen.has(r.student)) throw new Error(`${file}: '${r.student}' is listed twice`);
    seen.add(r.student);
  });
  return { columns, rows };
}

function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { record.push(field); field = ""; } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += ch;
  }
  if (field || record.length) { record.push(field); records.push(record); }
  return records;
}

export interface ItemStat { notebook: string; test: string; attempts: number; passed: number; passRate: number }

/** The pass rate of every test across the class. */
export function itemAnalysis(graded: GradedSubmission[]): ItemStat[] {
  const stats = new Map<string, ItemStat>();
  for (const g of graded) for (const e of g.exercises) for (const t of e.tests) {
    const key = `${g.notebook}\u0000${t.name}`;
    const s = stats.get(key) ?? { notebook: g.notebook, test: t.name, attempts: 0, passed: 0, passRate: 0 };
    s.attempts++;
    if (t.status === "passed") s.passed++;
    s.passRate = s.passed / s.attempts;
    stats.set(key, s);
  }
  return [...stats.values()];
}

export function itemAnalysisCsv(items: ItemStat[]): string {
  return ["notebook,test,attempts,passed,pass_rate", ...items.map((i) => [i.notebook, i.test, i.attempts, i.passed, round(i.passRate)].map(csvField).join(","))].join("\n") + "\n";
}

export function itemAnalysisMarkdown(items: ItemStat[]): string {
  const lines = ["# Item analysis", "", "| notebook | test | passed | pass rate |", "|---|---|---|---|"];
  for (const i of items) lines.push(`| ${i.notebook} | ${i.test} | ${i.passed} / ${i.attempts} | ${(100 * i.passRate).toFixed(0)} % |`);
  return lines.join("\n") + "\n";
}

/** Gradescope's autograder results format; hidden tests are listed by name and outcome only, after the due date. */
export function gradescopeResults(g: GradedSubmission, policy: LatePolicy | null = null): object {
  const late = applyLatePolicy(g.score, g.student, g.submittedAt, policy);
  const tests = g.exercises.flatMap((e) => e.tests.map((t) => {
    const single = e.tests.length === 1 || t.part === "hidden";
    return {
      name: t.name,
      score: t.status === "passed" && single ? e.points : 0,
      max_score: single ? e.maxPoints : 0,
      status: t.status === "passed" ? "passed" : "failed",
      output: t.part === "hidden" ? (t.status === "passed" ? "passed" : t.status === "failed" ? "failed" : t.message) : t.message || t.status,
      // Hidden checks are shown after the due date: visible at once, resubmitting would turn them into an oracle.
      visibility: t.part === "hidden" ? "after_due_date" : "visible",
    };
  }));
  const notes = [...g.changes, ...g.crashes.map((c) => `The kernel died in ${c}.`), ...g.timeouts, ...(g.failure ? [g.failure] : [])];
  if (late.penaltyFraction > 0) notes.push(`Late by ${late.hoursLate.toFixed(1)} h: ${(100 * late.penaltyFraction).toFixed(0)} % penalty.`);
  return { score: round(late.finalScore), execution_time: Math.round(g.seconds), output: notes.join("\n"), tests };
}
