// The convolutional autoencoder: shapes, parameter count, argument errors, learning, no leaks.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ConvAutoencoder } from "../../lib/src/models/convAutoencoder";
import { binaryCrossEntropyFromLogits } from "../../lib/src/losses/binaryCrossEntropy";
import { loadFashionMnist } from "../../lib/src/data";
import { randomArray } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

describe("ConvAutoencoder", () => {
  it("has the parameter count of its layers, computed by hand", () => {
    const [filters, kernel, code, channels] = [[4, 8], 3, 8, 1];
    const m = new ConvAutoencoder({ filters, kernelSize: kernel, codeSize: code });
    const conv = (inC: number, outC: number) => kernel * kernel * inC * outC + outC; // kernel + bias
    const dense = (i: number, o: number) => i * o + o;
    const side = 28 / 2 ** filters.length; // two stride-2 convolutions: 28 -> 14 -> 7
    const flat = side * side * filters[1];
    const encoder = conv(channels, filters[0]) + conv(filters[0], filters[1]) + dense(flat, code);
    // Decoder: dense to the 7×7×8 maps, a transposed conv 8 -> 4, and the last one 4 -> 1 channel.
    const decoder = dense(code, flat) + conv(filters[1], filters[0]) + conv(filters[0], channels);
    assert.equal(m.countParams(), encoder + decoder);
    assert.equal(m.variables.length, 2 * 6, "a kernel and a bias for each of the six weighted layers");
    m.dispose();
  });

  it("encodes [n, 784] to the code, decodes back to [n, 784], reconstructs into [0, 1], without leaking", () => {
    const m = new ConvAutoencoder({ filters: [4, 8], codeSize: 8, seed: 1 });
    const x = tf.tensor2d(randomArray(3 * 784, 5, 0, 1), [3, 784]);
    const before = tf.memory().numTensors;
    const z = m.encode(x);
    const logits = m.decodeLogits(z);
    const r = m.reconstruct(x);
    assert.deepEqual(z.shape, [3, 8]);
    assert.deepEqual(logits.shape, [3, 784]);
    assert.deepEqual(r.shape, [3, 784]);
    const pixels = r.dataSync();
    assert.ok(pixels.every((p) => p >= 0 && p <= 1), "reconstruction in [0, 1]");
    // reconstruct is sigmoid(decodeLogits(encode(x))).
    const l = logits.dataSync();
    assert.ok(pixels.every((p, i) => Math.abs(p - 1 / (1 + Math.exp(-l[i]))) < 1e-5));
    tf.dispose([z, logits, r]);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    m.dispose();
  });

  it("rejects inputs and codes of the wrong shape, and images it cannot halve", () => {
    const m = new ConvAutoencoder({ filters: [4, 8], codeSize: 8 });
    const wide = tf.zeros([2, 783]) as tf.Tensor2D;
    const images = tf.zeros([2, 28, 28, 1]);
    const code = tf.zeros([2, 7]) as tf.Tensor2D;
    assert.throws(() => m.encode(wide), /ConvAutoencoder: input has shape \[2,783\], expected \[batch, 784\]/);
    assert.throws(() => m.encode(images as unknown as tf.Tensor2D), /input has shape \[2,28,28,1\], expected \[batch, 784\]/);
    assert.throws(() => m.reconstruct(wide), /expected \[batch, 784\]/);
    assert.throws(() => m.decodeLogits(code), /ConvAutoencoder: code has shape \[2,7\], expected \[batch, 8\]/);
    assert.throws(() => new ConvAutoencoder({ imageShape: [30, 30, 1], filters: [4, 8], codeSize: 8 }), /30×30 images cannot be halved 2 times/);
    tf.dispose([wide, images, code]);
    m.dispose();
  });

  it("learns: a few Adam steps on a tiny batch of Fashion-MNIST lower the Bernoulli loss", () => {
    const data = loadFashionMnist({ verify: false }).test.take(8);
    const m = new ConvAutoencoder({ filters: [4, 8], codeSize: 8, seed: 2 });
    const x = data.toTensor();
    const opt = tf.train.adam(0.01);
    const loss = () => binaryCrossEntropyFromLogits(m.decodeLogits(m.encode(x)), x);
    const first = tf.tidy(() => loss().dataSync()[0]);
    for (let i = 0; i < 15; i++) tf.dispose(opt.minimize(loss, true, m.variables)!);
    const last = tf.tidy(() => loss().dataSync()[0]);
    assert.ok(Number.isFinite(last) && last < first - 0.05, `loss ${first} -> ${last}`);
    tf.dispose([x]);
    opt.dispose();
    m.dispose();
  });
});
