// Kingma et al.'s stacked model M1 + M2 (2014): a VAE (M1) trained first on every image without labels,
// then M2 trained on M1's codes instead of pixels. M2 sees a small code z₁ ~ q(z₁|x) (a fresh sample in
// every minibatch), models it with a Gaussian p(z₁|y, z₂), and sums out all ten classes of each
// unlabelled code — cheap now that a "decoder pass" produces a few dozen numbers, not 784 pixels.
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";
import { reparameterize, VariationalAutoencoder } from "./vae";
import { SemiSupervisedVae } from "./m2";

/**
 * M1's posterior q(z₁|x) restricted to its informative dimensions and standardised by the training
 * images' statistics, so that one network size and learning rate suit any VAE. A dimension is kept
 * when its posterior mean varies across images more than the posterior's own noise, Var_x(μ_j) >
 * E_x[σ_j²] (with N(0, 1) as the prior, an active and an inactive dimension each split a variance of
 * about 1 between the two). The usual active-unit test, Var_x(μ_j) > 0.01, also keeps dimensions that
 * are 99 % noise, and a z₁ sampled in them drowns M2's input.
 */
export class M1Codes {
  /** The M1 dimensions kept, in order. */
  readonly dims: number[];
  /** Mean and std of each kept dimension's posterior mean over the images it was fitted on. */
  readonly centre: Float32Array;
  readonly scale: Float32Array;
  /** Var_x(μ_j) and E_x[σ_j²] of every M1 dimension, kept or not. */
  readonly signal: number[];
  readonly noise: number[];

  /** `activeAbove`: keep the dimensions with Var_x(μ_j) above it instead (0.01 is the usual active-unit test). */
  constructor(readonly vae: VariationalAutoencoder, fittedOn: ImageDataset, options: { activeAbove?: number } = {}) {
    const L = vae.latentSize;
    const { mean, logVar } = this.rawPosteriors(fittedOn);
    const n = fittedOn.size;
    const m = new Float64Array(L), v = new Float64Array(L), noise = new Float64Array(L);
    for (let i = 0; i < n; i++) for (let j = 0; j < L; j++) { m[j] += mean[i * L + j] / n; noise[j] += Math.exp(logVar[i * L + j]) / n; }
    for (let i = 0; i < n; i++) for (let j = 0; j < L; j++) v[j] += (mean[i * L + j] - m[j]) ** 2 / n;
    this.signal = Array.from(v);
    this.noise = Array.from(noise);
    const kept = options.activeAbove === undefined ? (j: number) => v[j] > noise[j] : (j: number) => v[j] > options.activeAbove!;
    this.dims = Array.from({ length: L }, (_, j) => j).filter(kept);
    if (this.dims.length === 0) {
      const rule = options.activeAbove === undefined ? "more than its noise" : `by more than ${options.activeAbove}`;
      throw new Error(`M1Codes: in no dimension of the VAE's code does the posterior mean vary across ${fittedOn.name} ${rule}; the VAE has collapsed to its prior (train it longer, or with a lower β)`);
    }
    this.centre = Float32Array.from(this.dims, (j) => m[j]);
    this.scale = Float32Array.from(this.dims, (j) => Math.sqrt(v[j]));
  }

  get size(): number { return this.dims.length; }

  private rawPosteriors(data: ImageDataset): { mean: Float32Array; logVar: Float32Array } {
    const L = this.vae.latentSize;
    const mean = new Float32Array(data.size * L), logVar = new Float32Array(data.size * L);
    let row = 0;
    for (const b of data.batches(1000)) {
      const q = this.vae.posterior(b.x);
      mean.set(q.mean.dataSync(), row * L);
      logVar.set(q.logVar.dataSync(), row * L);
      row += b.labels.length;
      tf.dispose([b.x, q.mean, q.logVar]);
    }
    return { mean, logVar };
  }

