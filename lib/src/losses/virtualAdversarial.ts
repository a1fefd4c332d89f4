// Virtual adversarial training (Miyato et al. 2018), as IMSAT (Hu et al. 2017) uses it for clustering:
// a classifier's prediction should not change under the small perturbation of the input that changes
// it most. With p = q(y|x) held fixed as the target,
//   r_adv = radius · g / ‖g‖,  g = ∇_d KL(p ‖ q(y | x + ξ d)) at a random unit direction d
// (one power iteration towards the direction of largest change), and the loss is KL(p ‖ q(y | x + r_adv)).
import * as tf from "@tensorflow/tfjs";
import { noiseSeed } from "../random";
import { kthNeighbourDistances, Points } from "../metrics/neighbours";
import { stopGradient } from "../models/vqvae";  // the identity with zero gradient: a consistency target is a constant

/** KL(p ‖ softmax(logits)) per row, averaged: p are probabilities [batch, K]. */
function meanKl(p: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.sum(tf.mul(p, tf.sub(tf.log(tf.maximum(p, 1e-12)), tf.logSoftmax(logits))), 1)) as tf.Scalar;
}

export interface VirtualAdversarialOptions {
  /** Length of each row's perturbation: one number, or one per row as [batch, 1]. */
  radius: number | tf.Tensor2D;
  /** Step of the finite difference that finds the direction (default 0.1). */
  xi?: number;
  seed?: number;
  /** The model's logits at x, when the caller has computed them already (saves a forward pass). */
  logits?: tf.Tensor2D;
}

/** The VAT loss of `logitsOf` at x [batch, d], in nats; differentiable in the model's weights. */
export function virtualAdversarialLoss(logitsOf: (x: tf.Tensor2D) => tf.Tensor2D, x: tf.Tensor2D, options: VirtualAdversarialOptions): tf.Scalar {
  const { radius, xi = 0.1 } = options;
  if (typeof radius === "number" ? !(radius > 0) : radius.rank !== 2 || radius.shape[0] !== x.shape[0] || radius.shape[1] !== 1) {
    throw new Error(`virtualAdversarialLoss: radius must be a positive number or a [batch, 1] tensor for a batch of ${x.shape[0]}, got ${typeof radius === "number" ? radius : `shape [${radius.shape}]`}`);
  }
  return tf.tidy(() => {
    const p = stopGradient(tf.softmax(options.logits ?? logitsOf(x))) as tf.Tensor2D;
    const unit = (t: tf.Tensor) => tf.div(t, tf.add(tf.norm(t, 2, 1, true), 1e-12));
    const d = unit(tf.randomNormal(x.shape, 0, 1, "float32", noiseSeed(options.seed)));
    const g = tf.grad((dd: tf.Tensor) => meanKl(p, logitsOf(tf.add(x, tf.mul(xi, dd)) as tf.Tensor2D)))(d);
    const r = stopGradient(tf.mul(unit(g), radius));
    return meanKl(p, logitsOf(tf.add(x, r) as tf.Tensor2D));
  });
}

/**
 * IMSAT's radius for each row: `fraction` × the distance to its k-th nearest other row, so crowded
 * regions get small perturbations and sparse ones large (Hu et al. 2017: 0.25 and k = 10).
 */
export function adaptiveRadius(points: Points, fraction = 0.25, k = 10): Float32Array {
  if (!(fraction > 0)) throw new Error(`adaptiveRadius: fraction must be positive, got ${fraction}`);
  return kthNeighbourDistances(points, k).map((d) => fraction * d);
}
