// The WAE-MMD penalty (Tolstikhin, Bousquet, Gelly & Schölkopf 2018, "Wasserstein Auto-Encoders"):
// the unbiased MMD² between a batch of codes and a batch of prior samples, differentiable in the
// codes. It uses the paper's inverse multiquadratic kernel k(a, b) = C / (C + ‖a − b‖²), summed over
// several scales C, whose heavy tails keep a gradient for codes far from the prior. The course's MMD
// ruler (ae.metrics.maximumMeanDiscrepancy) uses Gaussian kernels instead, so a model trained on this
// penalty is not scored by the very estimate it minimised.
import * as tf from "@tensorflow/tfjs";
import { unbiasedMmdSquared } from "../metrics/mmd";

/** The paper's scales, multiples of 2 · d · σ² for a prior of variance σ² = 1 per dimension. */
export const WAE_KERNEL_SCALES = [0.1, 0.2, 0.5, 1, 2, 5, 10];

/** Unbiased MMD² of codes [n, d] against prior samples [m, d] with the inverse multiquadratic kernel (a scalar). */
export function waeMmdPenalty(codes: tf.Tensor2D, priorSamples: tf.Tensor2D, scales: number[] = WAE_KERNEL_SCALES): tf.Scalar {
  if (codes.rank !== 2 || priorSamples.rank !== 2 || codes.shape[1] !== priorSamples.shape[1]) {
    throw new Error(`waeMmdPenalty: codes and prior samples must be [n, d] and [m, d] with the same d, got [${codes.shape}] and [${priorSamples.shape}]`);
  }
  const n = codes.shape[0], m = priorSamples.shape[0], d = codes.shape[1];
  if (n < 2 || m < 2) throw new Error(`waeMmdPenalty: need at least 2 codes and 2 prior samples, got ${n} and ${m}`);
  // Every scale's kernel is 1 at distance 0.
  return unbiasedMmdSquared(codes, priorSamples, (sq) => tf.addN(scales.map((s) => { const c = 2 * d * s; return tf.div(c, tf.add(c, sq)); })), scales.length);
}
