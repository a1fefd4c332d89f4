// Grading only. Student code runs in the same Node.js process as the tests that grade it, so before
// the first student cell the grader makes everything a test relies on read-only: JavaScript's
// built-ins (deeply: constructors, prototypes, their methods), the global names that lead to them,
// `console`, the tf namespace and tensor prototypes, and the course library's modules. Each cell then
// runs in strict mode, so that an attempt fails loudly ("built-ins are read-only during grading")
// instead of silently, and so that a function cannot reach the source of the test calling it
// through `.caller`. The tests get the pristine objects under a global name made for each grading
// run, which no submission can know in advance and so cannot shadow with a declaration of its own.
import vm = require("vm");
import type * as tfjs from "@tensorflow/tfjs";

export const READ_ONLY_MESSAGE = "built-ins are read-only during grading";

/** Global names the tests may use; each is bound read-only and handed to test cells as it was. */
export const PROTECTED_GLOBALS = [
  "Object", "Function", "Array", "Number", "String", "Boolean", "Symbol", "BigInt", "Math", "JSON", "Reflect",
  "Promise", "Proxy", "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError",
  "AggregateError", "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Date", "RegExp",
  "ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "Int8Array", "Uint8Array", "Uint8ClampedArray",
  "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array",
  "BigUint64Array", "isFinite", "isNaN", "parseFloat", "parseInt", "encodeURIComponent", "decodeURIComponent",
  "encodeURI", "decodeURI", "console",
] as const;

const READ_ONLY_ERROR = /Cannot (assign to read only property|add property|redefine property|delete property|define property)|object is not extensible|Immutable prototype|read-only during grading/;

/** An error from writing to something hardened, with the reason added for the student. */
export function explainReadOnly(err: unknown): unknown {
  if (err instanceof TypeError && READ_ONLY_ERROR.test(err.message) && !err.message.includes(READ_ONLY_MESSAGE)) {
    try {
      Object.defineProperty(err, "message", { value: `${err.message} (${READ_ONLY_MESSAGE})`, configurable: true, writable: true });
      if (typeof err.stack === "string") Object.defineProperty(err, "stack", { value: err.stack.replace(/^[^\n]*/, `TypeError: ${err.message}`), configurable: true, writable: true });
    } catch { /* a frozen error keeps its message */ }
  }
  return err;
}

// Properties that ordinary code sets on its own objects (an error's `name`, a class's `toString`, an
// array's own `forEach` as vega gives some): on a read-only prototype, assigning them to an instance
// would fail (JavaScript's "override mistake"), so they become accessors whose setter gives the
// instance a property of its own, and throws only for the prototype itself. `constructor` stays plain
// data everywhere: Node prints errors by reading its descriptor's value (as an accessor, every error
// printed as "{}"), and V8's fast paths for map, slice and spreading depend on Array.prototype's.
const OVERRIDABLE_OBJECT = ["toString", "toLocaleString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable"];
const OVERRIDABLE_ERROR = ["name", "message", "toString"];
const overridableArray = () => Object.getOwnPropertyNames(Array.prototype).filter((k) => k !== "constructor" && k !== "length");

function tameOverrides(proto: object, names: (string | symbol)[]): void {
  for (const name of names) {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (!desc || !("value" in desc) || !desc.configurable) continue;
    const value = desc.value;
    Object.defineProperty(proto, name, {
      get: () => value,
      set(this: object, v: unknown) {
        if (this === proto) throw new TypeError(`Cannot assign to read only property '${String(name)}' (${READ_ONLY_MESSAGE})`);
        Object.defineProperty(this, name, { value: v, writable: true, enumerable: true, configurable: true });
      },
      enumerable: desc.enumerable,
      configurable: false,
    });
  }
}

/** Freezes `root` and everything reachable from it through properties, accessors and prototypes. */
function hardenDeep(root: unknown, seen: Set<unknown>): void {
  const stack = [root];
  while (stack.length) {
    const o = stack.pop();
    if ((typeof o !== "object" && typeof o !== "function") || o === null || seen.has(o)) continue;
    seen.add(o);
    if (o === Object.prototype) tameOverrides(o, OVERRIDABLE_OBJECT);
    else if (o === Function.prototype) tameOverrides(o, ["toString"]);
    else if (o === Array.prototype) tameOverrides(o, overridableArray());
    // Only Error's own prototype: with TypeError.prototype.name an accessor, Node prints TypeErrors as "{}".
    else if (o === Error.prototype) tameOverrides(o, OVERRIDABLE_ERROR);
    if (o === Error) {
      // Node and libraries set Error.stackTraceLimit and Error.prepareStackTrace: V8 reads them as
      // plain data, so they stay writable; the rest of Error is locked.
      for (const key of Reflect.ownKeys(o)) if (key !== "stackTraceLimit") lockProperty(o, key);
      keepFast(o);
    } else lockObject(o);
    stack.push(Object.getPrototypeOf(o));
    for (const key of Reflect.ownKeys(o)) {
      const desc = Object.getOwnPropertyDescriptor(o, key)!;
      stack.push(desc.value, desc.get, desc.set);
    }
  }
}

/**
 * What Object.freeze does, property by property and then no new ones. Changing a property's
 * attributes turns an object's properties into a slow dictionary in V8: measured 2.5 times slower
 * data loading with %TypedArray%.prototype locked, 11 times slower numeric code after
 * Object.freeze(Object.prototype). Using the object as a prototype once makes V8 lay it out fast again.
 */
function lockObject(o: object): void {
  for (const key of Reflect.ownKeys(o)) lockProperty(o, key);
  Object.preventExtensions(o);
  keepFast(o);
}

