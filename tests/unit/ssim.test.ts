// SSIM as a metric and 1 − SSIM as a loss: the value against a direct, loop-by-loop computation,
// its ordering of distortions, and no leaked tensors.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ssim, ssimPerImage } from "../../lib/src/metrics/ssim";
import { ssimLoss } from "../../lib/src/losses/ssim";
import { randomArray } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

/** SSIM of two h × w images written out with loops: Gaussian window of `size`, σ, "valid" positions. */
function ssimByLoops(a: Float32Array, b: Float32Array, h: number, w: number, size: number, sigma: number): number {
  const half = (size - 1) / 2, g = Array.from({ length: size }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * sigma * sigma)));
  const total = g.reduce((s, v) => s + v, 0) ** 2;
  const [c1, c2] = [0.01 ** 2, 0.03 ** 2];
  let sum = 0, count = 0;
  for (let r = 0; r + size <= h; r++) for (let c = 0; c + size <= w; c++) {
    let ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) {
      const weight = (g[i] * g[j]) / total, va = a[(r + i) * w + c + j], vb = b[(r + i) * w + c + j];
      ma += weight * va; mb += weight * vb; saa += weight * va * va; sbb += weight * vb * vb; sab += weight * va * vb;
    }
    const [va, vb, cov] = [saa - ma * ma, sbb - mb * mb, sab - ma * mb];
    sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
    count++;
  }
  return sum / count;
}

describe("ssim", () => {
  const h = 12, w = 12, options = { imageShape: [h, w] as [number, number], window: 5, sigma: 1.5 };
  const a = randomArray(2 * h * w, 1, 0, 1), b = Float32Array.from(a, (v, i) => Math.min(1, Math.max(0, v + 0.2 * (randomArray(1, i + 7)[0]))));
  it("equals the windowed formula written out with loops, image by image", () => {
    const x = tf.tensor2d(a, [2, h * w]), y = tf.tensor2d(b, [2, h * w]);
    const values = ssimPerImage(x, y, options).arraySync();
    for (let n = 0; n < 2; n++) {
      const expected = ssimByLoops(a.subarray(n * h * w, (n + 1) * h * w), b.subarray(n * h * w, (n + 1) * h * w), h, w, 5, 1.5);
      assert.ok(Math.abs(values[n] - expected) < 1e-4, `image ${n}: ${values[n]} vs ${expected}`);
    }
    tf.dispose([x, y]);
  });

  it("is 1 for identical images, symmetric, and ranks a small distortion above a large one", () => {
    const x = tf.tensor2d(a, [2, h * w]);
    const slight = tf.tidy(() => tf.add(x, tf.mul(0.02, tf.randomNormal(x.shape, 0, 1, "float32", 3)))) as tf.Tensor2D;
    const heavy = tf.tidy(() => tf.add(x, tf.mul(0.3, tf.randomNormal(x.shape, 0, 1, "float32", 3)))) as tf.Tensor2D;
    assert.ok(Math.abs(ssim(x, x, options) - 1) < 1e-5);
    assert.ok(Math.abs(ssim(x, heavy, options) - ssim(heavy, x, options)) < 1e-6);
    assert.ok(ssim(x, slight, options) > ssim(x, heavy, options));
    tf.dispose([x, slight, heavy]);
  });

  it("rejects images of the wrong size or a window that does not fit, and leaks no tensors", () => {
    const x = tf.tensor2d(a, [2, h * w]), before = tf.memory().numTensors;
    ssim(x, x, options);
    ssimPerImage(x, x, options).dispose();
    const loss = ssimLoss(x, x, options);
    assert.equal(tf.memory().numTensors, before + 1, "only the loss itself");
    loss.dispose();
    assert.throws(() => ssim(x, x), /must both be \[images, 784\] for 28 × 28 images/);
    const small = tf.zeros([1, 64]) as tf.Tensor2D;
    assert.throws(() => ssim(small, small, { imageShape: [8, 8] }), /the 11 × 11 window does not fit in 8 × 8 images; pass a smaller window/);
    small.dispose();
    x.dispose();
  });
});

describe("ssimLoss", () => {
  it("is 1 − SSIM and gives a gradient that raises SSIM", () => {
    const target = tf.tensor2d(randomArray(784, 5, 0, 1), [1, 784]);
    const guess = tf.variable(tf.fill([1, 784], 0.5)) as tf.Variable<tf.Rank.R2>;
    const before = ssim(guess, target);
    assert.ok(Math.abs(ssimLoss(guess, target).dataSync()[0] - (1 - before)) < 1e-6);
    const optimizer = tf.train.adam(0.05);
    for (let i = 0; i < 20; i++) optimizer.minimize(() => ssimLoss(guess, target));
    assert.ok(ssim(guess, target) > before + 0.1, `SSIM ${before} → ${ssim(guess, target)}`);
    tf.dispose([target, guess]);
    optimizer.dispose();
  });
});
