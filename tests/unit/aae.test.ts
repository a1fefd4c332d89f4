// The adversarial half of the library: priors, GAN losses, alternating phases in the training loop,
// the collapse guard, the AAE itself, MMD, k-means and clustering accuracy.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { categoricalPrior, gaussianMixturePrior, gaussianPrior, swissRollPrior } from "../../lib/src/models/priors";
import { discriminatorAccuracy, discriminatorLoss, generatorLoss, minimaxGeneratorLoss } from "../../lib/src/losses/adversarial";
import { clusterBalanceLoss, clusterBalanceTerms } from "../../lib/src/losses/clusterBalance";
import { adaptiveRadius, virtualAdversarialLoss } from "../../lib/src/losses/virtualAdversarial";
import { sameClusterLoss } from "../../lib/src/losses/sameCluster";
import { randomAffine } from "../../lib/src/data/augment";
import { kthNeighbourDistances } from "../../lib/src/metrics/neighbours";
import { noiseSeed } from "../../lib/src/random";
import { train, Phase } from "../../lib/src/training/train";
import { collapseGuard } from "../../lib/src/training/collapse";
import { TrainingCollapsedError, TrainingDivergedError } from "../../lib/src/training/errors";
import { AdversarialAutoencoder } from "../../lib/src/models/aae";
import { layerVariables } from "../../lib/src/models/autoencoder";
import { maximumMeanDiscrepancy } from "../../lib/src/metrics/mmd";
import { clusteringAccuracy, minimumCostAssignment } from "../../lib/src/metrics/clusteringAccuracy";
import { kMeans, nearestCentroid } from "../../lib/src/metrics/kMeans";
import { VariationalAutoencoder } from "../../lib/src/models/vae";
import { elboTerms } from "../../lib/src/losses/elbo";
import { gaussianLogDensity, klToStandardNormal } from "../../lib/src/losses/kl";
import { endlessBatches } from "../../lib/src/data/labels";
import { ImageDataset } from "../../lib/src/data/dataset";
import { randomArray, relativeError, seededRandomInts } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

/** n images of 4 pixels in [0, 1], labels cycling through `classes`. */
function tinyDataset(n: number, classes = 3, seed = 1): ImageDataset {
  return new ImageDataset(randomArray(n * 4, seed, 0, 1), Int32Array.from({ length: n }, (_, i) => i % classes), [2, 2, 1], ["a", "b", "c"].slice(0, classes), "tiny");
}

describe("priors", () => {
  it("are reproducible from a seed and have the stated shape", () => {
    for (const prior of [gaussianPrior(3), gaussianMixturePrior(), swissRollPrior(), categoricalPrior(5)]) {
      const a = prior.sample(50, 4), b = prior.sample(50, 4), c = prior.sample(50, 5);
      assert.deepEqual(a.shape, [50, prior.dims], prior.name);
      assert.deepEqual(a.arraySync(), b.arraySync(), prior.name);
      assert.notDeepEqual(a.arraySync(), c.arraySync(), prior.name);
      tf.dispose([a, b, c]);
    }
  });

  it("the Gaussian has mean 0 and variance 1; categorical rows are one-hot", () => {
    const z = gaussianPrior(2).sample(20000, 1);
    const { mean, variance } = tf.moments(z, 0);
    for (const m of mean.dataSync()) assert.ok(Math.abs(m) < 0.03, `mean ${m}`);
    for (const v of variance.dataSync()) assert.ok(Math.abs(v - 1) < 0.04, `variance ${v}`);
    const y = categoricalPrior(4).sample(100, 2).arraySync();
    assert.ok(y.every((row) => row.filter((v) => v === 1).length === 1 && row.reduce((s, v) => s + v, 0) === 1));
    tf.dispose([z, mean, variance]);
  });

  it("a label draws from its own mixture component", () => {
    const prior = gaussianMixturePrior({ components: 10, radius: 4, std: 0.3 });
    const labels = Array.from({ length: 200 }, (_, i) => i % 10);
    const z = prior.sample(200, 3, labels).arraySync();
    z.forEach(([x, y], i) => {
      const nearest = prior.means.map(([mx, my]) => Math.hypot(x - mx, y - my)).reduce((best, d, k, all) => (d < all[best] ? k : best), 0);
      assert.equal(nearest, labels[i]);
    });
  });

  it("a label draws from its own slice of the swiss roll (radius grows along the roll)", () => {
    const prior = swissRollPrior({ segments: 10, noise: 0, scale: 5 });
    const z = prior.sample(100, 3, Array.from({ length: 100 }, (_, i) => i % 10)).arraySync();
    z.forEach(([x, y], i) => {
      const k = i % 10, r = Math.hypot(x, y);
      assert.ok(r >= 5 * Math.sqrt(k / 10) - 1e-4 && r <= 5 * Math.sqrt((k + 1) / 10) + 1e-4, `label ${k}: radius ${r}`);
    });
  });

  it("rejects labels it cannot honour", () => {
    assert.throws(() => gaussianMixturePrior().sample(3, 1, [0, 1]), /2 labels for 3 codes/);
    assert.throws(() => swissRollPrior().sample(2, 1, [0, 10]), /label 10 at index 1 is outside 0\.\.9/);
    assert.throws(() => gaussianPrior(2).sample(0, 1), /n must be a positive integer/);
  });

  it("the mixture's log-density at a component's mean is −log K − log(2πs²) when components are far apart", () => {
    const prior = gaussianMixturePrior({ components: 4, radius: 10, std: 0.5 });
    const at = prior.logDensity(tf.tensor2d([prior.means[1]]));
    assert.ok(Math.abs(at.dataSync()[0] - (-Math.log(4) - Math.log(2 * Math.PI * 0.25))) < 1e-4);
    // and it is a density: its Monte Carlo mean of p(z)/N(z; 0, 8²I) over N(0, 8²I) samples is about 1
    const z = tf.mul(tf.randomNormal([40000, 2], 0, 1, "float32", 1), 8) as tf.Tensor2D;
    const ratio = tf.mean(tf.exp(tf.sub(prior.logDensity(z), gaussianLogDensity(z, tf.zeros([2]), tf.fill([2], Math.log(64)))))).dataSync()[0];
    assert.ok(Math.abs(ratio - 1) < 0.08, `importance estimate of ∫p = ${ratio}`);
    tf.dispose([at, z]);
  });
});

