// The VAE's pieces: the closed-form KL, the reparameterised sample, the ELBO, the importance-weighted
// bound and its stable log-mean-exp, active units, binarisation, and the training loop's loss terms.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { VariationalAutoencoder, reparameterize } from "../../lib/src/models/vae";
import { klToStandardNormal, gaussianLogDensity } from "../../lib/src/losses/kl";
import { elboTerms, negativeElbo } from "../../lib/src/losses/elbo";
import { activeUnits, iwaeBound, iwaeBoundPerImage, logImportanceWeights, logMeanExp } from "../../lib/src/metrics/iwae";
import { binarize, binarizeDataset } from "../../lib/src/data/binarize";
import { ImageDataset } from "../../lib/src/data/dataset";
import { train } from "../../lib/src/training/train";
import { randomArray } from "./helpers";
import { noiseSeed, setNoiseSeed } from "../../lib/src/random";

before(async () => {
  await tf.setBackend("cpu");
});

/** Binary 4×4 images made from two prototypes with flipped pixels: a toy a 2-D VAE can model. */
function toyBinaryImages(n: number, seed: number): ImageDataset {
  const noise = randomArray(n * 16, seed, 0, 1);
  const images = new Float32Array(n * 16);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < 16; p++) {
      const on = labels[i] === 0 ? p < 8 : p % 2 === 0;
      images[i * 16 + p] = (noise[i * 16 + p] < 0.1 ? !on : on) ? 1 : 0;
    }
  }
  return new ImageDataset(images, labels, [4, 4, 1], ["a", "b"], "toy");
}

function leaks(f: () => void): number {
  const before = tf.memory().numTensors;
  f();
  return tf.memory().numTensors - before;
}

describe("klToStandardNormal", () => {
  it("matches hand-computed values", () => {
    // ½[(1 + 1 − 0 − 1) + (0 + 2 − log 2 − 1)] and exactly 0 for q = p.
    const kl = klToStandardNormal(tf.tensor2d([[1, 0], [0, 0]]), tf.tensor2d([[0, Math.log(2)], [0, 0]])).arraySync();
    assert.ok(Math.abs(kl[0] - 0.5 * (1 + 1 - Math.log(2))) < 1e-6, `got ${kl[0]}`);
    assert.ok(Math.abs(kl[1]) < 1e-7);
  });

  it("agrees with a Monte Carlo estimate of E_q[log q(z) − log p(z)]", () => {
    const mean = tf.tensor2d([[0.8, -1.5, 0.2]]);
    const logVar = tf.tensor2d([[-1, 0.5, -2.5]]);
    const closed = klToStandardNormal(mean, logVar).arraySync()[0];
    const n = 100_000;
    const m = tf.tile(mean, [n, 1]) as tf.Tensor2D, lv = tf.tile(logVar, [n, 1]) as tf.Tensor2D;
    const z = reparameterize(m, lv, 7);
    const mc = tf.mean(tf.sub(gaussianLogDensity(z, m, lv), gaussianLogDensity(z))).arraySync() as number;
    assert.ok(Math.abs(mc - closed) / closed < 0.02, `closed form ${closed}, Monte Carlo ${mc}`);
    tf.dispose([mean, logVar, m, lv, z]);
  });

  it("refuses mismatched shapes with both shapes in the message", () => {
    assert.throws(() => klToStandardNormal(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D), /\[2,3\].*\[2,4\]/);
  });
});

