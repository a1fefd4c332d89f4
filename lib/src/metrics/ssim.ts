// Structural similarity (Wang, Bovik, Sheikh & Simoncelli 2004): compares two images window by window
// in local brightness, contrast and structure instead of pixel by pixel,
//   SSIM(x, y) = mean over windows of (2 μx μy + C1)(2 σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)),
// with Gaussian-weighted windows (σ = 1.5, 11 × 11, as in the paper) and C1 = (0.01 L)², C2 = (0.03 L)²
// for pixel range L. It is 1 for identical images and differentiable, so 1 − SSIM can be a loss.
import * as tf from "@tensorflow/tfjs";

/**
 * The Gaussian-weighted mean over every "valid" window as one matrix [h·w, windows]: images [n, h·w]
 * times it give each window's weighted mean. A matrix product runs on the fast BLAS kernels, where a
 * convolution with an 11 × 11 filter would not, and its gradient is another product.
 */
const windowMatrices = new Map<string, Float32Array>();
function windowMeans(h: number, w: number, size: number, sigma: number): tf.Tensor2D {
  const key = [h, w, size, sigma].join(), [rows, cols] = [h - size + 1, w - size + 1];
  let m = windowMatrices.get(key);
  if (!m) {
    const half = (size - 1) / 2, g = Array.from({ length: size }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * sigma * sigma)));
    const total = g.reduce((a, b) => a + b, 0) ** 2;
    m = new Float32Array(h * w * rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) m[((r + i) * w + c + j) * rows * cols + r * cols + c] = (g[i] * g[j]) / total;
    }
    windowMatrices.set(key, m);
  }
  return tf.tensor2d(m, [h * w, rows * cols]);
}

export interface SsimOptions {
  /** Image height and width (default 28 × 28). */
  imageShape?: [number, number];
  /** Pixel range L (default 1). */
  range?: number;
  /** Window size and Gaussian σ (default 11 and 1.5; the window must fit in the image). */
  window?: number;
  sigma?: number;
}

/** SSIM of each pair of images: x and y are [images, height·width]; returns [images]. */
export function ssimPerImage(x: tf.Tensor2D, y: tf.Tensor2D, options: SsimOptions = {}): tf.Tensor1D {
  const [h, w] = options.imageShape ?? [28, 28], size = options.window ?? 11, range = options.range ?? 1;
  if (x.rank !== 2 || x.shape.join() !== y.shape.join() || x.shape[1] !== h * w) {
    throw new Error(`ssim: x [${x.shape}] and y [${y.shape}] must both be [images, ${h * w}] for ${h} × ${w} images`);
  }
  if (size > h || size > w) throw new Error(`ssim: the ${size} × ${size} window does not fit in ${h} × ${w} images; pass a smaller window`);
  const [c1, c2] = [(0.01 * range) ** 2, (0.03 * range) ** 2];
  return tf.tidy(() => {
    const means = windowMeans(h, w, size, options.sigma ?? 1.5);
    const blur = (t: tf.Tensor2D) => tf.matMul(t, means);
    const [mx, my] = [blur(x), blur(y)];
    const [sxx, syy, sxy] = [tf.sub(blur(tf.mul(x, x)), tf.mul(mx, mx)), tf.sub(blur(tf.mul(y, y)), tf.mul(my, my)), tf.sub(blur(tf.mul(x, y)), tf.mul(mx, my))];
    const numerator = tf.mul(tf.add(tf.mul(2, tf.mul(mx, my)), c1), tf.add(tf.mul(2, sxy), c2));
    const denominator = tf.mul(tf.add(tf.add(tf.mul(mx, mx), tf.mul(my, my)), c1), tf.add(tf.add(sxx, syy), c2));
    return tf.mean(tf.div(numerator, denominator), 1) as tf.Tensor1D;
  });
}

/** Mean SSIM over the images (1 = identical). */
export function ssim(x: tf.Tensor2D, y: tf.Tensor2D, options: SsimOptions = {}): number {
  const perImage = ssimPerImage(x, y, options);
  const values = Array.from(perImage.dataSync() as Float32Array);
  perImage.dispose();
  return values.reduce((a, b) => a + b, 0) / values.length;
}
