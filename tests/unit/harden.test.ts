// The grading kernel's hardening (lib/src/grading/harden.ts) and the assertions' captured built-ins.
// Hardening changes a process for good, so each case runs in a child Node.js process: the child
// hardens itself, then runs "cells" the way tslab does (`(function(exports, require) { … })` through
// vm.runInThisContext) and prints what happened as JSON.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..", "..");

/** Runs `body` (TypeScript, with `cell(js)` and `report(x)` in scope) in a fresh child process. */
function inChild(body: string, { harden = true } = {}): any {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harden-test-"));
  const file = path.join(dir, "child.ts");
  fs.writeFileSync(file, `
import * as vm from "vm";
import * as ae from ${JSON.stringify(path.join(root, "lib", "src", "index"))};
import { hardenKernel, testPrelude } from ${JSON.stringify(path.join(root, "lib", "src", "grading", "harden"))};
const tf = ae.tf;
const out: Record<string, unknown> = {};
const report = (key: string, value: unknown) => { out[key] = value; };
/** One cell as tslab runs it: the outcome, and the error message if it threw. */
const cell = (js: string): string => {
  try { vm.runInThisContext("(function(exports, require) { " + js + "\\n})({}, undefined)"); return "ok"; }
  catch (e: any) { return "error: " + e.message; }
};
${harden ? `hardenKernel({ globalName: "__grader_test", library: ae as any, moduleRoots: [${JSON.stringify(path.join(root, "lib") + path.sep)}] });` : ""}
void testPrelude;
${body}
console.log("RESULT " + JSON.stringify(out));
`);
  try {
    const r = spawnSync(process.execPath, ["--import", "tsx", file], { encoding: "utf8", cwd: root, env: { ...process.env, AE_BACKEND: "cpu" } });
    const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    assert.ok(line, `the child process reported nothing (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(line.slice("RESULT ".length));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("hardenKernel", () => {
  it("refuses each attack on the built-ins with a clear error, and the built-ins keep working", () => {
    const attacks: Record<string, string> = {
      mathAbs: "Math.abs = () => 0;",
      mathDelete: "delete Math.max;",
      arrayFrom: "Array.from = () => [];",
      arrayEvery: "Array.prototype.every = function () { return true; };",
      toFixed: "Number.prototype.toFixed = function () { return '0'; };",
      json: "JSON.stringify = () => '[]';",
      dataSync: "Object.defineProperty(tf.Tensor.prototype, 'dataSync', { value: () => new Float32Array(0) });",
      fnToString: "Function.prototype.toString = () => '';",
      globalMath: "globalThis.Math = new Proxy(Math, {});",
      globalThisItself: "globalThis.globalThis = {};",
      pollution: "({}).__proto__.polluted = true;",
      consoleLog: "console.log = () => {};",
      float32: "Float32Array.prototype.fill = function () { return this; };",
      typedArrayProto: "Object.getPrototypeOf(Int8Array.prototype).map = () => null;",
    };
    const result = inChild(`
const tfGlobal: any = globalThis; tfGlobal.tf = tf;
for (const [name, js] of Object.entries(${JSON.stringify(attacks)})) report(name, cell(js));
report("absStill", Math.abs(-2));
report("maxStill", typeof Math.max);
report("fromStill", Array.from([1, 2]).length);
report("pollutedStill", ({} as any).polluted === undefined);
report("dataSyncStill", Array.from(tf.tensor([1, 2]).dataSync()).join(","));
`);
    for (const name of Object.keys(attacks)) {
      assert.match(String(result[name]), /^error: .*built-ins are read-only during grading/, `${name}: ${result[name]}`);
    }
    assert.equal(result.absStill, 2);
    assert.equal(result.maxStill, "function");
    assert.equal(result.fromStill, 2);
    assert.equal(result.pollutedStill, true);
    assert.equal(result.dataSyncStill, "1,2");
  });

  it("leaves code that only uses the built-ins, or overrides them on its own objects, working", () => {
    const result = inChild(`
report("errorName", cell("class MyError extends Error { constructor(m) { super(m); this.name = 'MyError'; } } if (new MyError('x').name !== 'MyError') throw new Error('name lost');"));
report("ownToString", cell("const o = {}; o.toString = () => 'mine'; if (String(o) !== 'mine') throw new Error('toString lost');"));
report("es5Class", cell("function A() {} A.prototype = { constructor: A }; function B() {} B.prototype = Object.create(A.prototype); B.prototype.constructor = B; if (new B().constructor !== B) throw new Error('constructor lost');"));
report("tensors", cell("const tf = globalThis.__grader_test.tf; const t = tf.tidy(() => tf.add(tf.tensor([1, 2]), 1)); const v = Array.from(t.dataSync()); t.dispose(); if (v.join() !== '2,3') throw new Error(String(v));"));
report("inspectError", (require("util").inspect(new Error("x")) as string).startsWith("Error: x") ? "ok" : "printed as " + require("util").inspect(new Error("x")));
report("inspectTypeError", (require("util").inspect(new TypeError("x")) as string).startsWith("TypeError: x") ? "ok" : "printed as " + require("util").inspect(new TypeError("x")));
report("stackTraceLimit", cell("const before = Error.stackTraceLimit; Error.stackTraceLimit = 3; Error.stackTraceLimit = before;"));
`);
    for (const [name, outcome] of Object.entries(result)) assert.equal(outcome, "ok", `${name}: ${outcome}`);
  });

  it("runs cells in strict mode, so a function cannot read the source of the test that calls it", () => {
    const result = inChild(`
report("spy", cell("globalThis.spy = function spy() { try { return String(spy.caller); } catch (e) { return 'refused'; } };"));
report("callerSeen", (() => { vm.runInThisContext("(function(exports, require) { /* SECRET TEST */ globalThis.seen = globalThis.spy();\\n})({}, undefined)"); return (globalThis as any).seen; })());
`);
    assert.equal(result.spy, "ok");
    assert.equal(result.callerSeen, "refused");
  });

  it("without hardening, the same cells would have succeeded (the attacks are real)", () => {
    const result = inChild(`
report("mathAbs", cell("Math.abs = () => 0;"));
report("absNow", Math.abs(-2));
report("callerSeen", (() => { vm.runInThisContext("(function(exports, require) { globalThis.spy = function spy() { return String(spy.caller); };\\n})({}, undefined)"); vm.runInThisContext("(function(exports, require) { /* SECRET TEST */ globalThis.seen = globalThis.spy();\\n})({}, undefined)"); return (globalThis as any).seen; })());
`, { harden: false });
    assert.equal(result.mathAbs, "ok");
    assert.equal(result.absNow, 0);
    assert.match(result.callerSeen, /SECRET TEST/);
  });

  it("hands test cells the pristine built-ins under the run's global name, which a cell cannot replace", () => {
    const result = inChild(`
report("replace", cell("globalThis.__grader_test = {};"));
report("sameMath", (globalThis as any).__grader_test.Math === Math);
report("library", typeof (globalThis as any).__grader_test.ae.grading.assertClose);
report("prelude", testPrelude("__grader_test"));
`);
    assert.match(result.replace, /read-only during grading/);
    assert.equal(result.sameMath, true);
    assert.equal(result.library, "function");
    assert.match(result.prelude, /const __grader: any = __grader_test;/);
    assert.match(result.prelude, /Math: typeof globalThis\.Math = __grader\.Math/);
  });
});

describe("ae.grading assertions", () => {
  it("compute with the built-ins captured when the library loaded, whatever replaces them later", () => {
    const result = inChild(`
const { assertClose, assertShape } = ae.grading;
(Math as any).abs = () => 0;
(Array as any).from = () => [];
(Array.prototype as any).join = function () { return "2,2"; };
Object.defineProperty(tf.Tensor.prototype, "dataSync", { value: () => new Float32Array([1, 2]), configurable: true });
const attempt = (f: () => void) => { try { f(); return "passed"; } catch (e: any) { return e.message; } };
report("close", attempt(() => assertClose(tf.tensor([1, 2]), tf.tensor([5, 6]), "values")));
report("shape", attempt(() => assertShape(tf.zeros([3]), [2, 2], "shape")));
report("fake", attempt(() => assertClose({ data() {}, dataSync: () => [5, 6], throwIfDisposed() {} } as any, [5, 6], "fake tensor")));
`, { harden: false });
    assert.match(result.close, /value 0 is 1, expected 5/);
    assert.match(result.shape, /expected shape \[2,2\], got \[3\]/);
    assert.notEqual(result.fake, "passed", "an object that only looks like a tensor is not read as one");
  });
});