describe("GAN losses", () => {
  it("take their textbook values at D = ½ and name a wrong shape", () => {
    const zero = tf.zeros([5, 1]) as tf.Tensor2D;
    assert.ok(Math.abs(discriminatorLoss(zero, zero).dataSync()[0] - 2 * Math.LN2) < 1e-6);
    assert.ok(Math.abs(generatorLoss(zero).dataSync()[0] - Math.LN2) < 1e-6);
    assert.ok(Math.abs(minimaxGeneratorLoss(zero).dataSync()[0] + Math.LN2) < 1e-6);
    assert.throws(() => generatorLoss(tf.zeros([5, 2]) as tf.Tensor2D), /shape \[batch, 1\]/);
  });

  it("stay finite for confident logits, where log(D) would overflow", () => {
    const real = tf.tensor2d([[200]]), fake = tf.tensor2d([[-200]]);
    assert.ok(Number.isFinite(discriminatorLoss(real, fake).dataSync()[0]));
    assert.ok(Number.isFinite(generatorLoss(fake).dataSync()[0]));
  });

  it("the non-saturating loss keeps a gradient when D rejects the fakes; the minimax loss loses it", () => {
    const fake = tf.tensor2d([[-8], [-9]]);
    const gNs = tf.grad((f: tf.Tensor) => generatorLoss(f as tf.Tensor2D))(fake).dataSync();
    const gMm = tf.grad((f: tf.Tensor) => minimaxGeneratorLoss(f as tf.Tensor2D))(fake).dataSync();
    gNs.forEach((g) => assert.ok(Math.abs(g) > 0.4, `non-saturating gradient ${g}`));
    gMm.forEach((g) => assert.ok(Math.abs(g) < 1e-3, `minimax gradient ${g}`));
  });

  it("accuracy counts real above ½ and fake at or below", () => {
    const acc = discriminatorAccuracy(tf.tensor2d([[1], [-1], [2]]), tf.tensor2d([[-3], [0.5], [-1], [-2]]));
    assert.ok(Math.abs(acc.dataSync()[0] - 5 / 7) < 1e-6);
  });
});

