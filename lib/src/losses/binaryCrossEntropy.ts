import * as tf from "@tensorflow/tfjs";

/**
 * Mean binary cross-entropy between targets t in [0, 1] and sigmoid(logits), computed from the logits
 * so that it never takes log(0):  BCE = max(l, 0) - l*t + log(1 + exp(-|l|)).
 * It is the negative log-likelihood of a Bernoulli decoder, averaged over every element.
 */
export function binaryCrossEntropyFromLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  if (logits.shape.join(",") !== targets.shape.join(",")) {
    throw new Error(`binaryCrossEntropyFromLogits: logits have shape [${logits.shape}] but targets have shape [${targets.shape}]; they must match`);
  }
  return tf.tidy(() => tf.mean(binaryCrossEntropyElementwise(logits, targets)) as tf.Scalar);
}

/** The same per element (shapes broadcast): −log Bernoulli(t; sigmoid(l)), e.g. summed per image by the VAE. */
export function binaryCrossEntropyElementwise(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
}