describe("reparameterize", () => {
  it("draws samples with the requested mean and variance, reproducibly from a seed", () => {
    const n = 50_000;
    const z = reparameterize(tf.fill([n, 2], 3) as tf.Tensor2D, tf.tensor2d(new Float32Array(2 * n).map((_, i) => (i % 2 ? Math.log(4) : Math.log(0.25))), [n, 2]), 5);
    const { mean, variance } = tf.moments(z, 0);
    const [m0, m1] = mean.arraySync() as number[], [v0, v1] = variance.arraySync() as number[];
    assert.ok(Math.abs(m0 - 3) < 0.02 && Math.abs(m1 - 3) < 0.04, `means ${m0}, ${m1}`);
    assert.ok(Math.abs(v0 - 0.25) < 0.01 && Math.abs(v1 - 4) < 0.15, `variances ${v0}, ${v1} (want 0.25 and 4: exp(logVar), not logVar)`);
    const a = reparameterize(tf.zeros([3, 2]) as tf.Tensor2D, tf.zeros([3, 2]) as tf.Tensor2D, 11).arraySync();
    const b = reparameterize(tf.zeros([3, 2]) as tf.Tensor2D, tf.zeros([3, 2]) as tf.Tensor2D, 11).arraySync();
    const c = reparameterize(tf.zeros([3, 2]) as tf.Tensor2D, tf.zeros([3, 2]) as tf.Tensor2D, 12).arraySync();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it("lets gradients reach the mean and the log-variance", () => {
    const mean = tf.tensor2d([[0.5, -0.5]]), logVar = tf.tensor2d([[0.1, -0.3]]);
    const [gm, gv] = tf.grads((m: tf.Tensor, v: tf.Tensor) => tf.sum(tf.square(reparameterize(m as tf.Tensor2D, v as tf.Tensor2D, 3))))([mean, logVar]);
    assert.ok((gm.arraySync() as number[][]).flat().every((g: number) => g !== 0));
    assert.ok((gv.arraySync() as number[][]).flat().every((g: number) => g !== 0 && Number.isFinite(g)));
  });
});

describe("logMeanExp", () => {
  it("equals the naive formula where that is finite, and stays finite where it overflows", () => {
    const w = tf.tensor2d([[0.1, -0.3, 1.2], [2, 2, 2]]);
    const naive = tf.log(tf.mean(tf.exp(w), 1)).arraySync() as number[];
    const stable = logMeanExp(w, 1).arraySync() as number[];
    naive.forEach((v, i) => assert.ok(Math.abs(v - stable[i]) < 1e-5));
    const big = tf.tensor2d([[1000, 1000, 999], [-1000, -1001, -1002]]);
    assert.ok(!Number.isFinite((tf.log(tf.mean(tf.exp(big), 1)).arraySync() as number[])[0]), "the naive formula should overflow here");
    const [hi, lo] = logMeanExp(big, 1).arraySync() as number[];
    assert.ok(Math.abs(hi - (1000 + Math.log((2 + Math.exp(-1)) / 3))) < 1e-3, `got ${hi}`);
    assert.ok(Math.abs(lo - (-1000 + Math.log((1 + Math.exp(-1) + Math.exp(-2)) / 3))) < 1e-3, `got ${lo}`);
    assert.equal((logMeanExp(tf.tensor1d([-Infinity, -Infinity])).arraySync() as number), -Infinity);
  });
});

describe("VariationalAutoencoder", () => {
  it("says what is wrong with a bad configuration or input", () => {
    assert.throws(() => new VariationalAutoencoder({ inputSize: 16, hidden: [8], latentSize: 2, likelihood: "poisson" as never }), /unknown likelihood "poisson".*"bernoulli".*"gaussian"/);
    assert.throws(() => new VariationalAutoencoder({ inputSize: 16, hidden: [8], latentSize: 0 }), /latentSize must be a positive integer/);
    const m = new VariationalAutoencoder({ inputSize: 16, hidden: [8], latentSize: 2 });
    assert.throws(() => m.posterior(tf.zeros([3, 15]) as tf.Tensor2D), /input has shape \[3,15\], expected \[batch, 16\]/);
    assert.throws(() => m.decode(tf.zeros([3, 5]) as tf.Tensor2D), /code has shape \[3,5\], expected \[batch, 2\]; pass codes of latentSize 2/);
    m.dispose();
  });

  it("computes the ELBO split into its terms, with no leaks in any method", () => {
    for (const config of [{ likelihood: "bernoulli" as const }, { likelihood: "gaussian" as const, gaussianVariance: "learned" as const }]) {
      const m = new VariationalAutoencoder({ inputSize: 16, hidden: [8], latentSize: 2, ...config });
      const x = tf.tensor2d(randomArray(5 * 16, 2, 0, 1), [5, 16]);
      assert.equal(leaks(() => {
        const t = elboTerms(m, x, 1);
        const [rec, kl, elbo] = [t.reconstruction.arraySync(), t.kl.arraySync(), t.elbo.arraySync()];
        elbo.forEach((e, i) => assert.ok(Math.abs(e - (rec[i] - kl[i])) < 1e-4));
        assert.ok(kl.every((k) => k >= 0));
        if (config.likelihood === "bernoulli") assert.ok(rec.every((r) => r < 0), "a Bernoulli log-likelihood is negative");
        const { loss, terms } = negativeElbo(m, x, 2);
        assert.equal(Object.keys(terms).length, 2);
        tf.dispose([t.reconstruction, t.kl, t.elbo, loss, ...Object.values(terms)]);
        tf.dispose([m.encode(x), m.reconstruct(x), m.samplePrior(3, 1), logImportanceWeights(m, x, 4, 1)]);
      }), 0);
      x.dispose();
      m.dispose();
    }
  });

  it("gives negativeElbo = −reconstruction + β·KL", () => {
    const m = new VariationalAutoencoder({ inputSize: 16, hidden: [8], latentSize: 2 });
    const x = tf.tensor2d(randomArray(4 * 16, 3, 0, 1), [4, 16]);
    const { loss, terms } = negativeElbo(m, x, 3);
    const [l, r, k] = [loss, terms.reconstruction, terms.KL].map((t) => t.arraySync() as number);
    assert.ok(Math.abs(l - (r + 3 * k)) < 1e-4, `${l} vs ${r} + 3·${k}`);
    assert.throws(() => negativeElbo(m, x, -1), /beta must be a number ≥ 0/);
    m.dispose();
  });
});

describe("training a toy VAE, then its bounds", () => {
  const data = toyBinaryImages(400, 1);
  const model = new VariationalAutoencoder({ inputSize: 16, hidden: [32], latentSize: 2, seed: 3 });

  it("charts the loss with its reconstruction and KL parts", async () => {
    const history = await train({
      loss: (b) => negativeElbo(model, b.x), train: data, validation: data.take(100), variables: model.variables,
      optimizer: tf.train.adam(1e-2), epochs: 15, batchSize: 50, progress: "none", seed: 1,
    });
    const last = history.epochs[history.epochs.length - 1];
    assert.ok(last.terms && last.valTerms, "the epoch log has the loss terms");
    assert.ok(Math.abs(last.loss - (last.terms.reconstruction + last.terms.KL)) < 1e-3);
    assert.ok(last.loss < history.epochs[0].loss, "the ELBO improved");
  });

  it("IWAE with k = 1 equals the ELBO in expectation, and the bound rises with k", () => {
    const test = data.take(200);
    const x = test.toTensor();
    let elbo = 0;
    for (let s = 0; s < 20; s++) {
      const t = elboTerms(model, x, 100 + s);
      elbo += (t.elbo.mean().arraySync() as number) / 20;
      tf.dispose([t.reconstruction, t.kl, t.elbo]);
    }
    x.dispose();
    const k1 = [0, 1, 2, 3, 4].map((s) => iwaeBound(model, test, 1, { seed: 1000 * s })).reduce((a, b) => a + b) / 5;
    assert.ok(Math.abs(k1 - elbo) < 0.05 * Math.abs(elbo), `IWAE k=1 ${k1} vs ELBO ${elbo}`);
    const bounds = [1, 10, 100].map((k) => iwaeBound(model, test, k, { seed: 5, sampleChunk: 7 }));
    assert.ok(bounds[0] < bounds[1] && bounds[1] < bounds[2], `bounds for k = 1, 10, 100: ${bounds}`);
    assert.equal(leaks(() => iwaeBound(model, test.take(10), 30, { sampleChunk: 8 })), 0);
    const perImage = iwaeBoundPerImage(model, test, 10, { seed: 5, sampleChunk: 7 });
    assert.equal(perImage.length, test.size);
    assert.equal(perImage.reduce((a, b) => a + b, 0) / test.size, bounds[1], "their mean is the bound, to the last bit");
  });

  it("stays finite where exp of the log weights underflows", () => {
    // A Gaussian decoder with a tiny variance puts log weights near −10⁵: exp() is 0 in float32.
    const sharp = new VariationalAutoencoder({ inputSize: 16, hidden: [8], latentSize: 2, likelihood: "gaussian", gaussianVariance: 1e-5 });
    const w = logImportanceWeights(sharp, data.take(5).toTensor(), 10, 1);
    assert.ok((w.max().arraySync() as number) < -1000, "the log weights are far below exp's range");
    assert.ok(!Number.isFinite(Math.log((w.exp().mean().arraySync() as number))), "the naive estimate is −∞");
    assert.ok(Number.isFinite(iwaeBound(sharp, data.take(5), 1000, { sampleChunk: 128 })));
    w.dispose();
    sharp.dispose();
  });

  it("counts active units: a dimension whose posterior mean ignores x is inactive", () => {
    const all = activeUnits(model, data);
    assert.equal(all.variances.length, 2);
    assert.equal(all.count, all.variances.filter((v) => v > 0.01).length);
    // Zero the weights into the first mean: it becomes a constant, whatever the image.
    const head = model.encoder.layers[model.encoder.layers.length - 1];
    const [kernel, bias] = head.getWeights();
    const mask = tf.tensor2d([1, 0, 0, 0].map((v) => 1 - v), [1, 4]);
    head.setWeights([tf.mul(kernel, mask), bias]);
    const after = activeUnits(model, data);
    assert.ok(after.variances[0] < 1e-10, `variance ${after.variances[0]}`);
    assert.equal(after.count, all.variances[1] > 0.01 ? 1 : 0);
  });
});

describe("binarisation", () => {
  it("binarize draws 1 with probability equal to the grey level, reproducibly", () => {
    const p = tf.tensor2d(new Float32Array(20_000).map((_, i) => (i % 2 ? 0.2 : 0.9)), [10_000, 2]);
    const b = binarize(p, 3);
    const means = tf.mean(b, 0).arraySync() as number[];
    assert.ok(Math.abs(means[0] - 0.9) < 0.015 && Math.abs(means[1] - 0.2) < 0.015, `means ${means}`);
    assert.ok(b.dataSync().every((v) => v === 0 || v === 1));
    assert.deepEqual(binarize(p, 3).arraySync(), b.arraySync());
    assert.equal(leaks(() => binarize(p, 4).dispose()), 0);
  });

  it("binarizeDataset is one fixed binarisation per seed", () => {
    const grey = new ImageDataset(randomArray(50 * 16, 9, 0, 1), new Int32Array(50), [4, 4, 1], ["x"], "grey");
    const a = binarizeDataset(grey, 1), b = binarizeDataset(grey, 1), c = binarizeDataset(grey, 2);
    assert.deepEqual(a.images, b.images);
    assert.notDeepEqual(a.images, c.images);
    assert.ok(a.images.every((v) => v === 0 || v === 1));
    assert.match(a.name, /binarised \(seed 1\)/);
  });
});

describe("prior helpers", () => {
  it("normalQuantile inverts the normal CDF", async () => {
    const { normalQuantile } = await import("../../lib/src/random");
    assert.ok(Math.abs(normalQuantile(0.5)) < 1e-9);
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959963985) < 1e-6);
    assert.ok(Math.abs(normalQuantile(0.001) + 3.090232306) < 1e-6);
    assert.throws(() => normalQuantile(1), /p must be in \(0, 1\)/);
  });

  it("fittedGaussianKlToStandardNormal is about 0 for prior samples and grows when codes drift or shrink", async () => {
    const { fittedGaussianKlToStandardNormal } = await import("../../lib/src/metrics/gaussianFit");
    const z = tf.randomNormal([20_000, 3], 0, 1, "float32", 4);
    const values = z.dataSync() as Float32Array;
    assert.ok(fittedGaussianKlToStandardNormal({ values, dim: 3 }).kl < 0.01);
    const shifted = values.map((v, i) => (i % 3 === 0 ? v + 2 : v)); // KL of a unit shift: ½·2² = 2
    assert.ok(Math.abs(fittedGaussianKlToStandardNormal({ values: shifted, dim: 3 }).kl - 2) < 0.05);
    const squeezed = values.map((v) => 0.1 * v); // ½·3·(0.01 − 1 − ln 0.01)
    assert.ok(Math.abs(fittedGaussianKlToStandardNormal({ values: squeezed, dim: 3 }).kl - 1.5 * (0.01 - 1 - Math.log(0.01))) < 0.05);
    z.dispose();
  });
});