describe("train with phases", () => {
  it("each phase updates only its own variables with its own optimiser, and charts each loss by name", async () => {
    const a = tf.variable(tf.scalar(3)), b = tf.variable(tf.scalar(-2));
    const phases: Phase[] = [
      { name: "pull a", variables: [a], optimizer: tf.train.sgd(0.1), loss: () => tf.square(a) as tf.Scalar },
      { name: "pull b", variables: [b], optimizer: tf.train.sgd(0.1), loss: () => ({ loss: tf.square(tf.sub(b, 1)) as tf.Scalar, terms: { "b itself": tf.clone(b) as tf.Scalar } }) },
    ];
    const seen: Record<string, number>[] = [];
    const history = await train({ train: tinyDataset(8), epochs: 3, batchSize: 4, phases, progress: "none", onStep: (s) => seen.push(s.values) });
    assert.ok(Math.abs(a.dataSync()[0]) < 3 * 0.8 ** 6 + 1e-5, `a moved towards 0: ${a.dataSync()[0]}`);
    assert.ok(Math.abs(b.dataSync()[0] - 1) < 3 * 0.8 ** 6 + 1e-5, `b moved towards 1: ${b.dataSync()[0]}`);
    assert.equal(seen.length, 6);
    assert.deepEqual(Object.keys(seen[0]).sort(), ["b itself", "pull a", "pull b"]);
    assert.deepEqual(Object.keys(history.epochs[0].terms!).sort(), ["b itself", "pull a", "pull b"]);
    assert.equal(history.epochs[2].loss, history.epochs[2].terms!["pull a"], "the epoch's loss is the first phase's");
    tf.dispose([a, b]);
  });

  it("leaks no tensors, and names the phase whose loss diverged", async () => {
    const a = tf.variable(tf.scalar(1));
    const phases: Phase[] = [
      { name: "fine", variables: [a], optimizer: tf.train.sgd(0.01), loss: () => tf.square(a) as tf.Scalar },
      { name: "broken", variables: [a], optimizer: tf.train.sgd(0.01), loss: () => tf.div(a, 0) as tf.Scalar },
    ];
    const before = tf.memory().numTensors;
    await assert.rejects(train({ train: tinyDataset(8), epochs: 1, batchSize: 4, phases, progress: "none" }),
      (e: unknown) => e instanceof TrainingDivergedError && e.phase === "broken" && /broken phase's loss became Infinity/.test(e.message));
    assert.ok(tf.memory().numTensors <= before + 2, `tensors ${before} -> ${tf.memory().numTensors}`); // optimiser state at most
    a.dispose();
  });

  it("wants exactly one of loss and phases", async () => {
    await assert.rejects(train({ train: tinyDataset(4), epochs: 1, progress: "none" }), /either `loss`.*or `phases`/);
    await assert.rejects(train({ train: tinyDataset(4), epochs: 1, progress: "none", phases: [] }), /either|empty/);
  });
});

describe("collapseGuard", () => {
  it("throws after the stated number of collapsed steps in a row, not before, and resets on a good step", () => {
    const guard = collapseGuard({ steps: 3, threshold: 0.99 });
    const step = (acc: number, batch: number) => guard({ epoch: 1, batch, values: { "discriminator accuracy": acc } });
    step(1, 1); step(1, 2); step(0.7, 3); step(1, 4); step(0.995, 5);
    assert.throws(() => step(1, 6), (e: unknown) => e instanceof TrainingCollapsedError && /batch 6/.test((e as Error).message) && /learning rate/.test((e as Error).message));
    assert.throws(() => collapseGuard()({ epoch: 1, batch: 1, values: { loss: 1 } }), /no value "discriminator accuracy"/);
  });
});

describe("AdversarialAutoencoder", () => {
  const config = { inputSize: 4, hidden: [8], codeSize: 2, discriminatorHidden: [8], seed: 3 };

  it("a training run changes every part, leaks no tensors and reports the discriminator's accuracy", async () => {
    const model = new AdversarialAutoencoder(config);
    const start = model.variables.map((v) => v.dataSync().slice());
    const before = tf.memory().numTensors;
    const history = await train({ train: tinyDataset(24), epochs: 2, batchSize: 8, progress: "none",
      phases: model.phases({ prior: gaussianMixturePrior(), learningRates: { reconstruction: 1e-2, discriminator: 1e-2, generator: 1e-2 } }) });
    const optimiserState = tf.memory().numTensors - before;
    assert.ok(optimiserState <= 2 * 3 * model.variables.length + 6, `only Adam's moments stay: ${optimiserState}`);
    model.variables.forEach((v, i) => assert.notDeepEqual(v.dataSync(), start[i], `variable ${v.name} trained`));
    const acc = history.epochs[1].terms!["discriminator accuracy"];
    assert.ok(acc >= 0 && acc <= 1);
    const weights = model.variables.length;
    model.dispose();
    assert.equal(tf.memory().numTensors, before - weights, "dispose() frees the weights and the phases' optimisers");
  });

  it("the generator phase moves the encoder only, the discriminator phase the discriminator only", async () => {
    const model = new AdversarialAutoencoder(config);
    const [, disc, gen] = model.phases({ prior: gaussianPrior(2), learningRates: { reconstruction: 1e-2, discriminator: 1e-2, generator: 1e-2 } });
    const snapshot = () => ({ enc: model.encoder.getWeights().map((w) => w.dataSync().slice()), dec: model.decoder.getWeights().map((w) => w.dataSync().slice()), d: model.codeDiscriminator.getWeights().map((w) => w.dataSync().slice()) });
    const run = async (phase: Phase) => train({ train: tinyDataset(8), epochs: 1, batchSize: 8, progress: "none", phases: [phase] });
    let s0 = snapshot();
    await run(gen);
    let s1 = snapshot();
    assert.notDeepEqual(s1.enc, s0.enc);
    assert.deepEqual(s1.dec, s0.dec);
    assert.deepEqual(s1.d, s0.d);
    s0 = s1;
    await run(disc);
    s1 = snapshot();
    assert.deepEqual(s1.enc, s0.enc);
    assert.notDeepEqual(s1.d, s0.d);
    model.dispose();
  });

  it("a categorical head with a labelled phase learns the labels of a separable toy set", async () => {
    // Class c lights pixel c: the classification phase alone must learn that.
    const n = 60, x = new Float32Array(n * 4), labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    labels.forEach((c, i) => { x[i * 4 + c] = 1; });
    const data = new ImageDataset(x, labels, [2, 2, 1], ["a", "b", "c"], "lit");
    const model = new AdversarialAutoencoder({ ...config, categories: 3 });
    await train({ train: data, epochs: 15, batchSize: 20, progress: "none",
      phases: model.phases({ prior: gaussianPrior(2), learningRates: { reconstruction: 1e-2, discriminator: 1e-3, generator: 1e-3, classification: 3e-2 }, labelled: endlessBatches(data, 20, 1) }) });
    const predicted = model.predict(data.toTensor() as tf.Tensor2D);
    assert.ok(predicted.filter((p, i) => p === labels[i]).length >= 0.95 * n);
    const probs = model.categoryProbs(tf.zeros([2, 4]) as tf.Tensor2D);
    assert.deepEqual(probs.shape, [2, 3]);
    model.dispose();
  });

  it("says what is wrong with a mismatched prior, shape or missing categorical code", () => {
    const model = new AdversarialAutoencoder(config);
    assert.throws(() => model.phases({ prior: gaussianPrior(3), learningRates: { reconstruction: 1, discriminator: 1, generator: 1 } }), /prior "gaussian" has 3 dimensions but the code has 2/);
    assert.throws(() => model.encode(tf.zeros([2, 5]) as tf.Tensor2D), /input has shape \[2,5\], expected \[batch, 4\]/);
    assert.throws(() => model.categoryProbs(tf.zeros([2, 4]) as tf.Tensor2D), /no categorical code/);
    assert.throws(() => model.phases({ prior: gaussianPrior(2), learningRates: { reconstruction: 1, discriminator: 1, generator: 1 }, labelled: endlessBatches(tinyDataset(4), 2, 1) }), /needs a categorical code/);
    assert.throws(() => new AdversarialAutoencoder({ ...config, codeSize: 0 }), /codeSize must be a positive integer/);
    model.dispose();
  });
});

describe("clusterBalanceLoss (the batch estimate of −I(x; y))", () => {
  const config = { inputSize: 4, hidden: [8], codeSize: 2, discriminatorHidden: [8], seed: 3 };
  const value = (t: tf.Scalar) => { const v = t.dataSync()[0]; t.dispose(); return v; };
  const terms = (logits: number[][]) => {
    const l = tf.tensor2d(logits);
    const t = clusterBalanceTerms(l);
    const out = { marginal: value(t.marginalEntropy), conditional: value(t.conditionalEntropy), loss: value(clusterBalanceLoss(l)) };
    l.dispose();
    return out;
  };

  it("takes its hand-computed values: balanced and sure −log K, collapsed 0, undecided 0, and a mixed case", () => {
    const sure = 30;  // logits this far apart give one-hot rows to float precision
    const balanced = terms([0, 1, 2, 3].map((j) => [0, 1, 2, 3].map((c) => (c === j ? sure : 0))));
    assert.ok(Math.abs(balanced.marginal - Math.log(4)) < 1e-5 && Math.abs(balanced.conditional) < 1e-5);
    assert.ok(Math.abs(balanced.loss + Math.log(4)) < 1e-5, `${balanced.loss}`);
    const collapsed = terms([[sure, 0, 0], [sure, 0, 0], [sure, 0, 0]]);
    assert.ok(Math.abs(collapsed.loss) < 1e-5 && Math.abs(collapsed.marginal) < 1e-5, "everything in one cluster: no information");
    const undecided = terms([[0, 0, 0], [0, 0, 0]]);
    assert.ok(Math.abs(undecided.conditional - Math.log(3)) < 1e-5 && Math.abs(undecided.loss) < 1e-5, "uniform rows: no information either");
    // Rows (¾, ¼) and (¼, ¾): the marginal is (½, ½); each row's entropy is H(¾, ¼).
    const h = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    const mixed = terms([[Math.log(3), 0], [0, Math.log(3)]]);
    assert.ok(Math.abs(mixed.marginal - Math.log(2)) < 1e-5 && Math.abs(mixed.conditional - h) < 1e-5);
    assert.ok(Math.abs(mixed.loss - (h - Math.log(2))) < 1e-5);
  });

  it("stays finite when a cluster's probability underflows to 0, and its gradient matches finite differences", () => {
    assert.ok(Number.isFinite(terms([[200, -200, 0], [150, 0, -300]]).loss));
    const logits = tf.tensor2d(Array.from(randomArray(12, 3, -2, 2)), [4, 3]);
    const analytic = tf.grad((l: tf.Tensor) => clusterBalanceLoss(l as tf.Tensor2D))(logits).dataSync();
    const base = Array.from(logits.dataSync());
    const at = (v: number[]) => { const t = tf.tensor2d(v, [4, 3]); const r = value(clusterBalanceLoss(t)); t.dispose(); return r; };
    const eps = 1e-2;
    base.forEach((_, i) => {
      const up = base.slice(), down = base.slice();
      up[i] += eps; down[i] -= eps;
      const numeric = (at(up) - at(down)) / (2 * eps);
      assert.ok(Math.abs(numeric - analytic[i]) < 2e-3, `logit ${i}: ${numeric} vs ${analytic[i]}`);
    });
    logits.dispose();
  });

  it("leaks no tensors and names a wrong shape", () => {
    const l = tf.tensor2d([[1, 2], [3, 4]]);
    const before = tf.memory().numTensors;
    value(clusterBalanceLoss(l));
    const t = clusterBalanceTerms(l);
    tf.dispose([t.marginalEntropy, t.conditionalEntropy]);
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => clusterBalanceLoss(tf.zeros([3, 1]) as tf.Tensor2D), /\[batch, categories ≥ 2\], got \[3,1\]/);
    l.dispose();
  });

  it("enters the AAE's generator phase with its weight, and only with a categorical code", () => {
    const model = new AdversarialAutoencoder({ ...config, categories: 3 });
    const rates = { reconstruction: 1e-3, discriminator: 1e-3, generator: 1e-3 };
    const batch = { x: tf.tensor2d(Array.from(randomArray(24, 9, 0, 1)), [6, 4]), labels: new Int32Array(6), indices: Int32Array.from({ length: 6 }, (_, i) => i) };
    const generatorValue = (balance: number) => value(model.phases({ prior: gaussianPrior(2), learningRates: rates, balance }).find((p) => p.name === "generator")!.loss(batch) as tf.Scalar);
    const logits = tf.tidy(() => tf.slice(model.encoder.apply(batch.x) as tf.Tensor2D, [0, 2], [-1, 3]) as tf.Tensor2D);
    const expected = value(clusterBalanceLoss(logits));
    assert.ok(Math.abs(generatorValue(2) - generatorValue(0) - 2 * expected) < 1e-5, "the generator's loss grows by balance × clusterBalanceLoss");
    assert.throws(() => model.phases({ prior: gaussianPrior(2), learningRates: rates, balance: -1 }), /balance must be a weight ≥ 0/);
    const plain = new AdversarialAutoencoder(config);
    assert.throws(() => plain.phases({ prior: gaussianPrior(2), learningRates: rates, balance: 1 }), /balance needs a categorical code/);
    tf.dispose([batch.x, logits]);
    model.dispose();
    plain.dispose();
  });
});

