// Labels as the conditional models need them: one-hot rows, and a small labelled set that is cycled
// through while the (much larger) unlabelled set is walked once per epoch.
import * as tf from "@tensorflow/tfjs";
import { Batch, ImageDataset } from "./dataset";

/** [n, classes] one-hot rows; a label outside 0..classes−1 is an error that names it. */
export function oneHot(labels: ArrayLike<number>, classes: number): tf.Tensor2D {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      throw new RangeError(`oneHot: label ${y} at index ${i} is outside 0..${classes - 1}; labels must be class indices`);
    }
  }
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(labels), "int32"), classes).toFloat() as tf.Tensor2D);
}

/**
 * Batches of `data` forever, reshuffled on every pass (pass p uses seed + p): the labelled half of a
 * semi-supervised step. The caller disposes each batch's x.
 */
export function* endlessBatches(data: ImageDataset, batchSize: number, seed: number): Generator<Batch> {
  if (data.size === 0) throw new Error(`endlessBatches: ${data.name} is empty`);
  for (let pass = 0; ; pass++) yield* data.batches(Math.min(batchSize, data.size), { seed: seed + pass });
}