function keepFast(o: object): void {
  function Layout(this: unknown) { /* only its prototype matters */ }
  Layout.prototype = o;
  void new (Layout as any)();
}

function lockProperty(o: object, key: string | symbol): void {
  const desc = Object.getOwnPropertyDescriptor(o, key);
  if (!desc || !desc.configurable) return;
  Object.defineProperty(o, key, "value" in desc ? { value: desc.value, writable: false, configurable: false, enumerable: desc.enumerable } : { get: desc.get, set: desc.set, configurable: false, enumerable: desc.enumerable });
}

/** Intrinsics that no global name leads to directly: %TypedArray%, iterator and generator prototypes. */
function hiddenIntrinsics(): unknown[] {
  const proto = Object.getPrototypeOf;
  return [
    proto(Int8Array),
    proto([][Symbol.iterator]()), proto(proto([][Symbol.iterator]())),
    proto(new Map()[Symbol.iterator]()), proto(new Set()[Symbol.iterator]()), proto(""[Symbol.iterator]()),
    proto(/a/[Symbol.matchAll]("")),
    proto(function* () { /* generator */ }), proto(async function () { /* async */ }), proto(async function* () { /* async generator */ }),
  ];
}

/**
 * Runs every cell that tslab sends to V8 in strict mode, with errors from writing to something
 * hardened explained. tslab wraps each cell as `(function(exports, require) { … })(…)`.
 */
function strictCells(): void {
  const original = vm.runInThisContext;
  const wrappers = ["(function(exports, require) { ", "(async function(exports, require) { "];
  const patched = function (this: unknown, code: string, options?: vm.RunningScriptOptions | string) {
    const prefix = typeof code === "string" ? wrappers.find((w) => code.startsWith(w)) : undefined;
    if (!prefix) return original.call(this, code, options as vm.RunningScriptOptions);
    const strict = `${prefix}"use strict"; ${code.slice(prefix.length)}`;
    let result: unknown;
    try {
      result = original.call(this, strict, options as vm.RunningScriptOptions);
    } catch (err) {
      throw explainReadOnly(err);
    }
    if (result instanceof Promise) return result.then(undefined, (err) => { throw explainReadOnly(err); });
    return result;
  };
  Object.defineProperty(vm, "runInThisContext", { value: patched, writable: false, configurable: false });
}

export interface HardenOptions {
  /** The global name under which test cells find the pristine built-ins and library (made per grading run). */
  globalName: string;
  /** The course library's module (what `require("autoencoders")` returns), with its `tf`. */
  library: { tf: typeof tfjs };
  /** Folders whose loaded modules' exports are frozen (the library, TensorFlow.js). */
  moduleRoots: string[];
}

/** Makes this process's built-ins, tf and the library read-only for the rest of its life. */
export function hardenKernel({ globalName, library, moduleRoots }: HardenOptions): void {
  const g = globalThis as any;
  const tf = library.tf;
  if (Object.getOwnPropertyDescriptor(g, globalName)) throw new Error(`the kernel is already hardened (${globalName} exists)`);
  const pristine: Record<string, unknown> = { ae: library, tf };
  for (const name of PROTECTED_GLOBALS) pristine[name] = g[name];
  strictCells();
  // Module exports first (shallow: TensorFlow.js keeps internal state in objects they lead to).
  const require_ = eval("require") as NodeRequire;
  for (const [file, mod] of Object.entries(require_.cache)) {
    if (mod && moduleRoots.some((r) => file.startsWith(r)) && mod.exports && typeof mod.exports === "object") Object.freeze(mod.exports);
  }
  for (const o of [tf.Tensor.prototype, tf.Variable.prototype, tf.Tensor, tf.Variable]) lockObject(o);
  const seen = new Set<unknown>();
  for (const name of PROTECTED_GLOBALS) if (name !== "console") hardenDeep(g[name], seen);
  for (const intrinsic of hiddenIntrinsics()) hardenDeep(intrinsic, seen);
  // The console's own methods only: it leads to process.stdout, which tslab redirects per cell.
  lockObject(g.console);
  for (const name of [...PROTECTED_GLOBALS, "globalThis"]) lockProperty(g, name);
  Object.defineProperty(g, globalName, { value: Object.freeze(pristine), writable: false, configurable: false, enumerable: false });
}

/** Locks the global tslab runs every cell through (it exists only once tslab has started). */
export function lockTslabGlobal(): void {
  lockProperty(globalThis, "__tslab__");
}

/** What opens every test cell: the pristine library and built-ins under the names tests use. */
export function testPrelude(globalName: string): string {
  const typed = (n: string) => (["isFinite", "isNaN", "parseFloat", "parseInt", "encodeURIComponent", "decodeURIComponent", "encodeURI", "decodeURI"].includes(n) ? `typeof globalThis.${n}` : n === "Math" || n === "JSON" || n === "Atomics" || n === "Reflect" ? `typeof globalThis.${n}` : n === "console" ? "Console" : `${n}Constructor`);
  const names = PROTECTED_GLOBALS.filter((n) => !["Proxy", "Reflect", "Atomics"].includes(n));
  return [
    `// @ts-ignore -- the grader's pristine built-ins, under a name made for this grading run`,
    `const __grader: any = ${globalName};`,
    `const ae: typeof import("autoencoders") = __grader.ae;`,
    `const tf = ae.tf;`,
    `const ${names.map((n) => `${n}: ${typed(n)} = __grader.${n}`).join(", ")};`,
  ].join("\n");
}
