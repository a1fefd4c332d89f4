// What the instructor exports: the grade table, the item analysis, Gradescope's results.json, and a
// late-submission policy applied to totals.
import { GradedSubmission, roundPoints } from "./score";

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

/** A manual adjustment: the points an exercise (or a manually graded cell) gets, and why. */
export interface Override {
  student: string;
  /** Needed only when two graded notebooks share the grade_id. */
  notebook: string;
  gradeId: string;
  points: number;
  comment: string;
}

/** Parses an overrides CSV (student, grade_id, points, comment; an optional notebook column) against the assignment's exercises. */
export function parseOverrides(text: string, file: string, notebooks: { notebook: string; exercises: { gradeId: string; maxPoints: number }[] }[]): Override[] {
  const records = parseCsv(text).filter((r) => r.some((f) => f.trim()));
  if (!records.length) throw new Error(`${file} is empty: it needs a header 'student,grade_id,points,comment' and one line per adjustment`);
  const columns = records[0].map((c) => c.trim());
  for (const c of ["student", "grade_id", "points"]) if (!columns.includes(c)) throw new Error(`${file} has no '${c}' column (its header is '${columns.join(",")}'); write the header 'student,grade_id,points,comment'`);
  const at = (r: string[], c: string) => (r[columns.indexOf(c)] ?? "").trim();
  return records.slice(1).map((r, k) => {
    const where = `${file} line ${k + 2}`;
    const gradeId = at(r, "grade_id"), named = columns.includes("notebook") ? at(r, "notebook") : "";
    const owners = notebooks.filter((n) => (!named || n.notebook === named) && n.exercises.some((e) => e.gradeId === gradeId));
    if (!owners.length) throw new Error(`${where}: no graded cell '${gradeId}'${named ? ` in ${named}` : ""}; the graded cells are ${notebooks.flatMap((n) => n.exercises.map((e) => `${n.notebook}/${e.gradeId}`)).join(", ")}`);
    if (owners.length > 1) throw new Error(`${where}: '${gradeId}' is in ${owners.map((o) => o.notebook).join(" and ")}; add a 'notebook' column to say which`);
    const max = owners[0].exercises.find((e) => e.gradeId === gradeId)!.maxPoints;
    const points = Number(at(r, "points"));
    if (at(r, "points") === "" || !Number.isFinite(points) || points < 0 || points > max) throw new Error(`${where}: points must be a number from 0 to ${max} for '${gradeId}', got '${at(r, "points")}'`);
    if (!at(r, "student")) throw new Error(`${where}: no student name`);
    return { student: at(r, "student"), notebook: owners[0].notebook, gradeId, points, comment: columns.includes("comment") ? at(r, "comment") : "" };
  });
}

/** The graded results with the overrides applied: the exercise's points replaced, the comment and the autograded points kept. */
export function applyOverrides(graded: GradedSubmission[], overrides: Override[]): GradedSubmission[] {
  return graded.map((g) => {
    const mine = overrides.filter((o) => o.student === g.student && o.notebook === g.notebook);
    if (!mine.length) return g;
    const exercises = g.exercises.map((e) => {
      const o = mine.filter((x) => x.gradeId === e.gradeId).pop();
      return o ? { ...e, points: o.points, override: { points: o.points, comment: o.comment, autograded: e.override?.autograded ?? e.points } } : e;
    });
    return { ...g, exercises, score: roundPoints(exercises.reduce((s, e) => s + e.points, 0)) };
  });
}

/**
 * Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then the assignment's
 * column, with a "Points Possible" row. The ids come from the roster (columns named like Canvas's, or
 * canvas_id, sis_user_id, sis_login_id, section, name); Canvas matches students by them.
 */
export function canvasCsv(gradesCsvText: string, roster: Roster, assignment: string): string {
  const [header, ...rows] = parseCsv(gradesCsvText).filter((r) => r.some((f) => f.trim()));
  const col = (name: string) => header.indexOf(name);
  const score = col("final") >= 0 ? col("final") : col("total");
  const pick = (r: Record<string, string>, names: string[]) => names.map((n) => r[n]).find((v) => v !== undefined && v !== "") ?? "";
  const out = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment], ["Points Possible", "", "", "", "", rows[0]?.[col("max")] ?? ""]];
  for (const row of rows) {
    const student = row[col("student")];
    const r = roster.rows.find((x) => x.student === student);
    if (!r) continue;
    const ids = [pick(r, ["ID", "canvas_id", "id"]), pick(r, ["SIS User ID", "sis_user_id", "sis_id"]), pick(r, ["SIS Login ID", "sis_login_id", "login"])];
    if (ids.every((v) => !v)) throw new Error(`the roster gives no Canvas id for '${student}': add a column 'canvas_id', 'sis_user_id' or 'sis_login_id' (from Canvas's own gradebook export)`);
    out.push([pick(r, ["Student", "name"]) || student, ...ids, pick(r, ["Section", "section"]), row[score]]);
  }
  return out.map((r) => r.map(csvField).join(",")).join("\n") + "\n";
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
    const name = `${e.gradeId}: ${t.part === "hidden" ? "hidden: " : ""}${t.name}`;
    const key = `${g.notebook}\u0000${name}`;
    const s = stats.get(key) ?? { notebook: g.notebook, test: name, attempts: 0, passed: 0, passRate: 0 };
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

/** Gradescope's autograder results format: one test per check with its share of the points; hidden checks are shown after the due date. */
export function gradescopeResults(g: GradedSubmission, policy: LatePolicy | null = null): object {
  const late = applyLatePolicy(g.score, g.student, g.submittedAt, policy);
  const tests = g.exercises.flatMap((e) => e.tests.map((t) => ({
    name: `${e.gradeId}: ${t.part === "hidden" ? "hidden: " : ""}${t.name}`,
    score: round(t.points),
    max_score: round(t.maxPoints),
    status: t.status === "passed" ? "passed" : "failed",
    output: t.status === "passed" ? "passed" : t.message || t.status,
    // Visible at once, resubmitting would turn the hidden checks into an oracle.
    visibility: t.part === "hidden" ? "after_due_date" : "visible",
  })));
  const notes = [...g.changes, ...g.crashes.map((c) => `The kernel died in ${c}.`), ...g.timeouts, ...(g.failure ? [g.failure] : [])];
  if (late.penaltyFraction > 0) notes.push(`Late by ${late.hoursLate.toFixed(1)} h: ${(100 * late.penaltyFraction).toFixed(0)} % penalty.`);
  return { score: round(late.finalScore), execution_time: Math.round(g.seconds), output: notes.join("\n"), tests };
}
