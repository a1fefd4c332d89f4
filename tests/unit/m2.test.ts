// The conditional VAE and the M2 semi-supervised model: conditions, the unlabelled bound, gradients.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { VariationalAutoencoder } from "../../lib/src/models/vae";
import { SemiSupervisedVae } from "../../lib/src/models/m2";
import { M1Codes, StackedM1M2 } from "../../lib/src/models/m1m2";
import { oneHot, endlessBatches } from "../../lib/src/data/labels";
import { ImageDataset } from "../../lib/src/data/dataset";
import { randomArray } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

describe("oneHot and endlessBatches", () => {
  it("one-hot rows, and a label outside the classes named in the error", () => {
    assert.deepEqual(oneHot([2, 0], 3).arraySync(), [[0, 0, 1], [1, 0, 0]]);
    assert.throws(() => oneHot([1, 10], 10), /label 10 at index 1 is outside 0\.\.9/);
    assert.throws(() => oneHot([-1], 10), /label -1 at index 0/);
  });

  it("cycles a small labelled set, reshuffled on every pass", () => {
    const data = new ImageDataset(new Float32Array(5 * 4), Int32Array.from([0, 1, 2, 3, 4]), [2, 2, 1], ["a", "b", "c", "d", "e"], "five");
    const it = endlessBatches(data, 2, 1);
    const seen: number[][] = [];
    for (let i = 0; i < 9; i++) { const b = it.next().value!; seen.push(Array.from(b.indices)); b.x.dispose(); }
    const firstPass = seen.slice(0, 3).flat().sort(), secondPass = seen.slice(3, 6).flat().sort();
    assert.deepEqual(firstPass, [0, 1, 2, 3, 4]);
    assert.deepEqual(secondPass, [0, 1, 2, 3, 4]);
    assert.notDeepEqual(seen.slice(0, 3).flat(), seen.slice(3, 6).flat());
  });
});

describe("conditional VAE", () => {
  it("asks for a condition exactly when it is conditional, with the shape it needs", () => {
    const cvae = new VariationalAutoencoder({ inputSize: 8, hidden: [6], latentSize: 2, conditionSize: 3 });
    const x = tf.zeros([4, 8]) as tf.Tensor2D;
    assert.throws(() => cvae.posterior(x), /conditional: pass posterior\(\) a condition of shape \[batch, 3\]/);
    assert.throws(() => cvae.posterior(x, oneHot([0, 1], 3)), /condition has shape \[2,3\], expected \[4, 3\]/);
    assert.deepEqual(cvae.reconstruct(x, oneHot([0, 1, 2, 0], 3)).shape, [4, 8]);
    const plain = new VariationalAutoencoder({ inputSize: 8, hidden: [6], latentSize: 2 });
    assert.throws(() => plain.decode(tf.zeros([4, 2]) as tf.Tensor2D, oneHot([0, 1, 2, 0], 3)), /not conditional/);
    cvae.dispose();
    plain.dispose();
  });

  it("decodes the same z differently for different labels", () => {
    const cvae = new VariationalAutoencoder({ inputSize: 8, hidden: [6], latentSize: 2, conditionSize: 3, seed: 2 });
    const z = tf.zeros([1, 2]) as tf.Tensor2D;
    const a = cvae.decode(z, oneHot([0], 3)).arraySync(), b = cvae.decode(z, oneHot([1], 3)).arraySync();
    assert.notDeepEqual(a, b);
    cvae.dispose();
  });
});

describe("posteriorForEveryCondition", () => {
  it("equals the posterior with each one-hot condition, row k·batch + i", () => {
    const cvae = new VariationalAutoencoder({ inputSize: 8, hidden: [6, 5], latentSize: 2, conditionSize: 3, seed: 4 });
    const x = tf.tensor2d(randomArray(4 * 8, 7, 0, 1), [4, 8]);
    const all = cvae.posteriorForEveryCondition(x);
    for (let k = 0; k < 3; k++) {
      const one = cvae.posterior(x, oneHot([k, k, k, k], 3));
      const rows = (t: tf.Tensor2D) => t.slice([4 * k, 0], [4, 2]).arraySync();
      assert.ok(tf.max(tf.abs(tf.sub(rows(all.mean) as unknown as tf.Tensor, one.mean))).arraySync() as number < 1e-5);
      assert.ok(tf.max(tf.abs(tf.sub(rows(all.logVar) as unknown as tf.Tensor, one.logVar))).arraySync() as number < 1e-5);
    }
    assert.throws(() => new VariationalAutoencoder({ inputSize: 8, hidden: [6], latentSize: 2 }).posteriorForEveryCondition(x), /not conditional/);
    cvae.dispose();
  });
});

