// PSNR, pairwise distances, leave-one-out k-NN accuracy and trustworthiness.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { psnr } from "../../lib/src/metrics/psnr";
import { knnAccuracy, kthNeighbourDistances, pairwiseSquaredDistances, trustworthiness } from "../../lib/src/metrics/neighbours";
import { permutation } from "../../lib/src/random";
import { randomArray, relativeError } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

describe("psnr", () => {
  it("is 10·log10(peak² / MSE): MSE 0.01 gives 20 dB", () => {
    const clean = tf.zeros([2, 4]) as tf.Tensor2D;
    const restored = tf.fill([2, 4], 0.1) as tf.Tensor2D; // every squared error is 0.01
    assert.ok(Math.abs(psnr(clean, restored) - 20) < 1e-4, `${psnr(clean, restored)}`);
    // The same errors on a 0..255 scale: MSE 25.5² with peak 255 is still 20 dB.
    const clean255 = tf.zeros([2, 4]) as tf.Tensor2D;
    const restored255 = tf.fill([2, 4], 25.5) as tf.Tensor2D;
    assert.ok(Math.abs(psnr(clean255, restored255, 255) - 20) < 1e-4);
    tf.dispose([clean, restored, clean255, restored255]);
  });

  it("averages the per-image PSNR (not the PSNR of the mean MSE)", () => {
    const cleanRows = [[0.2, 0.4, 0.6, 0.8], [1, 0.5, 0, 0.25]];
    const restoredRows = [[0.3, 0.3, 0.7, 0.7], [0.99, 0.51, 0.01, 0.24]]; // errors 0.1 and 0.01
    const perImage = cleanRows.map((row, i) => {
      const mse = row.reduce((s, v, j) => s + (v - restoredRows[i][j]) ** 2, 0) / row.length;
      return 10 * Math.log10(1 / mse);
    });
    const expected = (perImage[0] + perImage[1]) / 2; // 20 dB and 40 dB -> 30 dB
    const clean = tf.tensor2d(cleanRows);
    const restored = tf.tensor2d(restoredRows);
    const got = psnr(clean, restored);
    assert.ok(Math.abs(got - expected) < 1e-3, `${got} vs ${expected}`);
    assert.ok(Math.abs(expected - 30) < 1e-6);
    tf.dispose([clean, restored]);
  });

  it("gives a large finite value for identical images", () => {
    const x = tf.tensor2d(randomArray(3 * 5, 1, 0, 1), [3, 5]);
    const got = psnr(x, x);
    assert.ok(Number.isFinite(got) && got > 60, `${got}`);
    x.dispose();
  });

  it("rejects mismatched shapes and leaks no tensors", () => {
    const a = tf.zeros([2, 4]) as tf.Tensor2D;
    const b = tf.zeros([2, 5]) as tf.Tensor2D;
    const flat = tf.zeros([8]);
    assert.throws(() => psnr(a, b), /psnr: clean \[2,4\] and restored \[2,5\] must both be \[images, pixels\]/);
    assert.throws(() => psnr(flat as unknown as tf.Tensor2D, flat as unknown as tf.Tensor2D), /must both be \[images, pixels\]/);
    const c = tf.fill([2, 4], 0.5) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    psnr(a, c);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([a, b, c, flat]);
  });
});

/** Squared distances with a plain double loop in float64. */
function naiveDistances(values: ArrayLike<number>, dim: number): number[] {
  const n = values.length / dim;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < dim; c++) s += (values[i * dim + c] - values[j * dim + c]) ** 2;
      out.push(s);
    }
  }
  return out;
}

