// How sharp images are: the variance of each image's discrete Laplacian (the 3×3 second-difference
// filter), a standard focus measure. Blur removes high frequencies and with them the Laplacian's
// response, so blurry samples score lower than the data they imitate.
import * as tf from "@tensorflow/tfjs";

const LAPLACIAN = [0, 1, 0, 1, -4, 1, 0, 1, 0];

/** Mean over images of the variance of the Laplacian, for [n, h·w] images in [0, 1]. */
export function laplacianVariance(images: tf.Tensor2D, height = 28, width = 28): number {
  if (images.rank !== 2 || images.shape[1] !== height * width) {
    throw new Error(`laplacianVariance: images have shape [${images.shape}], expected [n, ${height * width}]`);
  }
  const perImage = tf.tidy(() => {
    const x = images.reshape([-1, height, width, 1]) as tf.Tensor4D;
    const response = tf.conv2d(x, tf.tensor4d(LAPLACIAN, [3, 3, 1, 1]), 1, "valid");
    return tf.moments(response.reshape([images.shape[0], -1]), 1).variance;
  });
  const v = perImage.dataSync() as Float32Array;
  perImage.dispose();
  return v.reduce((a, b) => a + b, 0) / v.length;
}
