// Assertions for exercise test cells: each failure says what was expected, what came out, and where
// to look, because a student reads these messages, not a stack trace.
import * as tf from "@tensorflow/tfjs";

// The built-ins these checks compute with, captured when the library loads: a student cell that
// later replaces Math.abs, Array.from or a tensor's dataSync cannot change what a check computes.
const { abs } = Math;
const { apply, getPrototypeOf } = Reflect;
const arrayFrom = Array.from;
const isArray = Array.isArray;
const arrayFlat = Array.prototype.flat;
const arrayJoin = Array.prototype.join;
const toExponential = Number.prototype.toExponential;
const TensorPrototype = tf.Tensor.prototype;
const dataSync = tf.Tensor.prototype.dataSync;
const Float32ArrayPrototype = Float32Array.prototype;
const stringify = JSON.stringify;
const ErrorPrototype = Error.prototype;
const ReferenceErrorPrototype = ReferenceError.prototype;
const StringOf = String;
const encodeComponent = encodeURIComponent;
const stringSlice = String.prototype.slice;
const stringReplace = String.prototype.replace;
const clip = (text: string, n: number) => (text.length > n ? (apply(stringSlice, text, [0, n]) as string) + " …" : text);
/** JSON as URI-encoded text with nothing a kernel's display would quote or escape ('()!* too). */
const encodeRecord = (x: unknown) => apply(stringReplace, encodeComponent(stringify(x)), [/['()!*]/g, (c: string) => (c === "'" ? "%27" : c === "(" ? "%28" : c === ")" ? "%29" : c === "!" ? "%21" : "%2A")]) as string;

/** Whether x is a real tensor (its prototype chain, not tf.Tensor's duck-typed instanceof). */
function isTensor(x: unknown): x is tf.Tensor {
  for (let p = x !== null && typeof x === "object" ? getPrototypeOf(x) : null; p; p = getPrototypeOf(p)) if (p === TensorPrototype) return true;
  return false;
}
const isFloat32Array = (x: unknown): x is Float32Array => x !== null && typeof x === "object" && getPrototypeOf(x) === Float32ArrayPrototype;
const join = (xs: readonly unknown[]) => apply(arrayJoin, xs, [","]) as string;

type Numeric = number | number[] | number[][] | Float32Array | tf.Tensor;

function toFlat(x: Numeric): { values: ArrayLike<number>; shape: number[] } {
  if (isTensor(x)) return { values: arrayFrom(apply(dataSync, x, []) as ArrayLike<number>), shape: arrayFrom(x.shape) };
  if (typeof x === "number") return { values: [x], shape: [] };
  if (isFloat32Array(x)) return { values: arrayFrom(x), shape: [x.length] };
  if (isArray(x) && isArray(x[0])) return { values: apply(arrayFlat, x, []) as number[], shape: [x.length, (x[0] as number[]).length] };
  return { values: x as number[], shape: [(x as number[]).length] };
}

export class ExerciseCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExerciseCheckError";
  }
}

function fail(what: string, message: string): never {
  throw new ExerciseCheckError(`✗ ${what}: ${message}`);
}

export function assertTrue(condition: unknown, what: string, hint = ""): void {
  if (!condition) fail(what, `check failed${hint ? ". Hint: " + hint : ""}`);
}

export function assertShape(x: tf.Tensor | undefined | null, shape: number[], what: string): void {
  if (!isTensor(x)) fail(what, `expected a tf.Tensor of shape [${join(shape)}], got ${x === undefined ? "undefined (did you return it?)" : typeof x}`);
  if (join(x.shape) !== join(shape)) fail(what, `expected shape [${join(shape)}], got [${join(x.shape)}]`);
}

/** Element-wise |actual - expected| <= atol + rtol * |expected|. */
export function assertClose(actual: Numeric, expected: Numeric, what: string, tol: { atol?: number; rtol?: number } = {}): void {
  const atol = tol.atol ?? 1e-5;
  const rtol = tol.rtol ?? 1e-4;
  if (actual === undefined || actual === null) fail(what, "got undefined (did you return a value?)");
  const a = toFlat(actual);
  const e = toFlat(expected);
  if (a.values.length !== e.values.length) fail(what, `expected ${e.values.length} values (shape [${join(e.shape)}]), got ${a.values.length} (shape [${join(a.shape)}])`);
  for (let i = 0; i < a.values.length; i++) {
    const diff = abs(a.values[i] - e.values[i]);
    if (!(diff <= atol + rtol * abs(e.values[i]))) {
      fail(what, `value ${i} is ${a.values[i]}, expected ${e.values[i]} (difference ${apply(toExponential, diff, [2])})`);
    }
  }
}

/** The message the released notebooks' answer stubs throw. */
export const NOT_IMPLEMENTED = "Exercise not implemented yet";

function isError(x: unknown): x is Error {
  for (let p = x !== null && typeof x === "object" ? getPrototypeOf(x) : null; p; p = getPrototypeOf(p)) if (p === ErrorPrototype) return true;
  return false;
}

/**
 * `fn()` throws an Error of the answer's own. The stub's "not implemented" error and a name that is not
 * defined do not count: a blank answer must not earn a check about rejecting bad input.
 */
export function assertThrows(fn: () => unknown, what: string, hint = ""): void {
  let thrown: unknown, threw = false;
  try {
    fn();
  } catch (e) {
    thrown = e;
    threw = true;
  }
  if (!threw) fail(what, `expected an Error, but it returned normally${hint ? ". Hint: " + hint : ""}`);
  if (!isError(thrown)) fail(what, `expected an Error, got a thrown ${typeof thrown}: throw new Error("…") with a message that says what is wrong`);
  if (thrown.message === NOT_IMPLEMENTED) fail(what, "the exercise is not implemented yet");
  if (getPrototypeOf(thrown) === ReferenceErrorPrototype) fail(what, `it failed before checking anything: ${thrown.message}`);
}

/** What a graded test cell reports: the secrets of its passed checks, the others' failure messages. */
export interface CheckRecord {
  passed: string[];
  failed: Record<number, string>;
  stopped: string;
}

type AssertionName = "assertTrue" | "assertShape" | "assertClose" | "assertThrows";
const assertions: Record<AssertionName, (...args: any[]) => void> = { assertTrue, assertShape, assertClose, assertThrows };

/**
 * Used by the grader, never by a notebook: a graded test cell's assertions are rewritten to go through
 * `check(i, name, ...args)`, which records each check's outcome and goes on with the next, so that an
 * exercise's points can be split over its checks (partial credit). A check called several times (in
 * a loop) passes only if every call passes. `secrets` holds one per check and a last one for "the cell
 * ran to its end". The report names a passed check by its secret (made for
 * this run, in the cell's source only): code that rewrites the kernel's output can drop a pass, never
 * add one. Failure messages travel as text: forging one changes only the student's own feedback.
 */
export function checkRecorder(secrets: readonly string[]): { check: (i: number, name: AssertionName, ...args: unknown[]) => void; stopped: (e: unknown) => void; report: (token: string) => string } {
  const failed: Record<number, string> = {};
  const reached: Record<number, boolean> = {};
  let stoppedBy = "";
  return {
    check(i, name, ...args) {
      let message = "";
      try {
        apply(assertions[name], undefined, args);
      } catch (e) {
        message = clip(isError(e) ? StringOf(e.message) : StringOf(e), 240) || "failed";
      }
      reached[i] = true;
      if (message && failed[i] === undefined) failed[i] = message;
    },
    stopped(e) {
      stoppedBy = clip(isError(e) ? `${StringOf(e.name)}: ${StringOf(e.message)}` : StringOf(e), 400);
    },
    report(token) {
      const passed: string[] = [];
      const last = secrets.length - 1;
      for (let i = 0; i < last; i++) if (reached[i] && failed[i] === undefined) passed[passed.length] = secrets[i];
      // The last secret says the whole cell ran without an error (a test cell without checks needs it).
      if (!stoppedBy && last >= 0) passed[passed.length] = secrets[last];
      return `${token} ${encodeRecord({ passed, failed, stopped: stoppedBy })}`;
    },
  };
}

/** Prints a green tick line so students see which checks passed. */
export function passed(what: string): void {
  console.log(`✓ ${what}`);
}