describe("the AAE's consistency phase (IMSAT: VAT + weighted balance on the categorical head)", () => {
  const config = { inputSize: 4, hidden: [8], codeSize: 2, discriminatorHidden: [8], seed: 3, categories: 3 };
  const rates = { reconstruction: 1e-3, discriminator: 1e-3, generator: 1e-3 };
  const value = (t: tf.Scalar) => { const v = t.dataSync()[0]; t.dispose(); return v; };

  it("is VAT at each image's own radius plus balance × (H(q) − μ·H(mean q)), moves only the encoder, and leaks nothing", () => {
    const model = new AdversarialAutoencoder(config);
    const x = tf.tensor2d(Array.from(randomArray(24, 9, 0, 1)), [6, 4]);
    const batch = { x, labels: new Int32Array(6), indices: Int32Array.from([5, 4, 3, 2, 1, 0]) };
    const radius = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    const phase = model.phases({ prior: gaussianPrior(2), learningRates: rates, seed: 7, consistency: { radius, balance: 0.5, marginalWeight: 3 } }).find((p) => p.name === "consistency")!;
    assert.deepEqual(phase.variables.map((v) => v.name), layerVariables(model.encoder).map((v) => v.name));
    const before = tf.memory().numTensors;
    const out = phase.loss(batch) as { loss: tf.Scalar; terms: Record<string, tf.Scalar> };
    const [loss, vat, bal] = [out.loss, out.terms.VAT, out.terms.balance].map(value);
    assert.equal(tf.memory().numTensors, before, "the phase's loss leaks no tensors");
    const logitsOf = (t: tf.Tensor2D) => tf.slice(model.encoder.apply(t) as tf.Tensor2D, [0, 2], [-1, 3]) as tf.Tensor2D;
    // The same VAT by hand: the radii looked up by index (image 5 first), the phase's first seed.
    const r = tf.tensor2d([0.6, 0.5, 0.4, 0.3, 0.2, 0.1], [6, 1]);
    const expectedVat = value(virtualAdversarialLoss(logitsOf, x, { radius: r, seed: 104729 + 7 }));
    const expectedBalance = value(tf.tidy(() => clusterBalanceLoss(logitsOf(x), 3)));
    assert.ok(Math.abs(vat - expectedVat) < 1e-6, `VAT ${vat} vs ${expectedVat}`);
    assert.ok(Math.abs(bal - expectedBalance) < 1e-6 && Math.abs(loss - (vat + 0.5 * bal)) < 1e-6, `${loss} vs ${vat} + 0.5 × ${bal}`);
    tf.dispose([x, r]);
    model.dispose();
  });

  it("with augmentation adds weight × sameClusterLoss between each image and its deformed copy, at VAT's ξ", () => {
    const model = new AdversarialAutoencoder({ ...config, inputSize: 9 });
    const x = tf.tensor2d(Array.from(randomArray(36, 19, 0, 1)), [4, 9]);
    const batch = { x, labels: new Int32Array(4), indices: Int32Array.from([0, 1, 2, 3]) };
    const augmentation = { imageShape: [3, 3] as [number, number], rotationDegrees: 20, weight: 0.7 };
    const phase = model.phases({ prior: gaussianPrior(2), learningRates: rates, seed: 4, consistency: { radius: 0.3, xi: 10, augmentation } }).find((p) => p.name === "consistency")!;
    const before = tf.memory().numTensors;
    const out = phase.loss(batch) as { loss: tf.Scalar; terms: Record<string, tf.Scalar> };
    const [loss, vat, bal, same] = [out.loss, out.terms.VAT, out.terms.balance, out.terms["same cluster"]].map(value);
    assert.equal(tf.memory().numTensors, before, "the phase's loss leaks no tensors");
    const logitsOf = (t: tf.Tensor2D) => tf.slice(model.encoder.apply(t) as tf.Tensor2D, [0, 2], [-1, 3]) as tf.Tensor2D;
    const stepSeed = 104729 + 4;
    const expectedSame = value(tf.tidy(() => sameClusterLoss(logitsOf(x), logitsOf(randomAffine(x, [3, 3], stepSeed, augmentation)))));
    const expectedVat = value(virtualAdversarialLoss(logitsOf, x, { radius: 0.3, seed: stepSeed, xi: 10 }));
    assert.ok(Math.abs(same - expectedSame) < 1e-6, `same cluster ${same} vs ${expectedSame}`);
    assert.ok(Math.abs(vat - expectedVat) < 1e-6, `VAT at ξ = 10: ${vat} vs ${expectedVat}`);
    assert.ok(Math.abs(loss - (vat + 0.3 * bal + 0.7 * same)) < 1e-5, `${loss} vs ${vat} + 0.3 × ${bal} + 0.7 × ${same}`);
    x.dispose();
    model.dispose();
  });

  it("runs stepsPerBatch optimiser steps per batch, after the generator, each with its own perturbations", () => {
    const model = new AdversarialAutoencoder(config);
    const phases = model.phases({ prior: gaussianPrior(2), learningRates: rates, consistency: { radius: 0.5, stepsPerBatch: 2 } });
    assert.deepEqual(phases.map((p) => p.name), ["reconstruction", "discriminator", "generator", "consistency", "consistency, step 2"]);
    const x = tf.tensor2d(Array.from(randomArray(24, 9, 0, 1)), [6, 4]);
    const batch = { x, labels: new Int32Array(6), indices: Int32Array.from([0, 1, 2, 3, 4, 5]) };
    const [first, second] = phases.slice(3).map((p) => value((p.loss(batch) as { terms: Record<string, tf.Scalar> }).terms.VAT));
    assert.notEqual(first, second, "the second step draws a new VAT direction");
    assert.throws(() => model.phases({ prior: gaussianPrior(2), learningRates: rates, consistency: { radius: 0.5, stepsPerBatch: 0 } }), /stepsPerBatch must be a whole number ≥ 1, got 0/);
    x.dispose();
    model.dispose();
  });

  it("weights the marginal entropy by μ: balanced sure rows give −μ log K", () => {
    const rows = tf.tensor2d([[30, 0, 0], [0, 30, 0], [0, 0, 30]]);
    assert.ok(Math.abs(value(clusterBalanceLoss(rows, 4)) + 4 * Math.log(3)) < 1e-5);
    assert.throws(() => clusterBalanceLoss(rows, -1), /marginalWeight must be ≥ 0/);
    rows.dispose();
  });

  it("says what is wrong: no categorical code, a radius that is not positive, too few radii for the batch", () => {
    const plain = new AdversarialAutoencoder({ ...config, categories: undefined });
    assert.throws(() => plain.phases({ prior: gaussianPrior(2), learningRates: rates, consistency: { radius: 1 } }), /consistency needs a categorical code/);
    const model = new AdversarialAutoencoder(config);
    assert.throws(() => model.phases({ prior: gaussianPrior(2), learningRates: rates, consistency: { radius: [1, 0] } }), /radius must be positive/);
    assert.throws(() => model.phases({ prior: gaussianPrior(2), learningRates: rates, consistency: { radius: 1, augmentation: { imageShape: [3, 3] } } }), /imageShape \[3,3\] does not make the 4 inputs/);
    assert.throws(() => model.phases({ prior: gaussianPrior(2), learningRates: rates, consistency: { radius: 1, augmentation: { imageShape: [2, 2], weight: -1 } } }), /augmentation.weight must be ≥ 0/);
    const phase = model.phases({ prior: gaussianPrior(2), learningRates: rates, consistency: { radius: [1, 1] } }).find((p) => p.name === "consistency")!;
    const batch = { x: tf.zeros([2, 4]) as tf.Tensor2D, labels: new Int32Array(2), indices: Int32Array.from([0, 7]) };
    assert.throws(() => phase.loss(batch), /radius has 2 entries but the batch has image 7/);
    tf.dispose(batch.x);
    [plain, model].forEach((m) => m.dispose());
  });
});

