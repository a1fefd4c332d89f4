// Peak signal-to-noise ratio: 10·log10(peak² / MSE) per image, averaged over the images. Higher is
// better; each +3 dB halves the squared error.
import * as tf from "@tensorflow/tfjs";

/** Mean PSNR in dB of `restored` against `clean`, both [images, pixels] with values in [0, peak]. */
export function psnr(clean: tf.Tensor2D, restored: tf.Tensor2D, peak = 1): number {
  if (clean.shape.join() !== restored.shape.join() || clean.rank !== 2) {
    throw new Error(`psnr: clean [${clean.shape}] and restored [${restored.shape}] must both be [images, pixels]`);
  }
  const perImage = tf.tidy(() => {
    // A perfect reconstruction has MSE 0 and infinite PSNR; the floor caps it at 10·log10(peak²/1e-10).
    const mse = tf.maximum(tf.mean(tf.squaredDifference(clean, restored), 1), 1e-10);
    return tf.mul(10 / Math.LN10, tf.log(tf.div(peak * peak, mse)));
  });
  const values = perImage.dataSync() as Float32Array;
  perImage.dispose();
  return values.reduce((a, b) => a + b, 0) / values.length;
}
