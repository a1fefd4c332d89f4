// Assertions for exercise test cells: each failure says what was expected, what came out, and where
// to look, because a student reads these messages, not a stack trace.
import * as tf from "@tensorflow/tfjs";

type Numeric = number | number[] | number[][] | Float32Array | tf.Tensor;

function toFlat(x: Numeric): { values: number[]; shape: number[] } {
  if (x instanceof tf.Tensor) return { values: Array.from(x.dataSync()), shape: x.shape };
  if (typeof x === "number") return { values: [x], shape: [] };
  if (x instanceof Float32Array) return { values: Array.from(x), shape: [x.length] };
  if (Array.isArray(x[0])) return { values: (x as number[][]).flat(), shape: [x.length, (x[0] as number[]).length] };
  return { values: x as number[], shape: [x.length] };
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
  if (!(x instanceof tf.Tensor)) fail(what, `expected a tf.Tensor of shape [${shape}], got ${x === undefined ? "undefined (did you return it?)" : typeof x}`);
  if (x.shape.join(",") !== shape.join(",")) fail(what, `expected shape [${shape}], got [${x.shape}]`);
}

/** Element-wise |actual - expected| <= atol + rtol * |expected|. */
export function assertClose(actual: Numeric, expected: Numeric, what: string, tol: { atol?: number; rtol?: number } = {}): void {
  const atol = tol.atol ?? 1e-5;
  const rtol = tol.rtol ?? 1e-4;
  if (actual === undefined || actual === null) fail(what, "got undefined (did you return a value?)");
  const a = toFlat(actual);
  const e = toFlat(expected);
  if (a.values.length !== e.values.length) fail(what, `expected ${e.values.length} values (shape [${e.shape}]), got ${a.values.length} (shape [${a.shape}])`);
  for (let i = 0; i < a.values.length; i++) {
    const diff = Math.abs(a.values[i] - e.values[i]);
    if (!(diff <= atol + rtol * Math.abs(e.values[i]))) {
      fail(what, `value ${i} is ${a.values[i]}, expected ${e.values[i]} (difference ${diff.toExponential(2)})`);
    }
  }
}

/** Prints a green tick line so students see which checks passed. */
export function passed(what: string): void {
  console.log(`✓ ${what}`);
}
