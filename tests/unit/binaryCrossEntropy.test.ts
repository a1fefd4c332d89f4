import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { binaryCrossEntropyFromLogits } from "../../lib/src/losses/binaryCrossEntropy";

before(async () => {
  await tf.setBackend("cpu");
});

const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
const naiveBce = (l: number, t: number) => -(t * Math.log(sigmoid(l)) + (1 - t) * Math.log(1 - sigmoid(l)));

describe("binaryCrossEntropyFromLogits", () => {
  const logits = [-3, -0.5, 0, 0.7, 2.5, 4];
  const targets = [0, 0.2, 0.5, 1, 0.9, 0];

  it("equals the textbook formula on moderate logits", () => {
    const expected = logits.reduce((s, l, i) => s + naiveBce(l, targets[i]), 0) / logits.length;
    const got = binaryCrossEntropyFromLogits(tf.tensor1d(logits), tf.tensor1d(targets)).dataSync()[0];
    assert.ok(Math.abs(got - expected) < 1e-5, `${got} vs ${expected}`);
  });

  it("stays finite and exact where log(sigmoid) would overflow", () => {
    const got = binaryCrossEntropyFromLogits(tf.tensor1d([100, -100, 100]), tf.tensor1d([1, 0, 0])).dataSync()[0];
    assert.ok(Number.isFinite(got));
    assert.ok(Math.abs(got - 100 / 3) < 1e-4, `${got}`); // the last element costs 100, the others ~0
  });

  it("has gradient (sigmoid(l) - t) / n, checked against finite differences", () => {
    const t = tf.tensor1d(targets);
    const g = tf.grad((l: tf.Tensor) => binaryCrossEntropyFromLogits(l, t))(tf.tensor1d(logits)).dataSync();
    logits.forEach((l, i) => {
      const analytic = (sigmoid(l) - targets[i]) / logits.length;
      const h = 1e-3;
      const plus = [...logits]; plus[i] += h;
      const minus = [...logits]; minus[i] -= h;
      const f = (ls: number[]) => ls.reduce((s, v, j) => s + naiveBce(v, targets[j]), 0) / ls.length;
      const numeric = (f(plus) - f(minus)) / (2 * h);
      assert.ok(Math.abs(g[i] - analytic) < 1e-5, `autodiff ${g[i]} vs analytic ${analytic}`);
      assert.ok(Math.abs(g[i] - numeric) < 1e-4, `autodiff ${g[i]} vs finite difference ${numeric}`);
    });
  });

  it("leaks no tensors and rejects mismatched shapes", () => {
    const l = tf.tensor2d([[0.1, 0.2]]);
    const t = tf.tensor2d([[1, 0]]);
    const before = tf.memory().numTensors;
    binaryCrossEntropyFromLogits(l, t).dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => binaryCrossEntropyFromLogits(l, tf.tensor1d([1, 0])), /logits have shape \[1,2\] but targets have shape \[2\]/);
  });
});
