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
    this.codebook = tf.variable(tf.randomUniform([k, d], -1 / k, 1 / k, "float32", seed + 7), true, `vq_codebook_${seed}_${Date.now()}`);
  }

  /** The encoder's vectors, one row per grid position: [batch · 49, D]. */
  encodeVectors(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== 784) throw new Error(`VqVae: images have shape [${x.shape}], expected [batch, 784]`);
    return tf.tidy(() => (this.encoder.apply(x) as tf.Tensor4D).reshape([-1, this.config.codeDim]));
  }

  /** The codebook index at every grid position: [batch · 49]. */
  codeIndices(x: tf.Tensor2D): tf.Tensor1D {
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
    return tf.tidy(() => tf.sigmoid(this.decodeIndices(this.codeIndices(x))));
  }

  /**
   * The training loss of a batch: reconstruction (cross-entropy on the logits, summed over pixels,
   * mean over images) + codebook ‖sg[z] − e‖² + β · commitment ‖z − sg[e]‖² (each a mean over the
   * vectors of the squared distance summed over D).
   */
  loss(x: tf.Tensor2D): { loss: tf.Scalar; terms: Record<string, tf.Scalar> } {
    const z = this.encodeVectors(x);
    const indices = nearestCodes(stopGradient(z), this.codebook as tf.Tensor2D);
    // One-hot rows times the codebook (instead of a gather) so that the gradient reaches the codebook by a matrix product.
    const e = tf.matMul(tf.oneHot(indices, this.config.codebookSize).toFloat(), this.codebook) as tf.Tensor2D;
    const reconstruction = tf.mul(binaryCrossEntropyFromLogits(this.decodeVectors(straightThrough(z, e)), x), 784) as tf.Scalar;
    const codebookTerm = tf.mean(tf.sum(tf.squaredDifference(stopGradient(z), e), 1)) as tf.Scalar;
    const commitment = tf.mean(tf.sum(tf.squaredDifference(z, stopGradient(e)), 1)) as tf.Scalar;
    const beta = this.config.commitment ?? 0.25;
    return { loss: tf.addN([reconstruction, codebookTerm, tf.mul(beta, commitment)]) as tf.Scalar, terms: { reconstruction, codebook: codebookTerm, commitment } };
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
      const next = tf.tidy(() => {
        const rows = tf.randomUniform([dead.length], 0, z.shape[0], "int32", noiseSeed(seed)) as tf.Tensor1D;
        const picked = tf.add(tf.gather(z, rows), tf.randomNormal([dead.length, this.config.codeDim], 0, 0.01, "float32", seed + 1));
        const deadRows = tf.oneHot(tf.tensor1d(dead, "int32"), this.config.codebookSize).toFloat(); // [dead, K]
        const keep = tf.sub(1, deadRows.sum(0)).reshape([-1, 1]);
        return tf.add(tf.mul(this.codebook, keep), tf.matMul(deadRows, picked, true, false));
      });
      this.codebook.assign(next);
      next.dispose();
    }
    z.dispose();
    return dead.length;
  }

  get variables(): tf.Variable[] {
    return [...layerVariables(this.encoder, this.decoder), this.codebook];
  }

  countParams(): number {
    return this.encoder.countParams() + this.decoder.countParams() + this.config.codebookSize * this.config.codeDim;
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.codebook.dispose();
  }
}