  /**
   * The standardised posterior of every image as a dataset whose rows are [μ (size), log σ² (size)]
   * (labels kept), computed once: M2's minibatches then sample z₁ from it without running M1 again.
   */
  posteriors(data: ImageDataset): ImageDataset {
    const L = this.vae.latentSize, k = this.size;
    const { mean, logVar } = this.rawPosteriors(data);
    const rows = new Float32Array(data.size * 2 * k);
    for (let i = 0; i < data.size; i++) {
      this.dims.forEach((j, c) => {
        rows[i * 2 * k + c] = (mean[i * L + j] - this.centre[c]) / this.scale[c];
        rows[i * 2 * k + k + c] = logVar[i * L + j] - 2 * Math.log(this.scale[c]);
      });
    }
    return new ImageDataset(rows, data.labels, [1, 1, 2 * k], data.classNames, `${data.name}, q(z₁|x) of M1 (${k} dimensions)`);
  }

  /** The standardised posterior means alone: M1's features for a classifier. */
  means(data: ImageDataset): { features: Float32Array; labels: Int32Array } {
    return posteriorMeans(this.posteriors(data));
  }
}

/** The μ half of posterior rows (M1Codes.posteriors), with their labels. */
export function posteriorMeans(rows: ImageDataset): { features: Float32Array; labels: Int32Array } {
  const k = rows.featureSize / 2;
  const features = new Float32Array(rows.size * k);
  for (let i = 0; i < rows.size; i++) features.set(rows.images.subarray(i * 2 * k, i * 2 * k + k), i * k);
  return { features, labels: rows.labels };
}

export interface M1M2Config {
  classes: number;
  /** Hidden widths of M2's classifier q(y|z₁) and of its encoder q(z₂|z₁, y) (the decoder mirrors them). */
  classifierHidden: number[];
  hidden: number[];
  /** Size of M2's own code z₂. */
  latentSize: number;
  seed?: number;
}

/** M2 on M1's codes: rows are M1Codes.posteriors() rows, [μ, log σ²] of q(z₁|x). */
export class StackedM1M2 {
  readonly m2: SemiSupervisedVae;

  constructor(readonly codes: M1Codes, readonly config: M1M2Config) {
    this.m2 = new SemiSupervisedVae({
      inputSize: codes.size, classes: config.classes, classifierHidden: config.classifierHidden, hidden: config.hidden,
      latentSize: config.latentSize, seed: config.seed,
      decoder: { likelihood: "gaussian", gaussianVariance: "learned", gaussianMean: "identity" },
    });
  }

  get variables(): tf.Variable[] { return this.m2.variables; }

  private check(rows: tf.Tensor2D, what: string): void {
    if (rows.rank !== 2 || rows.shape[1] !== 2 * this.codes.size) {
      throw new Error(`StackedM1M2: ${what} has shape [${rows.shape}], expected [batch, ${2 * this.codes.size}]: rows of codes.posteriors(images), not images`);
    }
  }

  /** z₁ ~ q(z₁|x), a fresh sample for each row. */
  sampleCodes(rows: tf.Tensor2D, seed?: number): tf.Tensor2D {
    this.check(rows, "the input");
    return tf.tidy(() => {
      const [mean, logVar] = tf.split(rows, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      return reparameterize(mean, logVar, seed);
    });
  }

  /** M2's loss (labelled bound, unlabelled bound with every class summed out, α · cross-entropy) on sampled codes. */
  loss(labelled: { rows: tf.Tensor2D; y: tf.Tensor2D }, unlabelled: tf.Tensor2D, alpha: number): { loss: tf.Scalar; terms: Record<string, tf.Scalar> } {
    this.check(labelled.rows, "the labelled batch");
    this.check(unlabelled, "the unlabelled batch");
    return tf.tidy(() => this.m2.loss({ x: this.sampleCodes(labelled.rows), y: labelled.y }, this.sampleCodes(unlabelled), alpha));
  }

  private means(rows: tf.Tensor2D): tf.Tensor2D {
    this.check(rows, "the input");
    return tf.tidy(() => tf.slice(rows, [0, 0], [-1, this.codes.size]));
  }

  /** The class of each row, from the classifier on the posterior mean of z₁ (no sampling at test time). */
  predict(rows: tf.Tensor2D): Int32Array {
    const m = this.means(rows);
    try { return this.m2.predict(m); } finally { m.dispose(); }
  }

  /** H(q(y|z₁)) per row, at the posterior mean. */
  classEntropy(rows: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => this.m2.classEntropy(this.means(rows)));
  }

  dispose(): void { this.m2.dispose(); }
}