describe("virtualAdversarialLoss", () => {
  // A linear softmax classifier on 6 inputs, 3 classes: small enough to recompute everything by hand.
  const W = tf.variable(tf.tensor2d(Array.from(randomArray(18, 21, -2, 2)), [6, 3]));
  const x = tf.tensor2d(Array.from(randomArray(24, 22, 0, 1)), [4, 6]);
  const logitsOf = (t: tf.Tensor2D) => tf.matMul(t, W) as tf.Tensor2D;
  const klAt = (p: tf.Tensor2D, r: tf.Tensor) => tf.tidy(() => tf.mean(tf.sum(tf.mul(p, tf.sub(tf.log(p), tf.logSoftmax(logitsOf(tf.add(x, r) as tf.Tensor2D)))), 1)).dataSync()[0]);

  it("is KL(p ‖ q(x + r_adv)), larger than along a random direction of the same length", () => {
    const p = tf.softmax(logitsOf(x)) as tf.Tensor2D;
    const vat = virtualAdversarialLoss(logitsOf, x, { radius: 0.5, seed: 5 });
    const v = vat.dataSync()[0];
    const random = tf.tidy(() => { const d = tf.randomNormal(x.shape, 0, 1, "float32", 99); return tf.mul(tf.div(d, tf.norm(d, 2, 1, true)), 0.5); });
    assert.ok(v > 0 && v > klAt(p, random), `adversarial ${v} vs random ${klAt(p, random)}`);
    const tiny = virtualAdversarialLoss(logitsOf, x, { radius: 1e-4, seed: 5 });
    assert.ok(tiny.dataSync()[0] < 1e-6, "a vanishing radius gives a vanishing loss");
    tf.dispose([p, vat, random, tiny]);
  });

  it("sends no gradient through the target or the perturbation: it equals the gradient of KL(p_const ‖ q(x + r_const))", () => {
    const seed = 8, xi = 0.1, radius = 0.7;
    const p = tf.tensor2d(tf.tidy(() => tf.softmax(logitsOf(x))).arraySync() as number[][]);
    // r_adv recomputed by hand from the same random direction.
    const r = tf.tidy(() => {
      const d0 = tf.randomNormal(x.shape, 0, 1, "float32", noiseSeed(seed));
      const d = tf.div(d0, tf.add(tf.norm(d0, 2, 1, true), 1e-12));
      const g = tf.grad((dd: tf.Tensor) => tf.mean(tf.sum(tf.mul(p, tf.sub(tf.log(p), tf.logSoftmax(logitsOf(tf.add(x, tf.mul(xi, dd)) as tf.Tensor2D)))), 1)) as tf.Scalar)(d);
      return tf.mul(tf.div(g, tf.add(tf.norm(g, 2, 1, true), 1e-12)), radius);
    });
    const ours = tf.variableGrads(() => virtualAdversarialLoss(logitsOf, x, { radius, xi, seed })).grads[W.name];
    const reference = tf.variableGrads(() => tf.mean(tf.sum(tf.mul(p, tf.sub(tf.log(p), tf.logSoftmax(logitsOf(tf.add(x, r) as tf.Tensor2D)))), 1)) as tf.Scalar).grads[W.name];
    assert.ok(relativeError(ours.dataSync(), reference.dataSync()) < 1e-4);
    tf.dispose([p, r, ours, reference]);
  });

  it("takes one radius per row, leaks no tensors and names a wrong radius", () => {
    const radii = tf.tensor2d([[0.5], [0.5], [0.5], [0.5]]);
    const before = tf.memory().numTensors;
    const a = virtualAdversarialLoss(logitsOf, x, { radius: radii, seed: 3 }), b = virtualAdversarialLoss(logitsOf, x, { radius: 0.5, seed: 3 });
    assert.ok(Math.abs(a.dataSync()[0] - b.dataSync()[0]) < 1e-6, "a column of equal radii is one radius");
    tf.dispose([a, b]);
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => virtualAdversarialLoss(logitsOf, x, { radius: 0 }), /radius must be a positive number or a \[batch, 1\] tensor for a batch of 4, got 0/);
    assert.throws(() => virtualAdversarialLoss(logitsOf, x, { radius: tf.ones([3, 1]) as tf.Tensor2D }), /got shape \[3,1\]/);
    radii.dispose();
  });

  it("with the caller's logits at x gives the same loss as computing them itself", () => {
    const logits = logitsOf(x);
    const own = virtualAdversarialLoss(logitsOf, x, { radius: 0.5, seed: 5 }), given = virtualAdversarialLoss(logitsOf, x, { radius: 0.5, seed: 5, logits });
    assert.ok(Math.abs(own.dataSync()[0] - given.dataSync()[0]) < 1e-7, `${own.dataSync()[0]} vs ${given.dataSync()[0]}`);
    tf.dispose([logits, own, given]);
  });

  it("adaptiveRadius is the fraction of each row's k-th neighbour distance", () => {
    const points = { values: [0, 0, 1, 0, 3, 0, 7, 0], dim: 2 };
    assert.deepEqual(Array.from(adaptiveRadius(points, 0.5, 2)), [1.5, 1, 1.5, 3]);
    const cloud = { values: Array.from(randomArray(60, 4, -1, 1)), dim: 3 };
    const defaults = adaptiveRadius(cloud), tenth = kthNeighbourDistances(cloud, 10);
    defaults.forEach((r, i) => assert.ok(Math.abs(r - 0.25 * tenth[i]) < 1e-7, `row ${i}: IMSAT's 0.25 × the 10th neighbour`));
    assert.throws(() => adaptiveRadius(points, 0), /fraction must be positive, got 0/);
  });
});

