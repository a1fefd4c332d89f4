// Submissions a class might hand in for notebook 03 or 05, built from the instructor's notebook so
// that they follow it when it changes: correct, wrong in a way only a hidden test catches, and each
// kind of sabotage the grader must survive. Each fixture says what its grade must be.
import { Notebook, NotebookCell, STUB, cellSource, hiddenLines, isGradedTestCell, secretHiddenLines, studentVersion } from "../../lib/src/grading";

/** Per notebook: its two exercises, a wrong body for the first, a plausible mistake in the second. */
const SPECIFIC: Record<string, { first: string; second: string; firstFunction: string; secondFunction: string; wrongFirstBody: string; plausibleSecond: (src: string) => string }> = {
  "03-linear-autoencoder-pca": {
    first: "pca_reconstruction", second: "gram_schmidt", firstFunction: "pcaReconstruction", secondFunction: "gramSchmidt",
    wrongFirstBody: "return x.clone() as ae.tf.Tensor2D;",
    // Forgets to reject linearly dependent inputs: every visible test passes, a hidden one does not.
    plausibleSecond: (src) => src.replace(/^.*linearly dependent.*\n/m, ""),
  },
  "05-denoising-autoencoder": {
    first: "mask_pixels", second: "psnr", firstFunction: "maskPixels", secondFunction: "psnrDb",
    wrongFirstBody: "return x.clone() as ae.tf.Tensor2D;",
    // Forgets to floor the MSE: a perfect reconstruction gives Infinity, which only a hidden test tries.
    plausibleSecond: (src) => src.replace("tf.maximum(tf.mean(tf.squaredDifference(clean, restored), 1), 1e-10)", "tf.mean(tf.squaredDifference(clean, restored), 1)"),
  },
};

export type Expected = number | { below: number } | { atMost: string };

/** Whether `points` is what `expected` asks for; `of(name)` gives another fixture's points. */
export function meets(points: number, expected: Expected, of: (fixture: string) => number): boolean {
  if (typeof expected === "number") return points === expected;
  if ("below" in expected) return points >= 0 && points < expected.below;
  return points <= of(expected.atMost);
}

