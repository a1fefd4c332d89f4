// The contractive penalty (Rifai et al. 2011): the squared Frobenius norm of the encoder's Jacobian
// ‖∂h/∂x‖²_F, averaged over the batch. Small when the code ignores most directions of the input.
import * as tf from "@tensorflow/tfjs";
import { noiseSeed } from "../random";

/**
 * Closed form for one sigmoid layer h = σ(xW + b): ∂h_j/∂x_i = h_j(1 − h_j) W_ij, so
 * ‖J‖²_F = Σ_j (h_j(1 − h_j))² Σ_i W_ij². One matrix-free pass, no extra backward passes.
 */
export function contractivePenaltySigmoid(h: tf.Tensor2D, kernel: tf.Tensor2D): tf.Scalar {
  if (h.rank !== 2 || kernel.rank !== 2 || kernel.shape[1] !== h.shape[1]) {
    throw new Error(`contractivePenaltySigmoid: codes [${h.shape}] and kernel [${kernel.shape}] do not fit; expected h [batch, units] and W [inputs, units]`);
  }
  return tf.tidy(() => {
    const slope = tf.square(tf.mul(h, tf.sub(1, h)));   // [batch, units]
    const columnNorms = tf.sum(tf.square(kernel), 0);     // [units]
    return tf.mean(tf.sum(tf.mul(slope, columnNorms), 1)) as tf.Scalar;
  });
}

/**
 * ‖J‖²_F by automatic differentiation, for any encoder: one backward pass per code unit
 * (row j of J is the gradient of Σ_batch h_j). Exact but costs `units` passes: for checking and metrics.
 */
export function jacobianFrobeniusSquared(encode: (x: tf.Tensor2D) => tf.Tensor2D, x: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const units = encode(x.slice([0, 0], [1, -1])).shape[1];
    let total: tf.Tensor = tf.scalar(0);
    for (let j = 0; j < units; j++) {
      // Each example's code depends only on its own input, so this gradient holds every row's J_j.
      const g = tf.grad((input: tf.Tensor) => tf.sum(encode(input as tf.Tensor2D).slice([0, j], [-1, 1])))(x);
      total = tf.add(total, tf.sum(tf.square(g)));
    }
    return tf.div(total, x.shape[0]) as tf.Scalar;
  });
}

/**
 * Stochastic estimate of ‖J‖²_F for any encoder: for small Gaussian ε ~ N(0, σ²I),
 * E‖h(x + ε) − h(x)‖² ≈ σ² ‖J‖²_F. Needs only forward passes, so it trains deep encoders cheaply.
 */
export function stochasticContractivePenalty(encode: (x: tf.Tensor2D) => tf.Tensor2D, x: tf.Tensor2D, sigma = 0.01, samples = 1, seed?: number): tf.Scalar {
  if (!(sigma > 0)) throw new Error(`stochasticContractivePenalty: sigma must be positive, got ${sigma}`);
  return tf.tidy(() => {
    const h = encode(x);
    let total: tf.Tensor = tf.scalar(0);
    for (let s = 0; s < samples; s++) {
      const noisy = tf.add(x, tf.randomNormal(x.shape, 0, sigma, "float32", seed === undefined ? noiseSeed() : seed + s));
      total = tf.add(total, tf.sum(tf.squaredDifference(encode(noisy as tf.Tensor2D), h)));
    }
    return tf.div(total, samples * x.shape[0] * sigma * sigma) as tf.Scalar;
  });
}
