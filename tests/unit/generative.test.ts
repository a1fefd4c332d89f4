// The tools of notebook 12: stop-gradient and straight-through, nearest codebook entries and their
// use, the VQ-VAE (loss, gradients, dead-code restarts), the EBGAN loss and phases, and sharpness.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { codebookUsage, fitIndependentIndexPrior, nearestCodes, sampleIndependentIndices, stopGradient, straightThrough, VqVae } from "../../lib/src/models/vqvae";
import { Ebgan } from "../../lib/src/models/ebgan";
import { Gan } from "../../lib/src/models/gan";
import { denseStack, layerVariables } from "../../lib/src/models/autoencoder";
import { discriminatorLoss, ebganDiscriminatorLoss, pullAwayTerm } from "../../lib/src/losses/adversarial";
import { laplacianVariance } from "../../lib/src/metrics/sharpness";
import { randomArray } from "./helpers";
import { indexGrids } from "../../lib/src/training/vqvae";
import { ImageDataset } from "../../lib/src/data/dataset";

before(async () => {
  await tf.setBackend("cpu");
});

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => Array.from(a).every((v, i) => Math.abs(v - b[i]) <= tol);

describe("stop-gradient and straight-through", () => {
  it("stopGradient passes values and blocks gradients", () => {
    const x = tf.tensor1d([1, -2, 3]);
    assert.deepEqual(Array.from(stopGradient(x).dataSync()), [1, -2, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.add(tf.mul(v, 2), tf.square(stopGradient(v)))))(x);
    assert.deepEqual(Array.from(g.dataSync()), [2, 2, 2], "only the term outside stopGradient has a gradient");
  });

  it("straightThrough returns the quantised values and hands the gradient to z", () => {
    const z = tf.tensor2d([[0.2, 0.7]]), q = tf.tensor2d([[0, 1]]), w = tf.tensor2d([[3, 5]]);
    assert.deepEqual(Array.from(straightThrough(z, q).dataSync()), [0, 1]);
    const [gz, gq] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(straightThrough(a as tf.Tensor2D, b as tf.Tensor2D), w)))([z, q]);
    assert.deepEqual(Array.from(gz.dataSync()), [3, 5]);
    assert.deepEqual(Array.from(gq.dataSync()), [0, 0]);
  });
});

describe("codebook lookup and use", () => {
  it("finds the nearest entry of each vector and checks the widths", () => {
    const codebook = tf.tensor2d([[0, 0], [10, 0], [0, 10]]);
    assert.deepEqual(Array.from(nearestCodes(tf.tensor2d([[1, 1], [9, 2], [-1, 7], [6, 5]]), codebook).dataSync()), [0, 1, 2, 1]);
    assert.throws(() => nearestCodes(tf.zeros([2, 3]) as tf.Tensor2D, codebook), /vectors \[2,3\] and codebook \[3,2\]/);
  });

  it("counts entries used and their perplexity: K for uniform use, 1 for a single entry", () => {
    const uniform = codebookUsage([0, 1, 2, 3, 0, 1, 2, 3], 6);
    assert.equal(uniform.codesUsed, 4);
    assert.ok(Math.abs(uniform.perplexity - 4) < 1e-12);
    assert.deepEqual(uniform.counts, [2, 2, 2, 2, 0, 0]);
    assert.ok(Math.abs(codebookUsage([5, 5, 5], 6).perplexity - 1) < 1e-12);
  });
});

