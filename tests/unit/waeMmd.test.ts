// The WAE-MMD penalty: near 0 for two samples of one distribution, larger the further apart they are,
// a gradient that moves the codes towards the prior, bad shapes refused, no tensor left behind.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { waeMmdPenalty } from "../../lib/src/losses/mmd";

before(async () => {
  await tf.setBackend("cpu");
});

describe("waeMmdPenalty", () => {
  it("reads near 0 for one distribution and grows with the distance between two", () => {
    const prior = tf.randomNormal([400, 2], 0, 1, "float32", 1) as tf.Tensor2D, same = tf.randomNormal([400, 2], 0, 1, "float32", 2) as tf.Tensor2D;
    const at = (shift: number) => waeMmdPenalty(tf.add(same, shift) as tf.Tensor2D, prior).dataSync()[0];
    assert.ok(Math.abs(at(0)) < 0.02, `same distribution: ${at(0)}`);
    assert.ok(at(0.5) > 0.05 && at(2) > at(0.5) && at(6) > at(2), `grows with the shift: ${at(0.5)}, ${at(2)}, ${at(6)}`);
  });

  it("matches a hand computation on two points each", () => {
    // One scale, d = 1: C = 2; codes 0 and 1, prior 0 and 3. k(0,1) = 2/3, k(0,3) = 2/11, k(1,0) = 2/3, k(1,3) = 2/6.
    const value = waeMmdPenalty(tf.tensor2d([[0], [1]]), tf.tensor2d([[0], [3]]), [1]).dataSync()[0];
    const within = (2 * (2 / 3)) / 2 + (2 * (2 / 11)) / 2, cross = (1 + 2 / 11 + 2 / 3 + 2 / 6) / 4;
    assert.ok(Math.abs(value - (within - 2 * cross)) < 1e-6, `${value} against ${within - 2 * cross}`);
  });

  it("its gradient moves shifted codes back towards the prior; nothing leaks; bad shapes are refused", () => {
    const prior = tf.randomNormal([200, 2], 0, 1, "float32", 3) as tf.Tensor2D, codes = tf.add(tf.randomNormal([200, 2], 0, 1, "float32", 4), 3) as tf.Tensor2D;
    const g = tf.grad((c: tf.Tensor) => waeMmdPenalty(c as tf.Tensor2D, prior))(codes);
    assert.ok(tf.mean(g).dataSync()[0] > 0, "codes shifted by +3 get a positive gradient: a descent step moves them down");
    const before = tf.memory().numTensors;
    waeMmdPenalty(codes, prior).dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => waeMmdPenalty(tf.zeros([4, 2]) as tf.Tensor2D, tf.zeros([4, 3]) as tf.Tensor2D), /same d/);
    assert.throws(() => waeMmdPenalty(tf.zeros([1, 2]) as tf.Tensor2D, tf.zeros([4, 2]) as tf.Tensor2D), /at least 2 codes/);
  });
});
