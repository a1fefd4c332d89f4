// The Fréchet distance between two sets of images, as in the FID (Heusel et al. 2017): fit a Gaussian
// N(μ, Σ) to each set's features and take the 2-Wasserstein distance between the two Gaussians,
//   d² = ‖μa − μb‖² + tr(Σa + Σb − 2 (Σa^½ Σb Σa^½)^½).
// The FID uses Inception's features; the course uses its own classifier's penultimate layer, so its
// numbers compare within the course, not with published FIDs. It judges quality and coverage at once:
// blurry samples move the mean and shrink the covariance, dropped classes shrink the covariance.
import * as tf from "@tensorflow/tfjs";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
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

/** Eigenvalues and eigenvectors of a symmetric matrix, with round-off negatives clipped to 0. */
function symmetricEigen(m: Matrix): { values: number[]; vectors: Matrix } {
  const e = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  return { values: e.realEigenvalues.map((v) => Math.max(v, 0)), vectors: e.eigenvectorMatrix };
}

/** The Fréchet (2-Wasserstein) distance squared between N(a.mean, a.covariance) and N(b.mean, b.covariance). */
export function frechetDistanceBetweenGaussians(a: GaussianStatistics, b: GaussianStatistics): number {
  const d = a.mean.length;
  if (b.mean.length !== d || a.covariance.rows !== d || b.covariance.rows !== d) {
    throw new Error(`frechetDistanceBetweenGaussians: the two Gaussians have dimensions ${d} and ${b.mean.length}; compute both from the same features`);
  }
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  // Σa^½ from Σa's eigenvectors; then Σa^½ Σb Σa^½ is symmetric, and the trace of its square root is
  // the sum of the square roots of its eigenvalues (a symmetric route, unlike sqrtm(Σa Σb)).
  const ea = symmetricEigen(a.covariance);
  const rootA = ea.vectors.mmul(Matrix.diag(ea.values.map(Math.sqrt))).mmul(ea.vectors.transpose());
  const middle = rootA.mmul(b.covariance).mmul(rootA);
  const crossTerm = symmetricEigen(middle.add(middle.transpose()).div(2)).values.reduce((s, v) => s + Math.sqrt(v), 0);
  // A squared distance: a negative value can only be round-off (identical sets give about −1e-6).
  return Math.max(0, meanTerm + a.covariance.trace() + b.covariance.trace() - 2 * crossTerm);
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
  /** A 95 % basic-bootstrap interval: both sets resampled with replacement, [2d − q₉₇.₅, 2d − q₂.₅], clipped at 0. */
  ci95: [number, number];
  replicates: number;
}

/**
 * The Fréchet distance with a bootstrap interval for the sampling of both sets. Resampling with
 * replacement repeats rows, which inflates every resampled distance (fewer distinct points, a biased
 * covariance), so the percentile interval would sit above d; the basic interval reflects the
 * resampled distances around d and cancels that shift.
 */
export function frechetDistanceWithInterval(featuresA: tf.Tensor2D, featuresB: tf.Tensor2D, options: { replicates?: number; seed?: number } = {}): FrechetInterval {
  const { replicates = 100, seed = 0 } = options;
  if (!(Number.isInteger(replicates) && replicates >= 20)) throw new RangeError(`frechetDistanceWithInterval: replicates must be a whole number ≥ 20 for a 95 % interval, got ${replicates}`);
  const frechet = frechetDistance(featuresA, featuresB);
  const random = seededRandom(seed), n = featuresA.shape[0];
  const draws: number[] = [];
  for (let r = 0; r < replicates; r++) {
    const [a, b] = [featuresA, featuresB].map((f) => tf.gather(f, Int32Array.from({ length: n }, () => Math.floor(random() * n))) as tf.Tensor2D);
    try {
      draws.push(frechetDistance(a, b));
    } finally {
      tf.dispose([a, b]);
    }
  }
  draws.sort((x, y) => x - y);
  const quantile = (p: number) => draws[Math.min(replicates - 1, Math.max(0, Math.round(p * (replicates - 1))))];
  return { frechet, ci95: [Math.max(0, 2 * frechet - quantile(0.975)), Math.max(0, 2 * frechet - quantile(0.025))], replicates };
}