describe("VqVae", () => {
  const x = tf.tensor2d(randomArray(4 * 784, 3, 0, 1), [4, 784]);

  it("turns an image into 49 indices and back into an image", () => {
    const vq = new VqVae({ codebookSize: 8, codeDim: 4, seed: 1 });
    const idx = vq.codeIndices(x);
    assert.deepEqual(idx.shape, [4 * 49]);
    assert.ok(Array.from(idx.dataSync()).every((k) => k >= 0 && k < 8));
    const r = vq.reconstruct(x);
    assert.deepEqual(r.shape, [4, 784]);
    assert.ok(r.dataSync().every((v) => v >= 0 && v <= 1));
    assert.throws(() => vq.codeIndices(tf.zeros([2, 100]) as tf.Tensor2D), /images have shape \[2,100\], expected \[batch, 784\]/);
    assert.throws(() => new VqVae({ codebookSize: 0, codeDim: 4 }), /codebookSize must be a positive integer/);
    vq.dispose();
  });

  it("the loss reaches encoder (straight through), decoder and the chosen codebook entries, and leaks nothing", () => {
    const vq = new VqVae({ codebookSize: 8, codeDim: 4, seed: 2 });
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const out = vq.loss(x);
      tf.dispose(Object.values(out.terms));
      return out.loss;
    }, vq.variables);
    assert.ok(Number.isFinite(value.dataSync()[0]));
    const norm = (v: tf.Variable) => tf.tidy(() => tf.sum(tf.abs(grads[v.name])).dataSync()[0]);
    const encoderKernel = vq.encoder.trainableWeights[0].read() as tf.Variable, decoderKernel = vq.decoder.trainableWeights[0].read() as tf.Variable;
    assert.ok(norm(vq.variables.find((v) => v.name === encoderKernel.name)!) > 0, "encoder gets a gradient through the quantiser");
    assert.ok(norm(vq.variables.find((v) => v.name === decoderKernel.name)!) > 0, "decoder gets a gradient");
    // Only entries some vector chose get a gradient (from the codebook and commitment terms).
    const indices = vq.codeIndices(x);
    const used = new Set(Array.from(indices.dataSync()));
    const gRows = grads[vq.codebook.name].arraySync() as number[][];
    gRows.forEach((row, k) => assert.equal(row.some((g) => g !== 0), used.has(k), `entry ${k}: used ${used.has(k)}`));
    tf.dispose([value, indices, ...Object.values(grads)]);
    assert.equal(tf.memory().numTensors, before);
    vq.dispose();
  });

  it("restarts entries no vector chooses, next to encoder outputs", () => {
    const vq = new VqVae({ codebookSize: 6, codeDim: 4, seed: 3 });
    // Entries 1..5 far away: every vector picks entry 0, the other five are dead.
    const far = tf.tensor2d([...[0, 0, 0, 0], ...Array.from({ length: 20 }, () => 1e3)], [6, 4]);
    vq.codebook.assign(tf.add(far, tf.mean(vq.encodeVectors(x), 0)) as tf.Tensor2D);
    assert.equal(vq.restartDeadCodes(x, 7), 5);
    const z = vq.encodeVectors(x);
    const zs = z.arraySync() as number[][], entries = vq.codebook.arraySync() as number[][];
    for (let k = 1; k < 6; k++) {
      const nearest = Math.min(...zs.map((row) => Math.hypot(...row.map((v, j) => v - entries[k][j]))));
      assert.ok(nearest < 0.1, `entry ${k} now sits at an encoder output (distance ${nearest})`);
    }
    assert.equal(vq.restartDeadCodes(x, 8) < 5, true, "fewer dead entries after the restart");
    vq.dispose();
  });

  it("with moving averages, one update sets each chosen entry to the decayed mean of its vectors", () => {
    const vq = new VqVae({ codebookSize: 4, codeDim: 3, codebookUpdate: "ema", emaDecay: 0.5, seed: 4 });
    assert.ok(!vq.variables.some((v) => v.name === vq.codebook.name), "the optimiser does not train the codebook");
    const out = vq.loss(x);
    assert.deepEqual(Object.keys(out.terms).sort(), ["commitment", "reconstruction"]);
    tf.dispose([out.loss, ...Object.values(out.terms)]);
    const old = vq.codebook.arraySync() as number[][];
    const z = vq.encodeVectors(x).arraySync() as number[][];
    const chosen = Array.from(vq.codeIndices(x).dataSync());
    const before = tf.memory().numTensors;
    vq.updateCodebook(x);
    assert.equal(tf.memory().numTensors, before, "the update leaks nothing");
    // By hand: N_k = 0.5·1 + 0.5·n_k, m_k = 0.5·e_k + 0.5·Σz; smoothing changes N_k by ~1e-5 only.
    const entries = vq.codebook.arraySync() as number[][];
    for (let k = 0; k < 4; k++) {
      const mine = z.filter((_, i) => chosen[i] === k);
      const count = 0.5 + 0.5 * mine.length;
      const expected = old[k].map((e, j) => (0.5 * e + 0.5 * mine.reduce((s, v) => s + v[j], 0)) / count);
      assert.ok(close(entries[k], expected, 1e-3), `entry ${k} (${mine.length} vectors): ${entries[k]} vs ${expected}`);
    }
    assert.throws(() => new VqVae({ codebookSize: 4, codeDim: 3 }).updateCodebook(x), /learns its codebook by the loss; build it with codebookUpdate: "ema"/);
    assert.throws(() => new VqVae({ codebookSize: 4, codeDim: 3, emaDecay: 1 }), /emaDecay must be in \(0, 1\)/);
    vq.dispose();
  });

  it("k-means initialisation puts every entry where vectors are, and a restart resets its moving averages", () => {
    const vq = new VqVae({ codebookSize: 6, codeDim: 4, codebookUpdate: "ema", seed: 5 });
    vq.initialiseCodebookByKMeans(x, 1);
    assert.equal(codebookUsage(vq.codeIndices(x).dataSync(), 6).codesUsed, 6, "k-means centroids are all chosen by the vectors they came from");
    // Push entry 5 and its running sum far away: it is dead, and restarting it must move both.
    const far = (t: tf.Variable) => tf.tidy(() => tf.concat([t.slice([0, 0], [5, 4]), tf.fill([1, 4], 1e3)]) as tf.Tensor2D);
    vq.codebook.assign(far(vq.codebook));
    (vq as any).emaSum.assign(far((vq as any).emaSum));
    assert.equal(vq.restartDeadCodes(x, 9), 1);
    const entry = (vq.codebook.arraySync() as number[][])[5];
    assert.ok(entry.every((v) => Math.abs(v) < 100), "the dead entry moved next to an encoder output");
    vq.updateCodebook(x);
    assert.ok((vq.codebook.arraySync() as number[][])[5].every((v) => Math.abs(v) < 100), "its moving averages restarted with it (not from the old far value)");
    vq.dispose();
  });

  it("without quantisation: the same networks on the continuous code, no indices", () => {
    const vq = new VqVae({ codebookSize: 4, codeDim: 3, quantise: false, seed: 6 });
    assert.ok(!vq.variables.some((v) => v.name === vq.codebook.name));
    const out = vq.loss(x);
    assert.deepEqual(Object.keys(out.terms), ["reconstruction"]);
    assert.deepEqual(vq.reconstruct(x).shape, [4, 784]);
    assert.throws(() => vq.codeIndices(x), /quantise: false and has no codes/);
    vq.dispose();
  });
});