describe("SemiSupervisedVae (M2)", () => {
  const model = new SemiSupervisedVae({ inputSize: 8, classes: 3, classifierHidden: [5], hidden: [6], latentSize: 2, seed: 1 });
  const x = tf.tensor2d(randomArray(4 * 8, 3, 0, 1), [4, 8]);

  it("U(x) = Σ_y q(y|x) L(x, y) + H(q(y|x)), checked class by class", () => {
    // A near-deterministic encoder (log σ² ≈ −40), so the sampled z is the mean and bounds do not depend on the noise.
    const head = model.cvae.encoder.layers[model.cvae.encoder.layers.length - 1];
    const [kernel, bias] = head.getWeights();
    head.setWeights([tf.mul(kernel, tf.tensor2d([[1, 1, 0, 0]])), tf.tensor1d([0.3, -0.2, -40, -40])]);
    const u = model.unlabelledBound(x, 1).arraySync();
    const logQ = model.classLogProbs(x).arraySync();
    const perClass = [0, 1, 2].map((k) => model.labelledBound(x, oneHot([k, k, k, k], 3), 5).arraySync());
    u.forEach((value, i) => {
      const q = logQ[i].map(Math.exp);
      const expected = q.reduce((s, qk, k) => s + qk * perClass[k][i] - qk * logQ[i][k], 0);
      assert.ok(Math.abs(value - expected) < 1e-3 * Math.abs(expected), `image ${i}: U ${value}, by hand ${expected}`);
    });
    head.setWeights([kernel, bias]);
  });

  it("the unlabelled term alone trains the classifier, and nothing leaks", () => {
    const classifierVars = model.variables.slice(0, 4);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.neg(tf.mean(model.unlabelledBound(x))) as tf.Scalar, classifierVars);
    const norms = Object.values(grads).map((g) => tf.tidy(() => tf.norm(g).arraySync() as number));
    assert.ok(norms.every((n) => n > 0 && Number.isFinite(n)), `gradient norms ${norms}`);
    tf.dispose([value, ...Object.values(grads)]);
    const y = oneHot([0, 1, 2, 0], 3);
    const out = model.loss({ x, y }, x, 2);
    tf.dispose([y, out.loss, ...Object.values(out.terms)]);
    model.predict(x);
    assert.equal(tf.memory().numTensors, before);
  });

  it("the loss is the sum of its parts, α weighting the cross-entropy, and refuses mismatched images", () => {
    const y = oneHot([0, 1, 2, 0], 3);
    const out = model.loss({ x, y }, x, 3);
    const [l, a, b, c] = [out.loss, out.terms.labelled, out.terms.unlabelled, out.terms["cross-entropy"]].map((t) => t.arraySync() as number);
    // Each bound uses its own sample: compare loosely, and exactly for the α part via a second α.
    const out0 = model.loss({ x, y }, x, 0);
    assert.ok(Math.abs(l - (a + b + 3 * c)) < 1e-3);
    assert.ok(Math.abs((out0.terms["cross-entropy"].arraySync() as number) - c) < 1e-6);
    assert.throws(() => model.loss({ x: tf.zeros([2, 7]) as tf.Tensor2D, y: oneHot([0, 1], 3) }, x, 1), /labelled images have 7 pixels but unlabelled ones have 8/);
  });
});

