// The k-sparse layer (Makhzani & Frey 2013): keep the k largest activations of each code, zero the rest.
// Gradients flow only through the kept units. tfjs has no gradient for TopK, so the mask is built
// inside a custom gradient: the backward pass is dy · mask (the mask itself is treated as constant).
import * as tf from "@tensorflow/tfjs";

export function topK(z: tf.Tensor2D, k: number): tf.Tensor2D {
  if (z.rank !== 2) throw new Error(`topK: expected codes of shape [batch, units], got [${z.shape}]`);
  const units = z.shape[1];
  if (!Number.isInteger(k) || k < 1 || k > units) throw new Error(`topK: k must be an integer in 1..${units}, got ${k}`);
  const keepTopK = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const { values } = tf.topk(input, k, true);
    const threshold = values.slice([0, k - 1], [-1, 1]); // k-th largest value of each row
    // Ties at the threshold can keep a few extra units; with continuous activations they do not occur.
    const mask = tf.cast(tf.greaterEqual(input, threshold), "float32");
    save([mask]);
    return { value: tf.mul(input, mask), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]) };
  });
  return tf.tidy(() => keepTopK(z) as tf.Tensor2D);
}