describe("pairwiseSquaredDistances", () => {
  it("matches a plain double loop, with an exact zero diagonal", () => {
    const [n, dim] = [7, 3];
    const values = randomArray(n * dim, 3, -2, 2);
    const d = pairwiseSquaredDistances({ values, dim });
    assert.equal(d.length, n * n);
    assert.ok(relativeError(d, naiveDistances(values, dim)) < 1e-5, `relative error ${relativeError(d, naiveDistances(values, dim))}`);
    for (let i = 0; i < n; i++) {
      assert.equal(d[i * n + i], 0);
      for (let j = 0; j < n; j++) assert.ok(d[i * n + j] >= 0);
    }
  });

  it("accepts number arrays and Float64Arrays, rejects values that do not make rows, and leaks no tensors", () => {
    const before = tf.memory().numTensors;
    assert.deepEqual(Array.from(pairwiseSquaredDistances({ values: [0, 0, 3, 4], dim: 2 })), [0, 25, 25, 0]);
    assert.deepEqual(Array.from(pairwiseSquaredDistances({ values: Float64Array.from([1, 4]), dim: 1 })), [0, 9, 9, 0]);
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => pairwiseSquaredDistances({ values: [1, 2, 3], dim: 2 }), /pairwiseSquaredDistances: 3 values do not make rows of 2/);
  });
});

describe("knnAccuracy", () => {
  it("is 1 on two well separated clusters", () => {
    const n = 20;
    const jitter = randomArray(n * 2, 5, -1, 1);
    const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
    const values = Float32Array.from(jitter, (v, idx) => v + 100 * labels[Math.floor(idx / 2)]);
    assert.equal(knnAccuracy({ values, dim: 2 }, labels, 5), 1);
    // With the labels scrambled against the clusters it can no longer be perfect.
    const scrambled = Int32Array.from({ length: n }, (_, i) => (i < n / 2 ? 0 : 1));
    assert.ok(knnAccuracy({ values, dim: 2 }, scrambled, 5) < 0.8);
  });

  it("matches a small case worked out by hand, including the tie rule", () => {
    // Points on a line with their classes: 0:a 1:a 3:b | 10:b 11:b 13:a.
    const points = { values: [0, 1, 3, 10, 11, 13], dim: 1 };
    const labels = [0, 0, 1, 1, 1, 0];
    // k = 1: 0 -> 1 (a, right); 1 -> 0 (a, right); 3 -> 1 (a, wrong); 10 -> 11 (b, right); 11 -> 10 (b, right);
    // 13 -> 11 (b, wrong): 4 of 6.
    assert.equal(knnAccuracy(points, labels, 1), 4 / 6);
    // k = 2 ties every vote except at 3 (a, a: wrong) and 13 (b, b: wrong); ties go to the nearest
    // neighbour's class, so the other four are right: 4 of 6 (breaking ties by class number would give 2).
    assert.equal(knnAccuracy(points, labels, 2), 4 / 6);
    // k = 3: 0 -> {1,3,10}: b, wrong; 1 -> {0,3,10}: b, wrong; 3 -> {1,0,10}: a, wrong;
    // 10 -> {11,13,3}: b, right; 11 -> {10,13,3}: b, right; 13 -> {11,10,3}: b, wrong: 2 of 6.
    assert.equal(knnAccuracy(points, labels, 3), 2 / 6);
  });

  it("rejects mismatched labels and a bad k", () => {
    const points = { values: [0, 1, 2, 3], dim: 1 };
    assert.throws(() => knnAccuracy(points, [0, 1, 0], 1), /knnAccuracy: 3 labels but 4 points/);
    assert.throws(() => knnAccuracy(points, [0, 1, 0, 1], 0), /knnAccuracy: k must be in 1\.\.3, got 0/);
    assert.throws(() => knnAccuracy(points, [0, 1, 0, 1], 4), /k must be in 1\.\.3, got 4/);
  });
});

/** Trustworthiness straight from Venna & Kaski's definition, in float64. */
function naiveTrustworthiness(high: ArrayLike<number>, highDim: number, low: ArrayLike<number>, lowDim: number, k: number): number {
  const n = high.length / highDim;
  const dh = naiveDistances(high, highDim);
  const dl = naiveDistances(low, lowDim);
  const others = (d: number[], i: number) => Array.from({ length: n }, (_, j) => j).filter((j) => j !== i).sort((a, b) => d[i * n + a] - d[i * n + b]);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const highOrder = others(dh, i);
    const highK = new Set(highOrder.slice(0, k));
    for (const j of others(dl, i).slice(0, k)) if (!highK.has(j)) sum += highOrder.indexOf(j) + 1 - k;
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * sum;
}