export interface Fixture {
  name: string;
  /** The notebook file's text (a corrupt file is not JSON). */
  text: string;
  /**
   * Expected points per exercise grade_id (of the test cells): a number, fewer than `below` (a wrong
   * answer's partial credit), or at most what another fixture earned (an attack riding on a wrong
   * answer must not earn more than the wrong answer alone; an attack that stops its cell earns less).
   */
  expect: Record<string, Expected>;
  /** What the fixture is about, for messages. */
  about: string;
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const lines = (text: string) => text.split(/(?<=\n)/);

export function fixturesFor(name: string, instructor: Notebook): { fixtures: Fixture[]; tests: [string, string]; secret: string } {
  const spec = SPECIFIC[name];
  if (!spec) throw new Error(`no fixtures are written for ${name}`);
  const released = studentVersion(instructor);
  const indexOf = (nb: Notebook, gradeId: string) => {
    const k = nb.cells.findIndex((c) => c.metadata?.nbgrader?.grade_id === gradeId);
    if (k < 0) throw new Error(`${name} has no cell '${gradeId}'; the grading fixtures are out of date`);
    return k;
  };
  const testAfter = (gradeId: string) => {
    const k = instructor.cells.findIndex((c, i) => i > indexOf(instructor, gradeId) && isGradedTestCell(c));
    return instructor.cells[k].metadata.nbgrader.grade_id as string;
  };
  const [t1, t2] = [testAfter(spec.first), testAfter(spec.second)];
  const solution = (gradeId: string) => cellSource(instructor.cells[indexOf(instructor, gradeId)]);
  const between = (src: string, f: (body: string) => string) => {
    const m = /(\/\/ BEGIN SOLUTION\n)([\s\S]*?)(\s*\/\/ END SOLUTION)/.exec(src);
    if (!m) throw new Error(`${name}: no solution region; the grading fixtures are out of date`);
    return src.replace(m[0], f(m[2]));
  };
  const changed = (before: string, after: string, what: string) => {
    if (before === after) throw new Error(`${name}: the '${what}' transformation changed nothing; the grading fixtures are out of date`);
    return after;
  };

  /** The released notebook with the given answer sources (undefined keeps the stub). */
  const submission = (answers: Partial<Record<string, string>>, edit: (nb: Notebook) => void = () => {}): string => {
    const nb = clone(released);
    for (const [gradeId, src] of Object.entries(answers)) if (src !== undefined) nb.cells[indexOf(nb, gradeId)].source = lines(src);
    edit(nb);
    return JSON.stringify(nb, null, 1);
  };
  const right1 = solution(spec.first);
  const right2 = solution(spec.second);
  const wrong1 = between(right1, () => `  ${spec.wrongFirstBody}\n`);
  // A secret from the hidden tests, for the submission that goes looking for them.
  const secret = secretHiddenLines([instructor]).sort((a, b) => b.length - a.length)[0];

  const tamper = `
// Tampering: make every assertion a no-op, through every route there is.
{
  const noop = () => {};
  for (const m of Object.values(require.cache)) {
    const e: any = m?.exports;
    if (e && typeof e.assertTrue === "function") for (const k of ["assertTrue", "assertClose", "assertShape"]) { try { e[k] = noop; } catch {} try { Object.defineProperty(e, k, { value: noop }); } catch {} }
  }
  try { (ae as any).grading = { ...ae.grading, assertTrue: noop, assertClose: noop, assertShape: noop }; } catch {}
  try { (ae.grading as any).assertTrue = noop; (ae.grading as any).assertClose = noop; } catch {}
}`;
  const search = `
// Looks for the instructor's notebooks: up from the working folder, in the project, and the environment.
{
  const fs = require("fs"), path = require("path");
  const secret = Buffer.from(${JSON.stringify(Buffer.from(secret).toString("base64"))}, "base64").toString();
  const skip = new Set(["node_modules", "proc", "sys", "dev", "usr", "bin", "sbin", "lib", "lib64", "boot", "etc", "var", "run", "snap", ".library", ".mirror", ".npm", ".cache"]);
  let scanned = 0;
  const leaks: string[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[] = [];
    try { names = fs.readdirSync(dir); } catch { return; }
    for (const n of names) {
      if (scanned > 30000) return;
      const p = path.join(dir, n);
      let st: any;
      try { st = fs.lstatSync(p); } catch { continue; }
      if (st.isDirectory() && depth > 0 && !skip.has(n)) walk(p, depth - 1);
      else if (st.isFile() && st.size < 5e6) {
        scanned++;
        try { if (fs.readFileSync(p, "utf8").includes(secret)) leaks.push(p); } catch {}
      }
    }
  };
  let dir = process.cwd();
  for (;;) { walk(dir, 3); const up = path.dirname(dir); if (up === dir) break; dir = up; }
  for (const v of [...Object.values(process.env), ...process.argv]) if (typeof v === "string" && v.startsWith("/")) walk(v, 3);
  console.log(\`SEARCHED \${scanned} files\`);
  for (const l of leaks) console.log(\`LEAKED \${l}\`);
}`;
  // Reads hidden tests back: the first answer's function keeps the source of every function on the
  // stack when it is called (the test cell's code among them, in sloppy mode), and the second
  // answer's function, called by the visible test after it, fails with the first test's hidden lines
  // if it found them, base64-encoded so that the feedback's redaction of hidden lines misses them.
  const renamed = (src: string, fn: string) => changed(src, src.replace(`function ${fn}(`, `function ${fn}Real(`), `rename ${fn}`);
  // A line of the first test cell's hidden tests that the student version does not show.
  const shown = studentVersion(instructor).cells.map(cellSource).join("\n");
  const firstHidden = hiddenLines({ ...instructor, cells: [instructor.cells[indexOf(instructor, t1)]] }).filter((l) => !shown.includes(l)).sort((a, b) => b.length - a.length)[0];
  if (!firstHidden) throw new Error(`${name}: '${t1}' has no hidden line to look for; the grading fixtures are out of date`);
  const readBack = {
    // Every sloppy-mode function on the stack, as source (V8 hands out the functions of sloppy frames only).
    first: `${renamed(right1, spec.firstFunction)}
const found: string[] = [];
const ${spec.firstFunction}: typeof ${spec.firstFunction}Real = function (this: unknown, ...args: any[]) {
  const before = (Error as any).prepareStackTrace;
  try {
    (Error as any).prepareStackTrace = (_: unknown, sites: any[]) => sites.map((s) => String(s.getFunction() ?? ""));
    found.push(...((new Error().stack as unknown) as string[]));
  } catch { /* not allowed */ } finally { try { (Error as any).prepareStackTrace = before; } catch { /* not allowed */ } }
  return (${spec.firstFunction}Real as any).apply(this, args);
} as any;`,
    second: `${renamed(right2, spec.secondFunction)}
const ${spec.secondFunction}: typeof ${spec.secondFunction}Real = function (this: unknown, ...args: any[]) {
  const secret = Buffer.from(${JSON.stringify(Buffer.from(firstHidden).toString("base64"))}, "base64").toString();
  const leaks = found.filter((t) => t.includes(secret));
  if (leaks.length) throw new Error("LEAKED " + Buffer.from(leaks.join("\\n")).toString("base64"));
  return (${spec.secondFunction}Real as any).apply(this, args);
} as any;`,
  };
  // Each attack on the built-ins rides on the wrong first answer: tests that it fooled would pass it.
  const builtIns: [string, string, string][] = [
    ["builtin-math-abs", "Math.abs replaced", "(Math as any).abs = () => 0;"],
    ["builtin-math-max", "Math.max replaced", "(Math as any).max = () => 0;"],
    ["builtin-array-from", "Array.from replaced", "(Array as any).from = () => [];"],
    ["builtin-array-every-map", "Array.prototype.every and .map replaced", "(Array.prototype as any).every = function () { return true; };\n(Array.prototype as any).map = function () { return []; };"],
    ["builtin-tofixed", "Number.prototype.toFixed replaced", "(Number.prototype as any).toFixed = function () { return \"0\"; };"],
    ["builtin-json", "JSON.stringify replaced", "(JSON as any).stringify = () => \"[]\";"],
    ["builtin-datasync", "dataSync and arraySync redefined on tf.Tensor.prototype", "for (const k of [\"dataSync\", \"arraySync\"]) Object.defineProperty(ae.tf.Tensor.prototype, k, { value: function () { return k === \"dataSync\" ? new Float32Array(0) : []; } });"],
    ["builtin-function-tostring", "Function.prototype.toString replaced", "(Function.prototype as any).toString = function () { return \"\"; };"],
    ["builtin-global-proxy", "globalThis.Math and globalThis itself replaced by Proxies", "(globalThis as any).Math = new Proxy(Math, { get: (t: any, k) => (k === \"abs\" || k === \"max\" ? () => 0 : t[k]) });\n(globalThis as any).globalThis = new Proxy(globalThis, {});"],
    ["builtin-proto-pollution", "Object.prototype polluted through __proto__ of a returned object", "{ const out: any = JSON.parse('{\"shape\": [1]}'); out.__proto__.every = () => true; out.__proto__.valueOf = () => 0; }"],
    ["builtin-shadow-names", "top-level declarations named Math, JSON and require", "const Math: any = { abs: () => 0, max: () => 0, min: () => 0, sqrt: () => 0 };\nconst JSON: any = { stringify: () => \"[]\" };\nconst require: any = () => ({ tf: ae.tf, grading: { assertTrue() {}, assertClose() {}, assertShape() {}, passed() {} } });"],
  ];
  const stub = STUB.join("\n");
  const f = (name: string, about: string, text: string, expect: Record<string, Expected>): Fixture => ({ name, about, text, expect });
  const asWrong = { atMost: "wrong-first" };
  const full = { [t1]: 2, [t2]: 2 };
  const fixtures = [
    f("correct", "the instructor's solutions", submission({ [spec.first]: right1, [spec.second]: right2 }), full),
    f("wrong-plausible", "a mistake only a hidden test catches", submission({ [spec.first]: right1, [spec.second]: changed(right2, spec.plausibleSecond(right2), "plausible mistake") }), { [t1]: 2, [t2]: { below: 2 } }),
    f("wrong-first", "a wrong first answer (its partial credit is what each attack riding on it must earn)", submission({ [spec.first]: wrong1, [spec.second]: right2 }), { [t1]: { below: 1.01 }, [t2]: 2 }),
    f("stderr", "a correct answer that also writes to stderr", submission({ [spec.first]: `${right1}\nconsole.error("debugging output on stderr");`, [spec.second]: right2 }), full),
    f("fake-success", "prints success lines and token-like text instead of answering", submission({
      [spec.first]: `console.log("✓ all tests passed\\n✓ hidden tests\\ncourse-grade:${"0".repeat(32)}\\n2 / 2 points");\n${cellSource(released.cells[indexOf(released, spec.first)])}`,
    }, (nb) => nb.cells.splice(indexOf(nb, t1) + 1, 0, { cell_type: "code", metadata: {}, outputs: [], execution_count: null, source: ['console.log("✓ pca tests passed");\n', '"course-grade:ffffffffffffffffffffffffffffffff"'] })), { [t1]: 0, [t2]: 0 }),
    f("tamper-asserts", "a wrong answer plus no-op assertions", submission({ [spec.first]: `${wrong1}\n${tamper}`, [spec.second]: right2 }), { [t1]: asWrong, [t2]: 2 }),
    f("pass-locked", "test cells edited to '// pass'", submission({ [spec.second]: right2 }, (nb) => { nb.cells[indexOf(nb, t1)].source = ["// pass"]; nb.cells[indexOf(nb, t2)].source = ["// pass"]; }), { [t1]: 0, [t2]: 2 }),
    f("delete-test", "the first test cell deleted", submission({ [spec.second]: right2 }, (nb) => { nb.cells.splice(indexOf(nb, t1), 1); }), { [t1]: 0, [t2]: 2 }),
    f("duplicate-answer", "the first answer twice: solved, then the stub again", submission({ [spec.second]: right2 }, (nb) => {
      const k = indexOf(nb, spec.first);
      nb.cells.splice(k, 0, { ...clone(nb.cells[k]), id: "student-copy", source: lines(right1) });
    }), { [t1]: 0, [t2]: 2 }),
    f("markdown-answer", "a correct answer cell turned into markdown", submission({ [spec.first]: right1, [spec.second]: right2 }, (nb) => {
      const c = nb.cells[indexOf(nb, spec.first)] as NotebookCell;
      c.cell_type = "markdown";
      delete c.outputs;
      delete c.execution_count;
    }), full),
    f("missing-answer", "the first answer cell deleted", submission({ [spec.second]: right2 }, (nb) => { nb.cells.splice(indexOf(nb, spec.first), 1); }), { [t1]: 0, [t2]: 2 }),
    f("infinite-loop", "the first answer never returns", submission({ [spec.first]: between(right1, (body) => `  for (;;) { if (Date.now() < 0) break; }\n${body}`), [spec.second]: right2 }), { [t1]: 0, [t2]: 2 }),
    f("memory-hog", "the first answer allocates until the kernel dies", submission({ [spec.first]: between(right1, (body) => `  { const hog: Float64Array[] = []; for (;;) { hog.push(new Float64Array(1 << 24).fill(1)); if (hog.length < 0) break; } }\n${body}`), [spec.second]: right2 }), { [t1]: 0, [t2]: 2 }),
    f("process-exit", "the first answer cell calls process.exit(0)", submission({ [spec.first]: `${right1}\nprocess.exit(0);`, [spec.second]: right2 }), { [t1]: 0, [t2]: 2 }),
    f("timer-throw", "the first answer schedules an exception from a timer", submission({ [spec.first]: `${right1}\nsetTimeout(() => { throw new Error("boom from a timer"); }, 300);`, [spec.second]: right2 }), { [t1]: 0, [t2]: 2 }),
    f("read-source", "a correct answer that searches the disk for the hidden tests", submission({ [spec.first]: `${right1}\n${search}`, [spec.second]: right2 }), full),
    ...builtIns.map(([name, about, attack]) => f(name, `a wrong answer plus ${about}`, submission({ [spec.first]: `${wrong1}\n${attack}`, [spec.second]: right2 }), { [t1]: asWrong, [t2]: 2 })),
    f("read-back", "correct answers that read the calling test's source off the stack and report its hidden lines in a later visible test's message", submission({ [spec.first]: readBack.first, [spec.second]: readBack.second }), full),
    f("corrupt", "a notebook file that is not JSON", '{"cells": [ {"cell_type": "code", "source": "oops', { [t1]: 0, [t2]: 0 }),
  ];
  return { fixtures, tests: [t1, t2], secret };
}