describe("independent prior over index grids", () => {
  it("counts each position's indices with smoothing and samples grids from them", () => {
    // Two images of 2 positions, K = 3: position 0 saw 0, 0; position 1 saw 2, 1.
    const logp = fitIndependentIndexPrior(Int32Array.from([0, 2, 0, 1]), 2, 3, 1);
    const p = (tf.exp(logp).arraySync() as number[][]);
    assert.ok(close(p[0], [3 / 5, 1 / 5, 1 / 5]) && close(p[1], [1 / 5, 2 / 5, 2 / 5]));
    const sure = fitIndependentIndexPrior(Int32Array.from([2, 0, 2, 0]), 2, 3, 0);
    const before = tf.memory().numTensors;
    const grids = sampleIndependentIndices(sure, 5, 1);
    assert.deepEqual(Array.from(grids.dataSync()), [2, 0, 2, 0, 2, 0, 2, 0, 2, 0], "image by image, position by position");
    assert.equal(tf.memory().numTensors, before + 1, "only the result is new");
    assert.deepEqual(Array.from(sampleIndependentIndices(logp, 4, 3).dataSync()), Array.from(sampleIndependentIndices(logp, 4, 3).dataSync()), "seeded");
    assert.throws(() => fitIndependentIndexPrior(Int32Array.from([0, 1, 2]), 2, 3), /do not make whole images of 2 positions/);
  });

  it("indexGrids gives every image's grid in order, across batches of 1 000, leaving no tensor", () => {
    const vq = new VqVae({ codebookSize: 8, codeDim: 4, seed: 3 });
    const images = new ImageDataset(Float32Array.from(randomArray(1003 * 784, 9, 0, 1)), new Int32Array(1003), [28, 28, 1], ["x"], "random");
    const before = tf.memory().numTensors;
    const grids = indexGrids(vq, images);
    assert.equal(tf.memory().numTensors, before, "no tensor left behind");
    assert.equal(grids.length, 1003 * vq.positions);
    const last = vq.codeIndices(tf.tensor2d(images.images.subarray(1002 * 784), [1, 784]));
    assert.deepEqual(Array.from(grids.subarray(1002 * vq.positions)), Array.from(last.dataSync()), "the last image, in the second batch");
    vq.dispose();
  });
});

