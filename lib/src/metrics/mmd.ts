// Maximum mean discrepancy (Gretton et al. 2012): a distance between two distributions known only by
// samples. With a characteristic kernel it is 0 exactly when the distributions are equal. We use the
// unbiased estimate of MMD² with a sum of Gaussian kernels k(a, b) = Σ_σ exp(−‖a − b‖² / (2σ²)), so
// that both fine and coarse differences count; the bandwidths are fixed (not fitted to the samples)
// so that numbers for different models against the same prior compare.
import * as tf from "@tensorflow/tfjs";

export const DEFAULT_MMD_BANDWIDTHS = [0.25, 0.5, 1, 2, 4];

/** Unbiased MMD² between samples x [n, d] and y [m, d] (can be slightly negative when they agree). */
export function maximumMeanDiscrepancy(x: tf.Tensor2D, y: tf.Tensor2D, bandwidths: number[] = DEFAULT_MMD_BANDWIDTHS): number {
  if (x.rank !== 2 || y.rank !== 2 || x.shape[1] !== y.shape[1]) throw new Error(`maximumMeanDiscrepancy: samples must be [n, d] and [m, d] with the same d, got [${x.shape}] and [${y.shape}]`);
  const n = x.shape[0], m = y.shape[0];
  if (n < 2 || m < 2) throw new Error(`maximumMeanDiscrepancy: need at least 2 samples on each side, got ${n} and ${m}`);
  if (!bandwidths.length || bandwidths.some((s) => !(s > 0))) throw new Error(`maximumMeanDiscrepancy: bandwidths must be positive numbers, got [${bandwidths}]`);
  const value = unbiasedMmdSquared(x, y, (sq) => tf.addN(bandwidths.map((s) => tf.exp(tf.mul(sq, -1 / (2 * s * s))))), bandwidths.length);
  const out = value.dataSync()[0];
  value.dispose();
  return out;
}

/**
 * The unbiased MMD² estimate as a differentiable scalar, for any kernel written as a function of the
 * squared distances ‖a − b‖² (`kernel`), whose value at distance 0 is `diagonal`: the within-sample
 * sums leave out the diagonal. Used by the ruler above and by the WAE's penalty (losses/mmd.ts).
 */
export function unbiasedMmdSquared(x: tf.Tensor2D, y: tf.Tensor2D, kernel: (squaredDistances: tf.Tensor2D) => tf.Tensor, diagonal: number): tf.Scalar {
  const n = x.shape[0], m = y.shape[0];
  return tf.tidy(() => {
    const k = (a: tf.Tensor2D, b: tf.Tensor2D) =>
      kernel(tf.relu(tf.add(tf.sub(tf.sum(tf.square(a), 1, true), tf.mul(2, tf.matMul(a, b, false, true))), tf.transpose(tf.sum(tf.square(b), 1, true)))) as tf.Tensor2D);
    const within = (a: tf.Tensor2D, count: number) => tf.div(tf.sub(tf.sum(k(a, a)), count * diagonal), count * (count - 1));
    return tf.sub(tf.add(within(x, n), within(y, m)), tf.mul(2, tf.mean(k(x, y)))) as tf.Scalar;
  });
}
