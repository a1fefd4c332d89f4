// 1 − SSIM as a reconstruction loss (the lecture notes list it beside MSE and cross-entropy): it
// rewards getting local structure right rather than every pixel's value.
import * as tf from "@tensorflow/tfjs";
import { ssimPerImage, SsimOptions } from "../metrics/ssim";

/** Mean of 1 − SSIM over the batch: xHat and x are [images, pixels] in [0, options.range]. */
export function ssimLoss(xHat: tf.Tensor2D, x: tf.Tensor2D, options: SsimOptions = {}): tf.Scalar {
  return tf.tidy(() => tf.sub(1, tf.mean(ssimPerImage(xHat, x, options))) as tf.Scalar);
}