describe("EBGAN", () => {
  it("the discriminator's hinge applies to each generated image", () => {
    const loss = ebganDiscriminatorLoss(tf.tensor1d([0.01, 0.03]), tf.tensor1d([0.5, 0.0]), 0.1);
    assert.ok(Math.abs(loss.dataSync()[0] - (0.02 + 0.05)) < 1e-7, "mean real 0.02, hinge mean of (0, 0.1) = 0.05");
    assert.throws(() => ebganDiscriminatorLoss(tf.zeros([2, 1]) as unknown as tf.Tensor1D, tf.zeros([2]) as tf.Tensor1D, 0.1), /energies must be \[batch\]/);
  });

  it("each phase trains its own network, with the energies as chart terms", () => {
    const ebgan = new Ebgan({ noiseSize: 4, generatorHidden: [16], discriminatorHidden: [16], discriminatorCodeSize: 3, seed: 1 });
    const [d, g] = ebgan.phases({ margin: 0.1, learningRates: { discriminator: 1e-3, generator: 1e-3 }, seed: 1 });
    assert.equal(d.variables.length, ebgan.discriminator.variables.length);
    const batch = { x: tf.tensor2d(randomArray(3 * 784, 5, 0, 1), [3, 784]), labels: new Int32Array(3), indices: new Int32Array(3) };
    const out = d.loss(batch) as { loss: tf.Scalar; terms: Record<string, tf.Scalar> };
    assert.deepEqual(Object.keys(out.terms).sort(), ["energy of generated images", "energy of real images"]);
    const { grads } = tf.variableGrads(() => g.loss(batch) as tf.Scalar, ebgan.variables);
    const touched = (vars: tf.Variable[]) => vars.some((v) => tf.sum(tf.abs(grads[v.name])).dataSync()[0] > 0);
    assert.ok(touched(g.variables), "the generator's loss moves the generator");
    assert.ok(ebgan.energy(ebgan.sample(2, 1)).dataSync().every((e) => e >= 0));
    assert.throws(() => ebgan.phases({ margin: 0, learningRates: { discriminator: 1, generator: 1 } }), /margin must be positive/);
    ebgan.dispose();
  });

  it("the pull-away term is the mean squared cosine over pairs, leak-free", () => {
    assert.ok(Math.abs(pullAwayTerm(tf.tensor2d([[1, 0], [0, 2]])).dataSync()[0]) < 1e-7, "orthogonal codes: 0");
    assert.ok(Math.abs(pullAwayTerm(tf.tensor2d([[1, 1], [2, 2], [-3, -3]])).dataSync()[0] - 1) < 1e-6, "codes on one line (either sign): 1");
    // Three codes: cosines (1,0)·(1,1)/√2 = 0.7071, (1,0)·(0,1) = 0, (1,1)·(0,1)/√2 = 0.7071; mean of the squares over 6 ordered pairs = 2·(0.5 + 0 + 0.5)/6.
    assert.ok(Math.abs(pullAwayTerm(tf.tensor2d([[1, 0], [1, 1], [0, 3]])).dataSync()[0] - 1 / 3) < 1e-6, "hand-computed: 1/3");
    const codes = tf.tensor2d(randomArray(8 * 5, 3, -1, 1), [8, 5]), before = tf.memory().numTensors;
    pullAwayTerm(codes).dispose();
    assert.equal(tf.memory().numTensors, before, "no tensor left behind");
    assert.throws(() => pullAwayTerm(tf.zeros([1, 4]) as tf.Tensor2D), /batch ≥ 2/);
  });

  it("the paper's variant: a batch-norm tanh generator in pixels, the pull-away term, a warm-up phase", () => {
    const ebgan = new Ebgan({ noiseSize: 4, generatorHidden: [16], discriminatorHidden: [16], discriminatorCodeSize: 3, generator: "batchNormTanh", seed: 2 });
    const samples = ebgan.sample(6, 1), values = samples.dataSync();
    assert.ok(values.every((v) => v >= 0 && v <= 1), "tanh output mapped to [0, 1]");
    const [, g] = ebgan.phases({ margin: 0.1, learningRates: { discriminator: 1e-3, generator: 1e-3 }, pullAwayWeight: 0.1, seed: 1 });
    const batch = { x: tf.tensor2d(randomArray(4 * 784, 6, 0, 1), [4, 784]), labels: new Int32Array(4), indices: new Int32Array(4) };
    const out = g.loss(batch) as { loss: tf.Scalar; terms: Record<string, tf.Scalar> };
    const pt = out.terms["pull-away term"].dataSync()[0];
    assert.ok(pt > 0 && pt <= 1, `the pull-away term is reported, got ${pt}`);
    const warmUp = ebgan.warmUpPhase(1e-3);
    assert.deepEqual(warmUp.variables, ebgan.discriminator.variables, "the warm-up trains the discriminator's autoencoder only");
    const before = tf.memory().numTensors, mean = ebgan.meanEnergy(samples);
    assert.equal(tf.memory().numTensors, before, "meanEnergy leaves no tensor");
    assert.ok(Math.abs(mean - tf.mean(ebgan.energy(samples)).dataSync()[0]) < 1e-6, "meanEnergy is the mean of the energies");
    assert.throws(() => ebgan.phases({ margin: 0.1, learningRates: { discriminator: 1, generator: 1 }, pullAwayWeight: -1 }), /pullAwayWeight must be 0 or more/);
    assert.throws(() => new Ebgan({ noiseSize: 4, generatorHidden: [16], discriminatorHidden: [16], discriminatorCodeSize: 3, generator: "conv" as any }), /"plain" or "batchNormTanh"/);
    ebgan.dispose();
  });
});