describe("M1 + M2 (StackedM1M2 on M1Codes)", () => {
  // A small M1: 8 pixels, a code of 3 dimensions of which the last is switched off (its mean is constant).
  const m1 = new VariationalAutoencoder({ inputSize: 8, hidden: [6], latentSize: 3, seed: 2 });
  {
    const head = m1.encoder.layers[m1.encoder.layers.length - 1];
    const [kernel, bias] = head.getWeights();
    // Dimensions 0 and 1 carry the image (large, varying means; σ² ≈ e⁻⁴), dimension 2 is the prior's (μ = 0, σ² = 1).
    head.setWeights([tf.mul(kernel, tf.tensor2d([[20, 20, 0, 0, 0, 0]])), tf.mul(bias, tf.tensor1d([1, 1, 0, 0, 0, 0])).add(tf.tensor1d([0, 0, 0, -4, -4, 0]))]);
  }
  const images = new ImageDataset(randomArray(40 * 8, 9, 0, 1), Int32Array.from({ length: 40 }, (_, i) => i % 3), [2, 4, 1], ["a", "b", "c"], "toy");
  const codes = new M1Codes(m1, images);
  const rows = codes.posteriors(images);
  const model = new StackedM1M2(codes, { classes: 3, classifierHidden: [5], hidden: [4], latentSize: 2, seed: 3 });
  const batch = tf.tensor2d(rows.images.slice(0, 6 * rows.featureSize), [6, rows.featureSize]);

  it("keeps the active dimensions, standardised over the images it was fitted on", () => {
    assert.deepEqual(codes.dims, [0, 1]);
    const k = codes.size;
    for (let c = 0; c < k; c++) {
      let m = 0, v = 0;
      for (let i = 0; i < rows.size; i++) m += rows.images[i * 2 * k + c] / rows.size;
      for (let i = 0; i < rows.size; i++) v += (rows.images[i * 2 * k + c] - m) ** 2 / rows.size;
      assert.ok(Math.abs(m) < 1e-4 && Math.abs(v - 1) < 1e-3, `dimension ${c}: mean ${m}, variance ${v}`);
    }
    assert.deepEqual(Array.from(codes.means(images).features.slice(0, 2)), Array.from(rows.images.slice(0, 2)));
    codes.dims.forEach((j) => assert.ok(codes.signal[j] > codes.noise[j]));
    assert.ok(codes.signal[2] < 1e-10, "the switched-off dimension's mean does not vary");
    const collapsed = new VariationalAutoencoder({ inputSize: 8, hidden: [6], latentSize: 2, seed: 2 });
    const head = collapsed.encoder.layers[collapsed.encoder.layers.length - 1];
    head.setWeights([tf.zeros(head.getWeights()[0].shape), tf.zeros([4])]);
    assert.throws(() => new M1Codes(collapsed, images), /in no dimension of the VAE's code does the posterior mean vary across toy more than its noise/);
    assert.throws(() => new M1Codes(collapsed, images, { activeAbove: 0.01 }), /vary across toy by more than 0.01/);
    assert.deepEqual(new M1Codes(m1, images, { activeAbove: 0 }).dims.length >= 2, true);
    collapsed.dispose();
  });

  it("M2 on the codes: a Gaussian p(z₁|y, z₂) with unbounded means, U checked class by class", () => {
    assert.equal(model.m2.cvae.likelihood, "gaussian");
    const z1 = model.sampleCodes(batch, 4);
    const big = tf.mul(z1, 50) as tf.Tensor2D; // codes far outside [0, 1]: the decoder must reach them
    const z2 = tf.fill([1, 2], 30) as tf.Tensor2D, y0 = oneHot([0], 3);
    assert.deepEqual(model.m2.cvae.decode(z2, y0).arraySync(), model.m2.cvae.decodeLogits(z2, y0).arraySync(), "means are not squashed into [0, 1]");
    const head = model.m2.cvae.encoder.layers[model.m2.cvae.encoder.layers.length - 1];
    const [kernel, bias] = head.getWeights();
    head.setWeights([tf.mul(kernel, tf.tensor2d([[1, 1, 0, 0]])), tf.tensor1d([0.3, -0.2, -40, -40])]);
    const u = model.m2.unlabelledBound(big, 1).arraySync();
    const logQ = model.m2.classLogProbs(big).arraySync();
    const perClass = [0, 1, 2].map((k) => model.m2.labelledBound(big, oneHot(new Array(6).fill(k), 3), 5).arraySync());
    u.forEach((value, i) => {
      const expected = logQ[i].reduce((s, lq, k) => s + Math.exp(lq) * (perClass[k][i] - lq), 0);
      assert.ok(Math.abs(value - expected) < 1e-3 * Math.abs(expected), `row ${i}: U ${value}, by hand ${expected}`);
    });
    head.setWeights([kernel, bias]);
    tf.dispose([z1, big]);
  });

  it("resamples z₁ from q(z₁|x) for every batch; predicts from its mean", () => {
    const a = model.sampleCodes(batch).arraySync(), b = model.sampleCodes(batch).arraySync();
    assert.notDeepEqual(a, b);
    const atMean = model.m2.predict(tf.slice(batch, [0, 0], [-1, codes.size]) as tf.Tensor2D);
    assert.deepEqual(model.predict(batch), atMean);
  });

  it("the unlabelled term alone trains the classifier; the loss is the sum of its parts; nothing leaks", () => {
    const classifierVars = model.variables.slice(0, 4);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.neg(tf.mean(model.m2.unlabelledBound(model.sampleCodes(batch)))) as tf.Scalar, classifierVars);
    const norms = Object.values(grads).map((g) => tf.tidy(() => tf.norm(g).arraySync() as number));
    assert.ok(norms.every((n) => n > 0 && Number.isFinite(n)), `gradient norms ${norms}`);
    tf.dispose([value, ...Object.values(grads)]);
    const y = oneHot([0, 1, 2, 0, 1, 2], 3);
    const out = model.loss({ rows: batch, y }, batch, 3);
    const [l, a, b, c] = [out.loss, out.terms.labelled, out.terms.unlabelled, out.terms["cross-entropy"]].map((t) => t.arraySync() as number);
    assert.ok(Math.abs(l - (a + b + 3 * c)) < 1e-3 * Math.abs(l), `${l} vs ${a} + ${b} + 3·${c}`);
    tf.dispose([y, out.loss, ...Object.values(out.terms)]);
    model.predict(batch);
    model.classEntropy(batch).dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it("refuses images where it needs code rows, naming what to pass", () => {
    const pixels = tf.zeros([2, 8]) as tf.Tensor2D;
    assert.throws(() => model.predict(pixels), /shape \[2,8\], expected \[batch, 4\]: rows of codes.posteriors\(images\), not images/);
    assert.throws(() => model.loss({ rows: batch, y: oneHot([0, 1, 2, 0, 1, 2], 3) }, pixels, 1), /the unlabelled batch has shape \[2,8\]/);
    pixels.dispose();
  });
});
