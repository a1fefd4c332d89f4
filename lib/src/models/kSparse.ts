// The k-sparse layer (Makhzani & Frey 2013): keep the k largest activations of each code, zero the rest.
// Gradients flow only through the kept units: the comparison that builds the mask has a zero gradient.
import * as tf from "@tensorflow/tfjs";

export function topK(z: tf.Tensor2D, k: number): tf.Tensor2D {
  if (z.rank !== 2) throw new Error(`topK: expected codes of shape [batch, units], got [${z.shape}]`);
  const units = z.shape[1];
  if (!Number.isInteger(k) || k < 1 || k > units) throw new Error(`topK: k must be an integer in 1..${units}, got ${k}`);
  return tf.tidy(() => {
    const { values } = tf.topk(z, k, true);
    const threshold = values.slice([0, k - 1], [-1, 1]); // k-th largest value of each row
    // Ties at the threshold can keep a few extra units; with continuous activations they do not occur.
    const mask = tf.cast(tf.greaterEqual(z, threshold), "float32");
    return tf.mul(z, mask) as tf.Tensor2D;
  });
}
