// Binary images for likelihoods that are log-probabilities: each pixel is 1 with probability equal
// to its grey level. Training draws a fresh binarisation every batch (dynamic binarisation, a
// regulariser); evaluation uses one fixed, seeded binarisation so every bound is of the same data.
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "./dataset";
import { noiseSeed, seededRandom } from "../random";

/** Bernoulli samples with success probabilities x (in [0, 1]); a tensor of 0s and 1s. */
export function binarize<T extends tf.Tensor>(x: T, seed?: number): T {
  return tf.tidy(() => tf.cast(tf.less(tf.randomUniform(x.shape, 0, 1, "float32", noiseSeed(seed)), x), "float32")) as T;
}

/** One fixed binarisation of a whole dataset, reproducible from its seed. */
export function binarizeDataset(data: ImageDataset, seed: number): ImageDataset {
  const rand = seededRandom(seed);
  const images = new Float32Array(data.images.length);
  for (let i = 0; i < images.length; i++) images[i] = rand() < data.images[i] ? 1 : 0;
  return new ImageDataset(images, data.labels, data.imageShape, data.classNames, `${data.name}, binarised (seed ${seed})`);
}
