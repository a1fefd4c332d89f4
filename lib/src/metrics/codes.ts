// The codes of a whole dataset, as plain arrays: the input of probes, embeddings and latent charts.
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";

export function encodeDataset(encode: (x: tf.Tensor2D) => tf.Tensor2D, data: ImageDataset, batchSize = 1000): { features: Float32Array; labels: Int32Array; dim: number } {
  const parts: Float32Array[] = [];
  let dim = 0;
  for (const batch of data.batches(batchSize)) {
    const z = tf.tidy(() => encode(batch.x));
    dim = z.shape[1];
    parts.push(z.dataSync() as Float32Array);
    tf.dispose([z, batch.x]);
  }
  const features = new Float32Array(data.size * dim);
  let offset = 0;
  for (const p of parts) { features.set(p, offset); offset += p.length; }
  return { features, labels: data.labels, dim };
}
