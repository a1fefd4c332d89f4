import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { MlpAutoencoder } from "../../lib/src/models/mlpAutoencoder";
import { binaryCrossEntropyFromLogits } from "../../lib/src/losses/binaryCrossEntropy";
import { randomArray } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

describe("MlpAutoencoder", () => {
  it("has mirrored layers with the expected parameter count", () => {
    const m = new MlpAutoencoder({ inputSize: 20, hidden: [12, 8], codeSize: 3 });
    const dense = (i: number, o: number) => i * o + o;
    assert.equal(m.countParams(), dense(20, 12) + dense(12, 8) + dense(8, 3) + dense(3, 8) + dense(8, 12) + dense(12, 20));
    assert.equal(m.variables.length, 12, "a kernel and a bias per layer");
    m.dispose();
  });

  it("encodes to the code size and reconstructs into [0, 1] without leaking", () => {
    const m = new MlpAutoencoder({ inputSize: 20, hidden: [8], codeSize: 2 });
    const x = tf.tensor2d(randomArray(5 * 20, 1, 0, 1), [5, 20]);
    const before = tf.memory().numTensors;
    const z = m.encode(x);
    const r = m.reconstruct(x);
    assert.deepEqual(z.shape, [5, 2]);
    assert.deepEqual(r.shape, [5, 20]);
    assert.ok(r.dataSync().every((p) => p > 0 && p < 1));
    tf.dispose([z, r]);
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => m.encode(tf.zeros([5, 21]) as tf.Tensor2D), /input has shape \[5,21\], expected \[batch, 20\]/);
    assert.throws(() => m.decodeLogits(tf.zeros([5, 3]) as tf.Tensor2D), /code has shape \[5,3\], expected \[batch, 2\]/);
    m.dispose();
  });

  it("learns: the Bernoulli loss falls when trained on a small batch", () => {
    const m = new MlpAutoencoder({ inputSize: 16, hidden: [8], codeSize: 4, seed: 3 });
    const x = tf.tensor2d(randomArray(32 * 16, 2, 0, 1), [32, 16]);
    const opt = tf.train.adam(0.01);
    const loss = () => binaryCrossEntropyFromLogits(m.decodeLogits(m.encode(x)), x);
    const first = tf.tidy(() => loss().dataSync()[0]);
    for (let i = 0; i < 100; i++) tf.dispose(opt.minimize(loss, true, m.variables) ?? []);
    const last = tf.tidy(() => loss().dataSync()[0]);
    assert.ok(last < first - 0.02, `loss ${first} -> ${last}`);
    m.dispose();
  });
});