describe("Gan and leaky ReLU layers", () => {
  it("denseStack's leakyRelu keeps a fifth of negative inputs", () => {
    const net = denseStack([1], 1, ["leakyRelu"], 0, "leaky");
    (net.layers[0] as tf.layers.Layer).setWeights([tf.tensor2d([[1]]), tf.tensor1d([0])]);
    assert.ok(close((net.apply(tf.tensor2d([[-5], [3]])) as tf.Tensor).dataSync(), [-1, 3]));
  });

  it("builds both networks with the chosen hidden activation; each phase trains its own network", () => {
    const gan = new Gan({ noiseSize: 3, outputSize: 784, generatorHidden: [8], discriminatorHidden: [8], outputActivation: "sigmoid", hiddenActivation: "leakyRelu", seed: 1 });
    assert.ok(gan.discriminator.layers.some((l) => l.getClassName() === "LeakyReLU") && gan.generator.layers.some((l) => l.getClassName() === "LeakyReLU"));
    const samples = gan.sample(5, 1);
    assert.deepEqual(samples.shape, [5, 784]);
    assert.ok(samples.dataSync().every((v) => v >= 0 && v <= 1), "sigmoid output: pixels in [0, 1]");
    const [d, g] = gan.phases({ learningRates: { discriminator: 1e-3, generator: 1e-3 }, seed: 1 });
    assert.deepEqual(d.variables.map((v) => v.name), layerVariables(gan.discriminator).map((v) => v.name));
    assert.deepEqual(g.variables.map((v) => v.name), layerVariables(gan.generator).map((v) => v.name));
    assert.throws(() => gan.phases({ learningRates: { discriminator: 1, generator: 1 }, generatorObjective: "wasserstein" as any }), /generatorObjective must be/);
    assert.throws(() => new Gan({ noiseSize: 0, outputSize: 2, generatorHidden: [], discriminatorHidden: [] }), /noiseSize must be a positive integer/);
    gan.dispose();
  });

  it("with a tanh output the discriminator sees [−1, 1] and samples come back in [0, 1]; one-sided smoothing", () => {
    const gan = new Gan({ noiseSize: 3, outputSize: 784, generatorHidden: [8], discriminatorHidden: [4],
      outputActivation: "tanh", hiddenActivation: "leakyRelu", generatorBatchNorm: true, seed: 2 });
    assert.ok(gan.generator.layers.some((l) => l.getClassName() === "BatchNormalization"));
    const s = gan.sample(6, 1).dataSync();
    assert.ok(s.every((v) => v >= 0 && v <= 1) && s.some((v) => v < 0.5) && s.some((v) => v > 0.5), "pixels in [0, 1] on both sides of ½");
    // The real term against label 0.9: 0.9·softplus(−a) + 0.1·softplus(a), by hand for a = 2.
    const sp = (v: number) => Math.log(1 + Math.exp(v));
    const loss = discriminatorLoss(tf.tensor2d([[2]]), tf.tensor2d([[-1]]), 0.9).dataSync()[0];
    assert.ok(Math.abs(loss - (0.9 * sp(-2) + 0.1 * sp(2) + sp(-1))) < 1e-6);
    // The discriminator phase shows it real images as 2x − 1: a batch of black images is seen as −1s.
    const [d] = gan.phases({ learningRates: { discriminator: 1e-3, generator: 1e-3 }, realLabel: 0.9, seed: 1 });
    const black = { x: tf.zeros([2, 784]) as tf.Tensor2D, labels: new Int32Array(2), indices: new Int32Array(2) };
    const out = d.loss(black) as { loss: tf.Scalar; terms: Record<string, tf.Scalar> };
    // The phase's first step draws its noise from seed 104729 · 2 and runs the generator in training mode.
    const fake = gan.discriminator.apply(gan.generator.apply(tf.randomNormal([2, 3], 0, 1, "float32", 104729 * 2), { training: true }) as tf.Tensor2D) as tf.Tensor2D;
    const realLogits = gan.discriminator.apply(tf.fill([2, 784], -1)) as tf.Tensor2D;
    assert.ok(close(gan.discriminate(tf.zeros([2, 784]) as tf.Tensor2D).dataSync(), realLogits.dataSync()), "discriminate takes pixels in [0, 1] too");
    const expected = discriminatorLoss(realLogits, fake, 0.9).dataSync()[0];
    assert.ok(Math.abs(out.loss.dataSync()[0] - expected) < 1e-5, `${out.loss.dataSync()[0]} vs ${expected}`);
    assert.throws(() => gan.phases({ learningRates: { discriminator: 1, generator: 1 }, realLabel: 0.3 }), /realLabel must be in \(0.5, 1\]/);
    gan.dispose();
  });

  it("keeps a running average of the generator's weights and samples from it", () => {
    const gan = new Gan({ noiseSize: 3, outputSize: 784, generatorHidden: [4], discriminatorHidden: [4], outputActivation: "tanh", generatorBatchNorm: true, seed: 3 });
    const [, g] = gan.phases({ learningRates: { discriminator: 1e-2, generator: 1e-2 }, generatorAverage: 0.75, seed: 1 });
    const batch = { x: tf.zeros([4, 784]) as tf.Tensor2D, labels: new Int32Array(4), indices: new Int32Array(4) };
    const kernel = () => (gan.generator.layers[0].getWeights()[0].arraySync() as number[][])[0][0];
    const start = kernel();
    assert.ok(close(gan.sample(2, 5).dataSync(), gan.sample(2, 5, "live").dataSync()), "the average starts as a copy");
    g.optimizer.minimize(() => g.loss(batch) as tf.Scalar, false, g.variables);
    const moved = kernel();
    assert.notEqual(moved, start);
    g.loss(batch); // the next generator step first moves the average: 0.75 · start + 0.25 · moved
    const averaged = ((gan as any).averagedGenerator.layers[0].getWeights()[0].arraySync() as number[][])[0][0];
    assert.ok(Math.abs(averaged - (0.75 * start + 0.25 * moved)) < 1e-6, `${averaged} vs ${0.75 * start + 0.25 * moved}`);
    assert.ok(!close(gan.sample(2, 5).dataSync(), gan.sample(2, 5, "live").dataSync()), "sample draws from the average unless asked for the live generator");
    assert.throws(() => gan.phases({ learningRates: { discriminator: 1, generator: 1 }, generatorAverage: 1 }), /generatorAverage must be in \(0, 1\)/);
    gan.phases({ learningRates: { discriminator: 1e-3, generator: 1e-3 } });
    assert.ok(close(gan.sample(2, 5).dataSync(), gan.sample(2, 5, "live").dataSync()), "phases without an average drop the old one");
    gan.dispose();
  });
});

