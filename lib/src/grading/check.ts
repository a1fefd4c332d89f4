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

/** Prints a green tick line so students see which checks passed. */
export function passed(what: string): void {
  console.log(`✓ ${what}`);
}
