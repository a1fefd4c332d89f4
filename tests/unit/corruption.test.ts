import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { gaussianNoise, maskingNoise, saltAndPepperNoise } from "../../lib/src/data/corruption";

before(async () => {
  await tf.setBackend("cpu");
});

const N = 100_000;
const half = () => tf.fill([N / 1000, 1000], 0.5);

describe("corruption processes", () => {
  it("a seed of 0 is a seed too (tfjs alone would draw from Math.random for it)", () => {
    const x = tf.fill([4, 50], 0.5);
    for (const corrupt of [(t: tf.Tensor) => gaussianNoise(t, 0.3, 0), (t: tf.Tensor) => maskingNoise(t, 0.5, 0), (t: tf.Tensor) => saltAndPepperNoise(t, 0.5, 0)]) {
      const a = corrupt(x), b = corrupt(x);
      assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
      tf.dispose([a, b]);
    }
    x.dispose();
  });

  it("masking sets about a fraction p of pixels to 0 and leaves the rest unchanged", () => {
    const x = half();
    const y = maskingNoise(x, 0.3, 1);
    const v = y.dataSync();
    const zeros = v.filter((p) => p === 0).length;
    assert.ok(Math.abs(zeros / N - 0.3) < 0.01, `masked fraction ${zeros / N}`);
    assert.ok(v.every((p) => p === 0 || p === 0.5), "unmasked pixels keep their value");
    tf.dispose([x, y]);
  });

  it("salt and pepper replaces about a fraction p, half by 0 and half by 1", () => {
    const x = half();
    const v = saltAndPepperNoise(x, 0.2, 2).dataSync();
    const zeros = v.filter((p) => p === 0).length / N;
    const ones = v.filter((p) => p === 1).length / N;
    assert.ok(Math.abs(zeros - 0.1) < 0.01 && Math.abs(ones - 0.1) < 0.01, `pepper ${zeros}, salt ${ones}`);
    assert.ok(v.every((p) => p === 0 || p === 1 || p === 0.5));
    x.dispose();
  });

  it("Gaussian noise has the requested spread and stays in [0, 1]", () => {
    const x = half();
    const v = gaussianNoise(x, 0.1, 3).dataSync();
    let mean = 0;
    for (const p of v) mean += p / N;
    let variance = 0;
    for (const p of v) variance += (p - mean) ** 2 / N;
    assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
    assert.ok(Math.abs(Math.sqrt(variance) - 0.1) < 0.005, `std ${Math.sqrt(variance)}`);
    const wide = gaussianNoise(x, 2, 4).dataSync();
    assert.ok(wide.every((p) => p >= 0 && p <= 1), "clipped to [0, 1]");
    x.dispose();
  });

  it("is reproducible for a seed, different across seeds, and leaks nothing", () => {
    const x = half();
    const before = tf.memory().numTensors;
    for (const f of [(s: number) => maskingNoise(x, 0.5, s), (s: number) => saltAndPepperNoise(x, 0.5, s), (s: number) => gaussianNoise(x, 0.2, s)]) {
      const [a, b, c] = [f(7), f(7), f(8)];
      assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
      assert.notDeepEqual(Array.from(a.dataSync()), Array.from(c.dataSync()));
      tf.dispose([a, b, c]);
    }
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });

  it("rejects noise levels outside their range", () => {
    const x = half();
    assert.throws(() => maskingNoise(x, 1.5, 0), /p must be in \[0, 1\], got 1.5/);
    assert.throws(() => saltAndPepperNoise(x, -0.1, 0), /p must be in/);
    assert.throws(() => gaussianNoise(x, -1, 0), /sigma must be in/);
    x.dispose();
  });
});