describe("maximumMeanDiscrepancy", () => {
  it("is near 0 for two samples of one distribution and grows with a shift", () => {
    const a = tf.randomNormal([500, 2], 0, 1, "float32", 1) as tf.Tensor2D, b = tf.randomNormal([500, 2], 0, 1, "float32", 2) as tf.Tensor2D;
    const same = maximumMeanDiscrepancy(a, b);
    const shifts = [0.25, 1, 3].map((s) => maximumMeanDiscrepancy(a, tf.add(b, s) as tf.Tensor2D));
    assert.ok(Math.abs(same) < 0.02, `same distribution: ${same}`);
    assert.ok(shifts[0] > same && shifts[1] > shifts[0] && shifts[2] > shifts[1], `grows with the shift: ${shifts}`);
    assert.ok(Math.abs(maximumMeanDiscrepancy(b, a) - same) < 1e-5, "symmetric");
    assert.throws(() => maximumMeanDiscrepancy(a, tf.zeros([5, 3]) as tf.Tensor2D), /same d/);
    assert.throws(() => maximumMeanDiscrepancy(a, b, [0]), /positive/);
  });

  it("leaks no tensors", () => {
    const a = tf.randomNormal([30, 2]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    maximumMeanDiscrepancy(a, a);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe("clustering accuracy and k-means", () => {
  it("the Hungarian assignment is the cheapest of all permutations (checked exhaustively)", () => {
    const permutations = (n: number): number[][] => (n === 1 ? [[0]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)])));
    for (let seed = 1; seed <= 20; seed++) {
      const n = 2 + (seed % 5);
      const values = seededRandomInts(n * n, seed, 0, 50);
      const cost = Array.from({ length: n }, (_, i) => values.slice(i * n, (i + 1) * n));
      const best = Math.min(...permutations(n).map((p) => p.reduce((s, j, i) => s + cost[i][j], 0)));
      const found = minimumCostAssignment(cost);
      assert.equal(new Set(found).size, n, "one column per row");
      assert.equal(found.reduce((s, j, i) => s + cost[i][j], 0), best, `seed ${seed}`);
    }
  });

  it("renamed clusters score 1 with a one-to-one match; extra clusters take their majority class", () => {
    const labels = [0, 0, 1, 1, 2, 2, 2];
    assert.equal(clusteringAccuracy([2, 2, 0, 0, 1, 1, 1], labels).accuracy, 1);
    const merged = clusteringAccuracy([0, 0, 0, 0, 1, 1, 1], labels, "hungarian");
    assert.equal(merged.accuracy, 5 / 7);
    const many = clusteringAccuracy([0, 1, 2, 2, 3, 3, 4], labels);
    assert.equal(many.method, "majority");
    assert.equal(many.accuracy, 1);
    assert.deepEqual(many.assignment, [0, 0, 1, 2, 2]);
    assert.throws(() => clusteringAccuracy([0, 1], [0]), /2 cluster ids for 1 labels/);
    assert.throws(() => clusteringAccuracy([0, 1, 2], [0, 0, 1], "hungarian"), /use "majority"/);
  });

  it("k-means finds well-separated blobs, reproducibly, without leaking tensors", () => {
    const centres = [[0, 0], [10, 0], [0, 10], [10, 10]];
    const noise = randomArray(400 * 2, 5, -1, 1);
    const points = new Float32Array(400 * 2), labels = new Int32Array(400);
    for (let i = 0; i < 400; i++) { labels[i] = i % 4; points[2 * i] = centres[i % 4][0] + noise[2 * i]; points[2 * i + 1] = centres[i % 4][1] + noise[2 * i + 1]; }
    const before = tf.memory().numTensors;
    const a = kMeans(points, 2, 4, { seed: 1 }), b = kMeans(points, 2, 4, { seed: 1 });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(clusteringAccuracy(a.assignments, labels).accuracy, 1);
    assert.deepEqual(a.assignments, b.assignments);
    assert.deepEqual(nearestCentroid(points, 2, a.centroids), a.assignments, "new points go to the centroid k-means gave their neighbours");
    assert.throws(() => kMeans(points, 2, 0), /1 ≤ k ≤ rows/);
  });
});

describe("ELBO with another prior", () => {
  it("the Monte Carlo KL to N(0, I) given as a density averages to the closed form", () => {
    const vae = new VariationalAutoencoder({ inputSize: 4, hidden: [6], latentSize: 2, seed: 1 });
    const x = tf.tensor2d(randomArray(3 * 4, 2, 0, 1), [3, 4]);
    const standard = { logDensity: (z: tf.Tensor2D) => gaussianLogDensity(z) as tf.Tensor1D };
    const exact = tf.tidy(() => { const { mean, logVar } = vae.posterior(x); return klToStandardNormal(mean, logVar).dataSync(); });
    const sums = new Float64Array(3);
    const draws = 3000;
    for (let s = 0; s < draws; s++) tf.tidy(() => elboTerms(vae, x, 1000 + s, undefined, standard).kl.dataSync().forEach((v, i) => { sums[i] += v / draws; }));
    sums.forEach((m, i) => assert.ok(Math.abs(m - exact[i]) < 0.05 + 0.05 * exact[i], `image ${i}: MC ${m} vs exact ${exact[i]}`));
    vae.dispose();
  });
});

describe("AAE instance noise", () => {
  it("blurs what the code discriminator sees, then fades to the clean game after `steps`", () => {
    const shape = { inputSize: 4, hidden: [8], codeSize: 2, discriminatorHidden: [8], seed: 3 };
    const clean = new AdversarialAutoencoder(shape), noisy = new AdversarialAutoencoder(shape);
    const lr = { reconstruction: 1e-3, generator: 1e-3, discriminator: 1e-3 };
    const [, dClean] = clean.phases({ prior: gaussianPrior(2), learningRates: lr, seed: 1 });
    const [, dNoisy] = noisy.phases({ prior: gaussianPrior(2), learningRates: lr, seed: 1, instanceNoise: { std: 3, steps: 2 } });
    const batch = tinyDataset(6).batches(6).next().value!;
    const lossOf = (p: Phase) => { const out = p.loss(batch) as { loss: tf.Scalar }; return out.loss.dataSync()[0]; };
    const first = [lossOf(dClean), lossOf(dNoisy)], second = [lossOf(dClean), lossOf(dNoisy)], third = [lossOf(dClean), lossOf(dNoisy)];
    assert.notEqual(first[0], first[1], "step 1: noise of std 3 changes the discriminator's loss");
    assert.notEqual(second[0], second[1], "step 2: still some noise (std 1.5)");
    assert.equal(third[0], third[1], "from step `steps` on, no noise: the same loss as without it");
    assert.throws(() => clean.phases({ prior: gaussianPrior(2), learningRates: lr, instanceNoise: { std: 1, steps: 0 } }), /instanceNoise needs std ≥ 0 and steps ≥ 1/);
    clean.dispose();
    noisy.dispose();
  });
});