describe("reproducible noise", () => {
  // Two runs in one process differ in everything the library does not reset: tensor ids, variable
  // names, the state of the noise stream before the run. Only the seeds should matter.
  async function trainOnce(seed: number, binarizeInside: boolean): Promise<Float32Array[]> {
    const model = new VariationalAutoencoder({ inputSize: 16, hidden: [8], latentSize: 2, seed: 3 });
    await train({
      train: toyBinaryImages(64, 1), epochs: 2, batchSize: 16, seed, progress: "none", variables: model.variables,
      optimizer: tf.train.adam(1e-2),
      loss: (b) => negativeElbo(model, binarizeInside ? binarize(b.x) : b.x), // no seed given: the library seeds it
    });
    const weights = model.variables.map((v) => v.dataSync() as Float32Array).map((a) => Float32Array.from(a));
    model.dispose();
    return weights;
  }

  it("two short VAE trainings with the same seed give identical weights (noise and binarisation unseeded by the caller)", async () => {
    const a = await trainOnce(7, true);
    tf.randomNormal([3]).dispose(); // draws in between must not matter
    reparameterize(tf.zeros([2, 2]), tf.zeros([2, 2])).dispose();
    const b = await trainOnce(7, true);
    assert.equal(a.length, b.length);
    a.forEach((w, i) => assert.deepEqual(w, b[i], `variable ${i} differs between the two runs`));
  });

  it("another training seed gives other noise, hence other weights", async () => {
    const a = await trainOnce(7, false);
    const b = await trainOnce(8, false);
    assert.ok(a.some((w, i) => w.some((x, j) => x !== b[i][j])), "the seed of train() reaches the reparameterisation noise");
  });

  it("outside train(), unseeded draws follow the stream: the same after setNoiseSeed, different from one call to the next", () => {
    const draw = () => Array.from(reparameterize(tf.zeros([1, 4]), tf.zeros([1, 4])).dataSync());
    setNoiseSeed(11);
    const first = draw(), second = draw();
    setNoiseSeed(11);
    assert.deepEqual(draw(), first);
    assert.notDeepEqual(second, first);
    assert.equal(noiseSeed(5), 5, "an explicit seed is used as given");
  });

  it("a seed of 0 is a seed: tfjs would draw from Math.random for it, the course's draws repeat", () => {
    assert.notEqual(noiseSeed(0), 0);
    const draw = () => Array.from(reparameterize(tf.zeros([1, 4]), tf.zeros([1, 4]), 0).dataSync());
    assert.deepEqual(draw(), draw());
    const x = tf.fill([3, 20], 0.5) as tf.Tensor2D;
    const once = () => Array.from(binarize(x, 0).dataSync());
    assert.deepEqual(once(), once());
    x.dispose();
  });
});