describe("laplacianVariance", () => {
  it("is 0 for flat images, larger for sharp edges than for their blurred copy", () => {
    assert.equal(laplacianVariance(tf.fill([2, 784], 0.3) as tf.Tensor2D), 0);
    const stripes = Float32Array.from({ length: 784 }, (_, p) => (p % 28 < 14 ? 0 : 1));
    const blurred = Float32Array.from({ length: 784 }, (_, p) => Math.min(1, Math.max(0, ((p % 28) - 10) / 8)));
    assert.ok(laplacianVariance(tf.tensor2d(stripes, [1, 784])) > laplacianVariance(tf.tensor2d(blurred, [1, 784])));
    assert.throws(() => laplacianVariance(tf.zeros([1, 100]) as tf.Tensor2D), /expected \[n, 784\]/);
  });
});

describe("VqVae with moving averages, from construction to disposal", () => {
  it("leaks nothing: the variables' initial values, the k-means start, restarts and updates", () => {
    const x = tf.tensor2d(randomArray(4 * 784, 8, 0, 1), [4, 784]);
    const before = tf.memory().numTensors;
    const vq = new VqVae({ codebookSize: 4, codeDim: 3, codebookUpdate: "ema", seed: 1 });
    vq.initialiseCodebookByKMeans(x, 1);
    vq.restartDeadCodes(x, 2);
    vq.updateCodebook(x);
    vq.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
