// The Fréchet distance between two sets of images, as in the FID (Heusel et al. 2017): fit a Gaussian
// N(μ, Σ) to each set's features and take the 2-Wasserstein distance between the two Gaussians,
//   d² = ‖μa − μb‖² + tr(Σa + Σb − 2 (Σa^½ Σb Σa^½)^½).
// The FID uses Inception's features; the course uses its own classifier's penultimate layer, so its
// numbers compare within the course, not with published FIDs. It judges quality and coverage at once:
// blurry samples move the mean and shrink the covariance, dropped classes shrink the covariance.
import * as tf from "@tensorflow/tfjs";
import { Matrix } from "ml-matrix";
import { symmetricEigen, symmetricEigenvalues } from "./symmetricEigen";
import { seededRandom } from "../random";

export interface GaussianStatistics {
  mean: Float64Array;
  /** Unbiased sample covariance, [d, d]. */
  covariance: Matrix;
  count: number;
}

/** Mean and covariance of the rows of features [n, d]. */
export function gaussianStatistics(features: tf.Tensor2D): GaussianStatistics {
  if (features.rank !== 2) throw new Error(`gaussianStatistics: features must be [n, d], got [${features.shape}]`);
  const [n, d] = features.shape;
  if (n < 2) throw new Error(`gaussianStatistics: need at least 2 rows to estimate a covariance, got ${n}`);
  const [meanT, covT] = tf.tidy(() => {
    const mean = tf.mean(features, 0, true);
    const centred = tf.sub(features, mean);
    return [mean, tf.div(tf.matMul(centred, centred, true, false), n - 1)];
  });
  const mean = Float64Array.from(meanT.dataSync());
  const flat = covT.dataSync();
  tf.dispose([meanT, covT]);
  const covariance = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) covariance.set(i, j, 0.5 * (flat[i * d + j] + flat[j * d + i]));
  return { mean, covariance, count: n };
}

/** a · b for n × n row-major matrices (i-k-j order, so the inner loop runs along rows). */
function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = c.subarray(i * n, i * n + n);
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      const bk = b.subarray(k * n, k * n + n);
      for (let j = 0; j < n; j++) row[j] += aik * bk[j];
    }
  }
  return c;
}

/** The symmetric square root of a covariance, V diag(√λ) Vᵀ, with round-off negative eigenvalues clipped to 0. */
function covarianceSqrt(m: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(m, n);
  // Scale each eigenvector (a row of `vectors`) by λ^¼: the root is then the product of its transpose with itself.
  const scaled = new Float64Array(n * n);
  for (let k = 0; k < n; k++) { const f = Math.sqrt(Math.sqrt(Math.max(values[k], 0))); for (let j = 0; j < n; j++) scaled[k * n + j] = f * vectors[k * n + j]; }
  const transposed = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) transposed[j * n + k] = scaled[k * n + j];
  return multiply(transposed, scaled, n);
}

const flat = (m: Matrix) => Float64Array.from(m.to1DArray());

/** d² between a and b given Σa^½: the root is what a bootstrap of b's images can reuse. */
function frechetWithRoot(a: GaussianStatistics, rootA: Float64Array, b: GaussianStatistics): number {
  const d = a.mean.length;
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  // Σa^½ Σb Σa^½ is symmetric, and the trace of its square root is the sum of the square roots of its
  // eigenvalues (a symmetric route, unlike sqrtm(Σa Σb)).
  const middle = multiply(multiply(rootA, flat(b.covariance), d), rootA, d);
  const crossTerm = symmetricEigenvalues(middle, d).reduce((sum, v) => sum + Math.sqrt(Math.max(v, 0)), 0);
  // A squared distance: a negative value can only be round-off (identical sets give about −1e-6).
  return Math.max(0, meanTerm + a.covariance.trace() + b.covariance.trace() - 2 * crossTerm);
}

/** The Fréchet (2-Wasserstein) distance squared between N(a.mean, a.covariance) and N(b.mean, b.covariance). */
export function frechetDistanceBetweenGaussians(a: GaussianStatistics, b: GaussianStatistics): number {
  const d = a.mean.length;
  if (b.mean.length !== d || a.covariance.rows !== d || b.covariance.rows !== d) {
    throw new Error(`frechetDistanceBetweenGaussians: the two Gaussians have dimensions ${d} and ${b.mean.length}; compute both from the same features`);
  }
  return frechetWithRoot(a, covarianceSqrt(flat(a.covariance), d), b);
}

/**
 * The Fréchet distance between the Gaussian fits of two feature sets [n, d]. Both need the same n:
 * the estimate is biased upwards by an amount that shrinks with n, so only equal sizes compare.
 */
export function frechetDistance(featuresA: tf.Tensor2D, featuresB: tf.Tensor2D): number {
  if (featuresA.rank !== 2 || featuresB.rank !== 2 || featuresA.shape[1] !== featuresB.shape[1]) {
    throw new Error(`frechetDistance: features must be [n, d] with the same d, got [${featuresA.shape}] and [${featuresB.shape}]`);
  }
  if (featuresA.shape[0] !== featuresB.shape[0]) {
    throw new Error(`frechetDistance: the two sets have ${featuresA.shape[0]} and ${featuresB.shape[0]} rows; use the same number of images for both (the distance is biased by the sample size)`);
  }
  return frechetDistanceBetweenGaussians(gaussianStatistics(featuresA), gaussianStatistics(featuresB));
}

export interface FrechetInterval {
  frechet: number;
  /** A 95 % bootstrap interval over the first set's images: d − (median − q₂.₅) to d + (q₉₇.₅ − median) of the resampled distances. */
  ci95: [number, number];
  replicates: number;
}

/**
 * The Fréchet distance of `samples` to `reference` with a bootstrap interval for the sampling of
 * `samples` (the reference is the same fixed set for every model compared). Resampling with
 * replacement repeats images, which shifts every resampled distance up (fewer distinct images
 * inflate the estimate), but not their spread; so the interval is the spread of the resampled
 * distances around their median, placed around d: how far d itself moves with another draw of
 * the same number of samples.
 */
export function frechetDistanceWithInterval(samples: tf.Tensor2D, reference: tf.Tensor2D, options: { replicates?: number; seed?: number } = {}): FrechetInterval {
  const { replicates = 100, seed = 0 } = options;
  if (!(Number.isInteger(replicates) && replicates >= 20)) throw new RangeError(`frechetDistanceWithInterval: replicates must be a whole number ≥ 20 for a 95 % interval, got ${replicates}`);
  const frechet = frechetDistance(samples, reference);
  const ref = gaussianStatistics(reference), rootRef = covarianceSqrt(flat(ref.covariance), ref.mean.length);
  const random = seededRandom(seed), n = samples.shape[0];
  const draws: number[] = [];
  for (let r = 0; r < replicates; r++) {
    const resampled = tf.gather(samples, Int32Array.from({ length: n }, () => Math.floor(random() * n))) as tf.Tensor2D;
    try {
      draws.push(frechetWithRoot(ref, rootRef, gaussianStatistics(resampled)));
    } finally {
      resampled.dispose();
    }
  }
  draws.sort((x, y) => x - y);
  const quantile = (p: number) => draws[Math.min(replicates - 1, Math.max(0, Math.round(p * (replicates - 1))))];
  const median = quantile(0.5);
  return { frechet, ci95: [Math.max(0, frechet - (median - quantile(0.025))), frechet + (quantile(0.975) - median)], replicates };
}
