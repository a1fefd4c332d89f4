// Small summaries the notebooks report over label draws and seeds.
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";

/** Mean and sample standard deviation (n − 1; 0 for one run) of repeated measurements. */
export function meanAndStd(runs: number[]): { mean: number; std: number } {
  if (runs.length === 0) throw new Error("meanAndStd: no runs to summarise");
  const mean = runs.reduce((a, b) => a + b, 0) / runs.length;
  const std = runs.length > 1 ? Math.sqrt(runs.reduce((a, b) => a + (b - mean) ** 2, 0) / (runs.length - 1)) : 0;
  return { mean, std };
}

/** The fraction of `data` whose label `predict` gets right, batch by batch (the caller's tensors are disposed). */
export function classificationAccuracy(predict: (x: tf.Tensor2D) => Int32Array, data: ImageDataset, batchSize = 1000): number {
  let correct = 0;
  for (const b of data.batches(batchSize)) {
    try {
      const p = predict(b.x);
      if (p.length !== b.labels.length) throw new Error(`classificationAccuracy: ${p.length} predictions for a batch of ${b.labels.length}`);
      p.forEach((c, i) => { if (c === b.labels[i]) correct++; });
    } finally {
      b.x.dispose();
    }
  }
  return correct / data.size;
}
