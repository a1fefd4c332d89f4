// Small helpers shared by the unit tests (not a test file itself: the runner picks up *.test.ts only).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DatasetFileError } from "../../lib/src/data/idx";
import { seededRandom } from "../../lib/src/random";

/** n uniform values in [lo, hi) from a seed, as a Float32Array (identical on every backend). */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** A tensor of the given shape filled by randomArray. */
export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomArray(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/** The largest |actual - expected| relative to the largest |expected| (at least 1). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

/** A fresh temporary folder, removed by the returned cleanup function. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ae-test-${prefix}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Builds an unsigned-byte IDX buffer: magic 0x00000803 (for rank 3), big-endian dims, data. */
export function idxBuffer(dims: number[], data: ArrayLike<number>, typeByte = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = typeByte;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Uint8Array.from(data))]);
}

/** n whole numbers in [lo, hi) from a seed. */
export function seededRandomInts(n: number, seed: number, lo: number, hi: number): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => lo + Math.floor((hi - lo) * rand()));
}

/** Asserts that fn throws a DatasetFileError that names `file` and matches `problem`. */
export function throwsForFile(fn: () => unknown, file: string, problem: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DatasetFileError, `expected a DatasetFileError, got ${e}`);
    assert.equal(e.file, file);
    assert.ok(e.message.includes(file), `the message names the file: ${e.message}`);
    assert.match(e.message, problem);
    return true;
  });
}
