// VQ-VAE (van den Oord et al. 2017): a convolutional encoder turns an image into a 7×7 grid of
// vectors, each vector is replaced by its nearest entry of a learned codebook, and the decoder sees
// only those entries. An image becomes 49 codebook indices: log2(K) bits each.
//
// The nearest-neighbour step has no gradient. The straight-through estimator passes the decoder's
// gradient to the encoder unchanged; the codebook learns from ‖sg[z] − e‖² and the encoder is kept
// near its entries by the commitment term β‖z − sg[e]‖² (sg = stop gradient). Entries no encoder
// output chooses ("dead codes") are restarted at encoder outputs between epochs.
import * as tf from "@tensorflow/tfjs";
import { binaryCrossEntropyFromLogits } from "../losses/binaryCrossEntropy";
import { layerVariables } from "./autoencoder";
import { noiseSeed } from "../random";
import { kMeans } from "../metrics/kMeans";

// tfjs types customGrad's callback loosely (its last argument may be a save function), hence the casts.

/** x in the forward pass, no gradient in the backward pass. */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({ value: x.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as any) as unknown as <T extends tf.Tensor>(x: T) => T;

/** `quantized` in the forward pass; the gradient goes to `z` as if the quantiser were the identity. */
export const straightThrough = tf.customGrad(((z: tf.Tensor, quantized: tf.Tensor) => ({
  value: quantized.clone(),
  gradFunc: (dy: tf.Tensor) => [dy, tf.zerosLike(dy)],
})) as any) as unknown as (z: tf.Tensor2D, quantized: tf.Tensor2D) => tf.Tensor2D;

/** Index of the nearest codebook row (squared Euclidean distance) for every row of z. */
export function nearestCodes(z: tf.Tensor2D, codebook: tf.Tensor2D): tf.Tensor1D {
  if (z.rank !== 2 || codebook.rank !== 2 || z.shape[1] !== codebook.shape[1]) {
    throw new Error(`nearestCodes: vectors [${z.shape}] and codebook [${codebook.shape}] must both be [rows, ${codebook.shape[1]}]`);
  }
  // ‖z‖² is the same for every entry, so ‖e‖² − 2 z·e ranks them.
  return tf.tidy(() => tf.argMin(tf.sub(tf.sum(tf.square(codebook), 1), tf.mul(2, tf.matMul(z, codebook, false, true))), 1) as tf.Tensor1D);
}

/** How many codebook entries the indices use, and the perplexity exp(H) of their frequencies. */
export function codebookUsage(indices: ArrayLike<number>, codebookSize: number): { codesUsed: number; perplexity: number; counts: number[] } {
  const counts = new Array(codebookSize).fill(0);
  for (let i = 0; i < indices.length; i++) counts[indices[i]]++;
  let entropy = 0;
  for (const c of counts) if (c > 0) entropy -= (c / indices.length) * Math.log(c / indices.length);
  return { codesUsed: counts.filter((c) => c > 0).length, perplexity: Math.exp(entropy), counts };
}

export interface VqVaeConfig {
  /** K, the number of codebook entries. */
  codebookSize: number;
  /** D, the length of each entry (and of each encoder output vector). */
  codeDim: number;
  /** Filters of the two stride-2 convolutions (28 → 14 → 7); default [32, 64]. */
  filters?: [number, number];
  /** β of the commitment term (default 0.25, the paper's). */
  commitment?: number;
  /**
   * How the codebook learns: "loss" (default) by gradient steps on ‖sg[z] − e‖²; "ema" by exponential
   * moving averages of the vectors each entry is chosen by (the paper's appendix), with `updateCodebook`
   * called once per batch; the codebook is then not among `variables`.
   */
  codebookUpdate?: "loss" | "ema";
  /** γ of the moving averages (default 0.99). */
  emaDecay?: number;
  /** false: the same encoder and decoder with the codebook left out (a continuous code, for comparison). */
  quantise?: boolean;
  seed?: number;
}

export class VqVae {
  readonly encoder: tf.Sequential;
  readonly decoder: tf.Sequential;
  readonly codebook: tf.Variable;
  /** Grid positions per image (7 × 7). */
  readonly positions = 49;

  constructor(readonly config: VqVaeConfig) {
    const { codebookSize: k, codeDim: d } = config;
    for (const [what, n] of [["codebookSize", k], ["codeDim", d]] as [string, number][]) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`VqVae: ${what} must be a positive integer, got ${n}`);
    }
    const [f1, f2] = config.filters ?? [32, 64];
    const seed = config.seed ?? 0;
    const init = (i: number) => tf.initializers.glorotUniform({ seed: seed + i });
    this.encoder = tf.sequential({ name: "vq_encoder", layers: [
      tf.layers.reshape({ targetShape: [28, 28, 1], inputShape: [784] }),
      tf.layers.conv2d({ filters: f1, kernelSize: 4, strides: 2, padding: "same", activation: "relu", kernelInitializer: init(1) }),
      tf.layers.conv2d({ filters: f2, kernelSize: 4, strides: 2, padding: "same", activation: "relu", kernelInitializer: init(2) }),
      tf.layers.conv2d({ filters: d, kernelSize: 1, kernelInitializer: init(3) }),
    ] });
    this.decoder = tf.sequential({ name: "vq_decoder", layers: [
      tf.layers.conv2d({ filters: f2, kernelSize: 3, padding: "same", activation: "relu", inputShape: [7, 7, d], kernelInitializer: init(4) }),
      tf.layers.conv2dTranspose({ filters: f1, kernelSize: 4, strides: 2, padding: "same", activation: "relu", kernelInitializer: init(5) }),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: "same", kernelInitializer: init(6) }),
      tf.layers.flatten(),
    ] });
    const ema = config.codebookUpdate === "ema";
    if (config.codebookUpdate !== undefined && !ema && config.codebookUpdate !== "loss") throw new Error(`VqVae: codebookUpdate must be "loss" or "ema", got "${config.codebookUpdate}"`);
    const decay = config.emaDecay ?? 0.99;
    if (!(decay > 0 && decay < 1)) throw new Error(`VqVae: emaDecay must be in (0, 1), got ${decay}`);
    const name = `vq_codebook_${seed}_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
    // tf.variable keeps its own reference to the initial value, so each initial tensor is disposed here.
    const variable = (init: tf.Tensor, trainable: boolean, variableName: string) => {
      const v = tf.variable(init, trainable, variableName);
      init.dispose();
      return v;
    };
    this.codebook = variable(tf.randomUniform([k, d], -1 / k, 1 / k, "float32", seed + 7), !ema, name);
    if (ema) {
      // Each entry is the running mean of its vectors: a running count N_k and a running sum m_k, e_k = m_k / N_k.
      this.emaCount = variable(tf.ones([k]), false, `${name}_count`);
      this.emaSum = variable(this.codebook.clone(), false, `${name}_sum`);
    }
  }

  private readonly emaCount?: tf.Variable;
  private readonly emaSum?: tf.Variable;

  private get quantised(): boolean {
    return this.config.quantise ?? true;
  }

  /** The encoder's vectors, one row per grid position: [batch · 49, D]. */
  encodeVectors(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== 784) throw new Error(`VqVae: images have shape [${x.shape}], expected [batch, 784]`);
    return tf.tidy(() => (this.encoder.apply(x) as tf.Tensor4D).reshape([-1, this.config.codeDim]));
  }

  /** The codebook index at every grid position: [batch · 49]. */
  codeIndices(x: tf.Tensor2D): tf.Tensor1D {
    if (!this.quantised) throw new Error("VqVae.codeIndices: this model was built with quantise: false and has no codes");
    return tf.tidy(() => nearestCodes(this.encodeVectors(x), this.codebook as tf.Tensor2D));
  }

  /** Decoder logits [batch, 784] from the indices of whole images ([batch · 49]). */
  decodeIndices(indices: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => this.decodeVectors(tf.gather(this.codebook, indices) as tf.Tensor2D));
  }

  private decodeVectors(vectors: tf.Tensor2D): tf.Tensor2D {
    return this.decoder.apply(vectors.reshape([-1, 7, 7, this.config.codeDim])) as tf.Tensor2D;
  }

  /** Reconstruction in pixel space, in [0, 1]. */
  reconstruct(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.sigmoid(this.quantised ? this.decodeIndices(this.codeIndices(x)) : this.decodeVectors(this.encodeVectors(x))));
  }

  /**
   * The training loss of a batch: reconstruction (cross-entropy on the logits, summed over pixels,
   * mean over images) + codebook ‖sg[z] − e‖² + β · commitment ‖z − sg[e]‖² (each a mean over the
   * vectors of the squared distance summed over D).
   */
  loss(x: tf.Tensor2D): { loss: tf.Scalar; terms: Record<string, tf.Scalar> } {
    const z = this.encodeVectors(x);
    if (!this.quantised) {
      const reconstruction = tf.mul(binaryCrossEntropyFromLogits(this.decodeVectors(z), x), 784) as tf.Scalar;
      return { loss: reconstruction, terms: { reconstruction } };
    }
    const indices = nearestCodes(stopGradient(z), this.codebook as tf.Tensor2D);
    // One-hot rows times the codebook (instead of a gather) so that the gradient reaches the codebook by a matrix product.
    const e = tf.matMul(tf.oneHot(indices, this.config.codebookSize).toFloat(), this.codebook) as tf.Tensor2D;
    const reconstruction = tf.mul(binaryCrossEntropyFromLogits(this.decodeVectors(straightThrough(z, e)), x), 784) as tf.Scalar;
    const codebookTerm = tf.mean(tf.sum(tf.squaredDifference(stopGradient(z), e), 1)) as tf.Scalar;
    const commitment = tf.mean(tf.sum(tf.squaredDifference(z, stopGradient(e)), 1)) as tf.Scalar;
    const beta = this.config.commitment ?? 0.25;
    // With moving averages the codebook term has no variable to move: only the encoder commits.
    if (this.emaCount) return { loss: tf.add(reconstruction, tf.mul(beta, commitment)) as tf.Scalar, terms: { reconstruction, commitment } };
    return { loss: tf.addN([reconstruction, codebookTerm, tf.mul(beta, commitment)]) as tf.Scalar, terms: { reconstruction, codebook: codebookTerm, commitment } };
  }

  /**
   * One moving-average step of the codebook (codebookUpdate "ema"): with n_k the number of the batch's
   * vectors that choose entry k and s_k their sum, N_k ← γN_k + (1 − γ)n_k, m_k ← γm_k + (1 − γ)s_k,
   * e_k = m_k / N_k (N_k Laplace-smoothed so that a rarely chosen entry does not divide by ~0).
   */
  updateCodebook(x: tf.Tensor2D): void {
    const count = this.emaCount, sum = this.emaSum;
    if (!count || !sum) throw new Error('VqVae.updateCodebook: this model learns its codebook by the loss; build it with codebookUpdate: "ema" to use moving averages');
    const k = this.config.codebookSize, decay = this.config.emaDecay ?? 0.99;
    tf.tidy(() => {
      const z = this.encodeVectors(x);
      const chosen = tf.oneHot(nearestCodes(z, this.codebook as tf.Tensor2D), k).toFloat(); // [n, K]
      const nextCount = tf.add(tf.mul(decay, count), tf.mul(1 - decay, tf.sum(chosen, 0)));
      const nextSum = tf.add(tf.mul(decay, sum), tf.mul(1 - decay, tf.matMul(chosen, z, true, false)));
      const total = tf.sum(nextCount);
      const smoothed = tf.mul(tf.div(tf.add(nextCount, 1e-5), tf.add(total, k * 1e-5)), total);
      count.assign(nextCount);
      sum.assign(nextSum);
      this.codebook.assign(tf.div(nextSum, smoothed.reshape([k, 1])));
    });
  }

  /**
   * Sets the codebook to the k-means centroids of the encoder's vectors for the images x (k-means++
   * seeding from the seed), so that every entry starts where vectors are.
   */
  initialiseCodebookByKMeans(x: tf.Tensor2D, seed: number): void {
    const z = this.encodeVectors(x);
    const { centroids } = kMeans(z.dataSync() as Float32Array, this.config.codeDim, this.config.codebookSize, { seed, maxIterations: 20 });
    z.dispose();
    this.setEntries(tf.tensor2d(centroids, [this.config.codebookSize, this.config.codeDim]));
  }

  /** New codebook values; the moving averages restart from them with a count of 1 each. */
  private setEntries(entries: tf.Tensor2D): void {
    tf.tidy(() => {
      this.codebook.assign(entries);
      this.emaCount?.assign(tf.onesLike(this.emaCount));
      this.emaSum?.assign(entries);
    });
    entries.dispose();
  }

  /**
   * Moves every entry that no vector of `x` chooses onto one of those vectors (picked with the seed,
   * plus a little noise so that two restarted entries do not coincide). Returns how many moved.
   */
  restartDeadCodes(x: tf.Tensor2D, seed: number): number {
    const z = this.encodeVectors(x);
    const idx = nearestCodes(z, this.codebook as tf.Tensor2D);
    const { counts } = codebookUsage(idx.dataSync(), this.config.codebookSize);
    idx.dispose();
    const dead = counts.flatMap((c, i) => (c === 0 ? [i] : []));
    if (dead.length > 0) {
      tf.tidy(() => {
        const rows = tf.randomUniform([dead.length], 0, z.shape[0], "int32", noiseSeed(seed)) as tf.Tensor1D;
        const picked = tf.add(tf.gather(z, rows), tf.randomNormal([dead.length, this.config.codeDim], 0, 0.01, "float32", seed + 1));
        const deadRows = tf.oneHot(tf.tensor1d(dead, "int32"), this.config.codebookSize).toFloat(); // [dead, K]
        const isDead = deadRows.sum(0), keep = tf.sub(1, isDead).reshape([-1, 1]);
        const next = tf.add(tf.mul(this.codebook, keep), tf.matMul(deadRows, picked, true, false));
        this.codebook.assign(next);
        // A restarted entry's moving averages start again from it, with a count of 1.
        this.emaCount?.assign(tf.add(tf.mul(this.emaCount, tf.sub(1, isDead)), isDead));
        this.emaSum?.assign(tf.add(tf.mul(this.emaSum, keep), tf.matMul(deadRows, picked, true, false)));
      });
    }
    z.dispose();
    return dead.length;
  }

  /** What the optimiser trains: encoder and decoder, and the codebook unless moving averages update it. */
  get variables(): tf.Variable[] {
    return [...layerVariables(this.encoder, this.decoder), ...(this.emaCount || !this.quantised ? [] : [this.codebook])];
  }

  countParams(): number {
    return this.encoder.countParams() + this.decoder.countParams() + (this.quantised ? this.config.codebookSize * this.config.codeDim : 0);
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.codebook.dispose();
    this.emaCount?.dispose();
    this.emaSum?.dispose();
  }
}

/**
 * The simplest prior over index grids: every grid position independent, with the frequencies of the
 * indices seen there in `indices` (whole images, `positions` per image) plus `smoothing` counts each.
 * Returns log-probabilities [positions, K], the logits `sampleIndependentIndices` draws from.
 */
export function fitIndependentIndexPrior(indices: ArrayLike<number>, positions: number, codebookSize: number, smoothing = 1): tf.Tensor2D {
  if (indices.length === 0 || indices.length % positions !== 0) throw new Error(`fitIndependentIndexPrior: ${indices.length} indices do not make whole images of ${positions} positions`);
  const counts = new Float32Array(positions * codebookSize).fill(smoothing);
  for (let i = 0; i < indices.length; i++) counts[(i % positions) * codebookSize + indices[i]]++;
  return tf.tidy(() => {
    const c = tf.tensor2d(counts, [positions, codebookSize]);
    return tf.log(tf.div(c, tf.sum(c, 1, true))) as tf.Tensor2D;
  });
}

/** n index grids drawn position by position from the prior's log-probabilities: [n · positions]. */
export function sampleIndependentIndices(logProbabilities: tf.Tensor2D, n: number, seed: number): tf.Tensor1D {
  return tf.tidy(() => (tf.multinomial(logProbabilities, n, seed) as tf.Tensor2D).transpose().reshape([-1]) as tf.Tensor1D);
}
