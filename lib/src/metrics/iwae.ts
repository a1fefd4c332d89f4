// The importance-weighted bound (Burda et al. 2016):
//   L_k(x) = E[ log (1/k) Σ_i p(x, z_i) / q(z_i|x) ],  z_i ~ q(z|x),
// which is the ELBO for k = 1, never decreases with k, and tends to log p(x). The k samples are
// drawn in chunks and folded into a running log-sum-exp, so k = 1000 needs the memory of one chunk.
import * as tf from "@tensorflow/tfjs";
import { noiseSeed } from "../random";
import { ImageDataset } from "../data/dataset";
import { gaussianLogDensity } from "../losses/kl";
import { VariationalAutoencoder } from "../models/vae";
import { interruptibly } from "../training/interrupt";

/** log((1/k) Σ exp(w)) along `axis`, stable for any w: max + log(mean(exp(w − max))). */
export function logMeanExp(w: tf.Tensor, axis = -1): tf.Tensor {
  return tf.tidy(() => {
    const max = tf.max(w, axis, true);
    const safeMax = tf.maximum(max, -3e38); // a row of −∞ gives −∞, not −∞ − (−∞) = NaN
    const lme = tf.add(tf.log(tf.mean(tf.exp(tf.sub(w, safeMax)), axis, true)), safeMax);
    return tf.squeeze(lme, [axis < 0 ? w.rank + axis : axis]);
  });
}

/** log w = log p(x|z) + log p(z) − log q(z|x) for `samples` draws per image: [batch, samples]. */
export function logImportanceWeights(model: VariationalAutoencoder, x: tf.Tensor2D, samples: number, seed?: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, d] = x.shape;
    const L = model.latentSize;
    const { mean, logVar } = model.posterior(x);
    // [batch, samples, L] by broadcasting: wasm's Tile would copy x once per sample, slowly.
    const lv = tf.expandDims(logVar, 1);
    const eps = tf.randomNormal([b, samples, L], 0, 1, "float32", noiseSeed(seed));
    const z = tf.add(tf.expandDims(mean, 1), tf.mul(tf.exp(tf.mul(lv, 0.5)), eps));
    const logits = tf.reshape(model.decodeLogits(tf.reshape(z, [b * samples, L]) as tf.Tensor2D), [b, samples, d]);
    const logPxz = model.logLikelihood(tf.expandDims(x, 1), logits);
    const logPz = gaussianLogDensity(z);
    const logQz = gaussianLogDensity(z, tf.expandDims(mean, 1), lv);
    return tf.sub(tf.add(logPxz, logPz), logQz) as tf.Tensor2D;
  });
}

export interface IwaeOptions {
  /** Images per forward pass (default 100) and samples per chunk (default: about 10 000 decoder rows per pass, fastest on wasm). */
  imageBatch?: number;
  sampleChunk?: number;
  seed?: number;
}

/** The mean over `data` of the k-sample importance-weighted bound, in nats (per image). */
export function iwaeBound(model: VariationalAutoencoder, data: ImageDataset, k: number, options: IwaeOptions = {}): number {
  return iwaeBoundPerImage(model, data, k, options).reduce((a, b) => a + b, 0) / data.size;
}

/** Each image's k-sample importance-weighted bound, in nats: their spread gives the mean's standard error. */
export function iwaeBoundPerImage(model: VariationalAutoencoder, data: ImageDataset, k: number, options: IwaeOptions = {}): Float64Array {
  return interruptibly("the importance-weighted bound", () => computeIwaeBounds(model, data, k, options));
}

function computeIwaeBounds(model: VariationalAutoencoder, data: ImageDataset, k: number, options: IwaeOptions = {}): Float64Array {
  if (!Number.isInteger(k) || k < 1) throw new Error(`iwaeBound: k must be a positive integer, got ${k}`);
  const imageBatch = options.imageBatch ?? 100;
  const chunk = Math.max(1, Math.min(k, options.sampleChunk ?? Math.floor(10_000 / imageBatch)));
  const bounds = new Float64Array(data.size);
  let imagesDone = 0;
  let seed = options.seed ?? 0;
  for (const batch of data.batches(imageBatch)) {
    // Running log-sum-exp over chunks: m is the largest log weight so far, s = Σ exp(w − m).
    let m = new Float64Array(batch.labels.length).fill(-Infinity);
    let s = new Float64Array(batch.labels.length);
    for (let done = 0; done < k; done += chunk) {
      const n = Math.min(chunk, k - done);
      const w = tf.tidy(() => logImportanceWeights(model, batch.x as tf.Tensor2D, n, seed++));
      const values = w.dataSync();
      w.dispose();
      for (let i = 0; i < m.length; i++) {
        let cm = -Infinity;
        for (let j = 0; j < n; j++) cm = Math.max(cm, values[i * n + j]);
        const nm = Math.max(m[i], cm);
        let acc = m[i] === -Infinity ? 0 : s[i] * Math.exp(m[i] - nm);
        for (let j = 0; j < n; j++) acc += Math.exp(values[i * n + j] - nm);
        m[i] = nm;
        s[i] = acc;
      }
    }
    for (let i = 0; i < m.length; i++) bounds[imagesDone++] = m[i] + Math.log(s[i] / k);
    batch.x.dispose();
  }
  return bounds;
}

/**
 * Active units (Burda et al.): latent dimensions whose posterior mean varies across the data,
 * Var_x(E_q[z_j]) > threshold (0.01). A collapsed dimension copies the prior whatever x is.
 */
export function activeUnits(model: VariationalAutoencoder, data: ImageDataset, threshold = 0.01): { count: number; variances: number[] } {
  const L = model.latentSize;
  const sum = new Float64Array(L), sumSq = new Float64Array(L);
  for (const batch of data.batches(500)) {
    const mean = model.encode(batch.x as tf.Tensor2D);
    const v = mean.dataSync();
    mean.dispose();
    batch.x.dispose();
    for (let i = 0; i < v.length; i++) { sum[i % L] += v[i]; sumSq[i % L] += v[i] * v[i]; }
  }
  const variances = Array.from(sum, (s, j) => sumSq[j] / data.size - (s / data.size) ** 2);
  return { count: variances.filter((v) => v > threshold).length, variances };
}
