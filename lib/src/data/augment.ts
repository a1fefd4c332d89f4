// Random small deformations of images: each image is rotated, scaled and shifted about its centre by
// its own amounts, drawn from a seeded stream, with bilinear resampling and 0 outside. A digit that is
// slanted a little more, drawn a little bigger or sits two pixels to the left is still the same digit:
// a model that must give the same answer for both learns that these changes do not matter.
import * as tf from "@tensorflow/tfjs";
import { seededRandom } from "../random";

export interface AffineRanges {
  /** Largest rotation either way, in degrees (default 15). */
  rotationDegrees?: number;
  /** Largest change of size either way, as a fraction (default 0.1: 90 % to 110 %). */
  scale?: number;
  /** Largest shift either way along each axis, in pixels (default 2). */
  shiftPixels?: number;
}

/**
 * Flattened images [batch, height·width] in, the same shape out, each image deformed by a uniformly
 * drawn rotation, scale and shift within `ranges`. The same seed gives the same deformations.
 */
export function randomAffine(x: tf.Tensor2D, imageShape: [number, number], seed: number, ranges: AffineRanges = {}): tf.Tensor2D {
  const [h, w] = imageShape;
  if (x.rank !== 2 || x.shape[1] !== h * w) throw new Error(`randomAffine: images must have shape [batch, ${h * w}] for ${h}×${w} images, got [${x.shape}]`);
  const { rotationDegrees = 15, scale = 0.1, shiftPixels = 2 } = ranges;
  for (const [name, v, max] of [["rotationDegrees", rotationDegrees, 180], ["scale", scale, 0.9], ["shiftPixels", shiftPixels, Math.max(h, w)]] as [string, number, number][]) {
    if (!(v >= 0 && v <= max)) throw new RangeError(`randomAffine: ${name} must be in [0, ${max}], got ${v}`);
  }
  const n = x.shape[0], rand = seededRandom(seed), between = (m: number) => (2 * rand() - 1) * m;
  // Resampled here rather than with tf.image.transform, whose CPU kernel ignores every image after the
  // first (tfjs 4): the same numbers on every backend. Each output pixel (u, v) reads the input at the
  // inverse of "rotate by θ and scale by s about the centre c, then shift by t": R(−θ)(p − c − t)/s + c.
  const pixels = x.dataSync(), out = new Float32Array(pixels.length), cx = (w - 1) / 2, cy = (h - 1) / 2;
  const at = (base: number, row: number, col: number) => (row >= 0 && row < h && col >= 0 && col < w ? pixels[base + row * w + col] : 0);
  for (let i = 0; i < n; i++) {
    const theta = between(rotationDegrees) * Math.PI / 180, s = 1 + between(scale), tx = between(shiftPixels), ty = between(shiftPixels);
    const cos = Math.cos(theta) / s, sin = Math.sin(theta) / s, base = i * h * w;
    for (let v = 0; v < h; v++) {
      for (let u = 0; u < w; u++) {
        const du = u - cx - tx, dv = v - cy - ty;
        const sx = cx + cos * du + sin * dv, sy = cy - sin * du + cos * dv;
        const col = Math.floor(sx), row = Math.floor(sy), fx = sx - col, fy = sy - row;
        out[base + v * w + u] = (1 - fy) * ((1 - fx) * at(base, row, col) + fx * at(base, row, col + 1))
          + fy * ((1 - fx) * at(base, row + 1, col) + fx * at(base, row + 1, col + 1));
      }
    }
  }
  return tf.tensor2d(out, [n, h * w]);
}
