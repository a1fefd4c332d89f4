// The Fréchet distance of notebook 12: zero for identical sets, the closed forms for shifted and
// scaled sets and for two 2-D Gaussians, clear errors, no leaks.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Matrix } from "ml-matrix";
import { frechetDistance, frechetDistanceBetweenGaussians, frechetDistanceWithInterval, gaussianStatistics } from "../../lib/src/metrics/frechet";
import { SampleJudge } from "../../lib/src/metrics/sampleJudge";
import { ImageDataset } from "../../lib/src/data/dataset";
import { randomArray, randomTensor } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

const gaussian = (mean: number[], covariance: number[][]) => ({ mean: Float64Array.from(mean), covariance: new Matrix(covariance), count: 100 });

describe("frechetDistance", () => {
  it("is 0 for a set against itself, and exactly ‖c‖² for the set shifted by c", () => {
    const x = randomTensor([300, 5], 1) as tf.Tensor2D;
    assert.ok(Math.abs(frechetDistance(x, x)) < 1e-4, "identical sets");
    const c = [0.5, -1, 0, 2, 0.1];
    const shifted = tf.add(x, tf.tensor1d(c)) as tf.Tensor2D;
    const expected = c.reduce((s, v) => s + v * v, 0);
    assert.ok(Math.abs(frechetDistance(x, shifted) - expected) < 1e-4, `shift: ${frechetDistance(x, shifted)} vs ${expected}`);
  });

  it("is (s − 1)² tr Σ for the set scaled by s about its mean", () => {
    const x = randomTensor([400, 4], 2) as tf.Tensor2D;
    const trace = gaussianStatistics(x).covariance.trace();
    const mean = tf.mean(x, 0, true);
    const scaled = tf.add(mean, tf.mul(3, tf.sub(x, mean))) as tf.Tensor2D;
    assert.ok(Math.abs(frechetDistance(x, scaled) - 4 * trace) < 1e-4 * trace);
  });

  it("matches the closed form for two 2-D Gaussians whose covariances do not commute", () => {
    const a = gaussian([0, 0], [[4, 0], [0, 1]]), b = gaussian([1, 2], [[2, 1], [1, 2]]);
    // For 2 × 2 matrices, tr √M = √(tr M + 2 √det M) with M = Σa Σb (its eigenvalues are those of Σa^½ Σb Σa^½).
    const m = new Matrix([[4, 0], [0, 1]]).mmul(new Matrix([[2, 1], [1, 2]]));
    const det = m.get(0, 0) * m.get(1, 1) - m.get(0, 1) * m.get(1, 0);
    const expected = 5 + 5 + 4 - 2 * Math.sqrt(m.trace() + 2 * Math.sqrt(det));
    assert.ok(Math.abs(frechetDistanceBetweenGaussians(a, b) - expected) < 1e-9, `${frechetDistanceBetweenGaussians(a, b)} vs ${expected}`);
    assert.ok(Math.abs(frechetDistanceBetweenGaussians(b, a) - expected) < 1e-9, "symmetric");
    // N(0, s² I) against N(0, I) in d dimensions: d (s − 1)².
    assert.ok(Math.abs(frechetDistanceBetweenGaussians(gaussian([0, 0, 0], [[9, 0, 0], [0, 9, 0], [0, 0, 9]]), gaussian([0, 0, 0], [[1, 0, 0], [0, 1, 0], [0, 0, 1]])) - 12) < 1e-9);
  });

  it("computes the covariance of the rows (unbiased)", () => {
    const s = gaussianStatistics(tf.tensor2d([[0, 0], [2, 0], [0, 2], [2, 2]]));
    assert.deepEqual(Array.from(s.mean), [1, 1]);
    assert.ok(Math.abs(s.covariance.get(0, 0) - 4 / 3) < 1e-6 && Math.abs(s.covariance.get(0, 1)) < 1e-6);
  });

  it("rejects sets of different sizes or feature lengths, and leaks no tensors", () => {
    const x = randomTensor([50, 3], 3) as tf.Tensor2D, y = randomTensor([60, 3], 4) as tf.Tensor2D, z = randomTensor([50, 4], 5) as tf.Tensor2D;
    assert.throws(() => frechetDistance(x, y), /50 and 60 rows; use the same number of images/);
    assert.throws(() => frechetDistance(x, z), /same d/);
    assert.throws(() => gaussianStatistics(tf.zeros([1, 3]) as tf.Tensor2D), /at least 2 rows/);
    assert.throws(() => frechetDistanceBetweenGaussians(gaussian([0], [[1]]), gaussian([0, 0], [[1, 0], [0, 1]])), /dimensions 1 and 2/);
    const before = tf.memory().numTensors;
    frechetDistance(x, x);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe("frechetDistanceWithInterval", () => {
  it("brackets the distance and another draw's, narrows with more images, repeats with its seed and leaks nothing", () => {
    // Two uniform sets whose means differ by 1 in each of 3 dimensions, same covariance: d² ≈ 3 plus sampling error.
    const set = (n: number, seed: number, shift: number) => tf.tidy(() => tf.add(randomTensor([n, 3], seed), shift)) as tf.Tensor2D;
    const [a, b, bigA, bigB] = [set(100, 1, 0), set(100, 2, 1), set(1600, 3, 0), set(1600, 4, 1)];
    const before = tf.memory().numTensors;
    const small = frechetDistanceWithInterval(a, b, { replicates: 200, seed: 7 }), big = frechetDistanceWithInterval(bigA, bigB, { replicates: 200, seed: 7 });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(small.frechet, frechetDistance(a, b));
    for (const r of [small, big]) assert.ok(r.ci95[0] <= r.frechet && r.frechet <= r.ci95[1], `${r.ci95} around ${r.frechet}`);
    const another = tf.tidy(() => frechetDistance(set(100, 11, 0), b));
    assert.ok(small.ci95[0] < another && another < small.ci95[1], `another draw of 100 samples (${another}) falls inside ${small.ci95}`);
    assert.ok(big.ci95[1] - big.ci95[0] < (small.ci95[1] - small.ci95[0]) / 2, "16 times the images: a much narrower interval");
    assert.deepEqual(frechetDistanceWithInterval(a, b, { replicates: 200, seed: 7 }), small);
    assert.throws(() => frechetDistanceWithInterval(a, b, { replicates: 5 }), /replicates must be a whole number ≥ 20/);
    tf.dispose([a, b, bigA, bigB]);
  });
});

describe("SampleJudge", () => {
  // Two classes of 28 × 28 images: ink on the left half, or on the right half, with noise.
  const images = (n: number, seed: number, onlyLeft = false) => {
    const noise = randomArray(n * 784, seed, 0, 0.2);
    const labels = Int32Array.from({ length: n }, (_, i) => (onlyLeft ? 0 : i % 2));
    const pixels = noise.map((v, p) => v + ((p % 28 < 14) === (labels[Math.floor(p / 784)] === 0) ? 0.8 : 0));
    return new ImageDataset(pixels, labels, [28, 28, 1], ["left", "right"], "halves");
  };

  it("covers the classes of real images, finds one class in one-class samples, and a set against the reference is 0", async () => {
    const reference = images(40, 2).toTensor();
    const judge = await SampleJudge.train({ train: images(64, 1), reference, epochs: 150, seed: 1, hidden: 8, progress: "none" });
    assert.ok(judge.accuracy(images(40, 3)) >= 0.95);
    const before = tf.memory().numTensors;
    const same = judge.judge(reference);
    assert.ok(same.frechet < 1e-3 && same.classesCovered === 2 && Math.abs(same.shares[0] - 0.5) < 0.05);
    assert.ok(same.classifierScore > 1.1 && same.classifierScore <= 2, `two even classes: a score in (1, 2], got ${same.classifierScore}`);
    const left = images(40, 4, true).toTensor();
    const oneClass = judge.judge(left);
    assert.equal(oneClass.classesCovered, 1);
    assert.ok(oneClass.classifierScore < same.classifierScore && oneClass.frechet > same.frechet + 0.1);
    assert.equal(tf.memory().numTensors, before + 1, "only the tensor made in the test is new");
    assert.throws(() => judge.judge(left.slice([0, 0], [10, 784])), /use the same number of images/);
    judge.dispose();
  });

  it("forCourse: the reference and floor images are the seeded samples every generative notebook uses, the floor judged", async () => {
    const data = { train: images(80, 5), test: images(60, 6) };
    const course = await SampleJudge.forCourse(data, { samples: 20, classifierImages: 40, epochs: 1 });
    assert.deepEqual(Array.from(course.referenceImages.dataSync()), Array.from(data.test.sample(20, 5).images));
    assert.deepEqual(Array.from(course.floorImages.dataSync()), Array.from(data.train.sample(20, 6).images));
    assert.equal(course.floor.frechet, course.judge.judge(course.floorImages).frechet);
    tf.dispose([course.referenceImages, course.floorImages]);
    course.judge.dispose();
  });
});
