import * as tf from "@tensorflow/tfjs";

function sameShape(a: tf.Tensor, b: tf.Tensor, what: string) {
  if (a.shape.join(",") !== b.shape.join(",")) {
    throw new Error(`${what}: prediction has shape [${a.shape}] but target has shape [${b.shape}]; they must match`);
  }
}

/** Mean squared error over every element: the negative log-likelihood of a fixed-variance Gaussian, up to constants. */
export function meanSquaredError(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  sameShape(prediction, target, "meanSquaredError");
  return tf.tidy(() => tf.mean(tf.squaredDifference(prediction, target)) as tf.Scalar);
}

/** Per-example squared error summed over features: shape [batch]. */
export function squaredErrorPerExample(prediction: tf.Tensor2D, target: tf.Tensor2D): tf.Tensor1D {
  sameShape(prediction, target, "squaredErrorPerExample");
  return tf.tidy(() => tf.sum(tf.squaredDifference(prediction, target), 1) as tf.Tensor1D);
}
