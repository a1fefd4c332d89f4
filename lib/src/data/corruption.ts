// Corruption processes for denoising autoencoders. Each takes a batch in [0, 1] and a seed and
// returns a new tensor; the clean batch stays the training target.
import * as tf from "@tensorflow/tfjs";
import { noiseSeed } from "../random";  // tfjs would treat a seed of 0 as unseeded

function checkLevel(name: string, value: number, max = Infinity) {
  if (!(value >= 0 && value <= max)) throw new RangeError(`${name} must be in [0, ${max}], got ${value}`);
}

/** x + N(0, sigma^2) noise, clipped back to [0, 1]. */
export function gaussianNoise(x: tf.Tensor, sigma: number, seed: number): tf.Tensor {
  checkLevel("sigma", sigma);
  return tf.tidy(() => tf.clipByValue(tf.add(x, tf.randomNormal(x.shape, 0, sigma, "float32", noiseSeed(seed))), 0, 1));
}

/** Masking noise: each pixel is set to 0 with probability p (the "dropout" corruption). */
export function maskingNoise(x: tf.Tensor, p: number, seed: number): tf.Tensor {
  checkLevel("p", p, 1);
  return tf.tidy(() => tf.mul(x, tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, "float32", noiseSeed(seed)), p), "float32")));
}

/** Salt-and-pepper noise: each pixel is replaced with probability p, half by 0 and half by 1. */
export function saltAndPepperNoise(x: tf.Tensor, p: number, seed: number): tf.Tensor {
  checkLevel("p", p, 1);
  return tf.tidy(() => {
    const u = tf.randomUniform(x.shape, 0, 1, "float32", noiseSeed(seed));
    const pepper = tf.less(u, p / 2);
    const salt = tf.logicalAnd(tf.greaterEqual(u, p / 2), tf.less(u, p));
    return tf.where(salt, tf.onesLike(x), tf.where(pepper, tf.zerosLike(x), x));
  });
}