describe("trustworthiness", () => {
  const [n, dim, k] = [40, 5, 5];
  const values = randomArray(n * dim, 8, -1, 1);

  it("is 1 when the embedding is the data itself, or a rotated and scaled copy", () => {
    assert.equal(trustworthiness({ values, dim }, { values, dim }, k), 1);
    // Householder reflection Q = I − 2vvᵀ/‖v‖² (orthogonal), then scale by 3.
    const v = randomArray(dim, 9);
    const vv = v.reduce((s, a) => s + a * a, 0);
    const rotated = new Float64Array(n * dim);
    for (let i = 0; i < n; i++) {
      const row = values.subarray(i * dim, (i + 1) * dim);
      const dot = row.reduce((s, a, c) => s + a * v[c], 0);
      for (let c = 0; c < dim; c++) rotated[i * dim + c] = 3 * (row[c] - (2 * dot * v[c]) / vv);
    }
    assert.ok(trustworthiness({ values, dim }, { values: rotated, dim }, k) > 0.999);
  });

  it("drops well below 1 when the embedded points are shuffled", () => {
    const p = permutation(n, 10);
    const shuffled = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) shuffled.set(values.subarray(p[i] * dim, (p[i] + 1) * dim), i * dim);
    const t = trustworthiness({ values, dim }, { values: shuffled, dim }, k);
    assert.ok(t < 0.8, `${t}`);
    assert.ok(t >= 0);
  });

  it("equals the textbook formula for a projection onto two coordinates", () => {
    const low = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) { low[2 * i] = values[i * dim]; low[2 * i + 1] = values[i * dim + 1]; }
    const expected = naiveTrustworthiness(values, dim, low, 2, k);
    assert.ok(expected < 1, "the projection has intruders");
    const got = trustworthiness({ values, dim }, { values: low, dim: 2 }, k);
    assert.ok(Math.abs(got - expected) < 1e-9, `${got} vs ${expected}`);
  });

  it("rejects mismatched point counts and a bad k", () => {
    const low = new Float32Array((n - 1) * 2);
    assert.throws(() => trustworthiness({ values, dim }, { values: low, dim: 2 }, k), /trustworthiness: 40 original points but 39 embedded ones/);
    assert.throws(() => trustworthiness({ values, dim }, { values, dim }, 0), /trustworthiness: k must be in 1\.\.19, got 0/);
    assert.throws(() => trustworthiness({ values, dim }, { values, dim }, 20), /k must be in 1\.\.19, got 20/);
  });
});

describe("kthNeighbourDistances", () => {
  it("is the distance to the k-th nearest other point, the same in any block size, without leaks", () => {
    // Points on a line at 0, 1, 3, 7: nearest others of 0 are 1 (1), 3 (3), 7 (7).
    const points = { values: [0, 0, 1, 0, 3, 0, 7, 0], dim: 2 };
    const before = tf.memory().numTensors;
    assert.deepEqual(Array.from(kthNeighbourDistances(points, 1)), [1, 1, 2, 4]);
    assert.deepEqual(Array.from(kthNeighbourDistances(points, 2)), [3, 2, 3, 6]);
    assert.deepEqual(Array.from(kthNeighbourDistances(points, 3, 3)), [7, 6, 4, 7]);
    assert.equal(tf.memory().numTensors, before);
    const cloud = { values: Array.from(randomArray(60, 4, -1, 1)), dim: 3 };
    const whole = kthNeighbourDistances(cloud, 5), blocked = kthNeighbourDistances(cloud, 5, 7);
    const dist = pairwiseSquaredDistances(cloud);
    const bySort = Array.from({ length: 20 }, (_, i) => Math.sqrt(Array.from(dist.subarray(i * 20, (i + 1) * 20)).filter((_, j) => j !== i).sort((a, b) => a - b)[4]));
    whole.forEach((d, i) => { assert.ok(Math.abs(d - bySort[i]) < 1e-4 && Math.abs(d - blocked[i]) < 1e-6, `row ${i}`); });
  });

  it("names a k it cannot honour", () => {
    assert.throws(() => kthNeighbourDistances({ values: [0, 1, 2], dim: 1 }, 3), /k must be a whole number in 1..2, got 3/);
  });
});
