// The course's VQ-VAE recipe (notebook 12, used again in 12d): a k-means start of the codebook on
// 1 000 images, moving-average codebook updates before each gradient step, cosine learning-rate
// decay, and dead entries restarted between epochs.
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";
import { VqVae } from "../models/vqvae";
import { cosineDecay, train } from "./train";

export interface VqVaeTrainingOptions {
  codebookSize: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** false trains the same network on the continuous code (no codebook): the ceiling. */
  quantise?: boolean;
  seed?: number;
  title?: string;
  progress?: "auto" | "text" | "none";
}

/** Trains a VQ-VAE (code size 16 on the 7 × 7 grid, moving-average decay 0.95) on the images. */
export async function trainVqVae(images: ImageDataset, options: VqVaeTrainingOptions): Promise<{ model: VqVae; seconds: number; restarted: number }> {
  const { codebookSize, epochs, batchSize, learningRate } = options, quantise = options.quantise ?? true, seed = options.seed ?? 1;
  const vq = new VqVae({ codebookSize, codeDim: 16, codebookUpdate: "ema", emaDecay: 0.95, quantise, seed });
  const restartImages = images.take(1000).toTensor();
  if (quantise) vq.initialiseCodebookByKMeans(restartImages, seed);
  let restarted = 0;
  try {
    const history = await train({
      title: options.title ?? (quantise ? `VQ-VAE, K = ${codebookSize}: ${vq.positions * Math.log2(codebookSize)} bits per image` : "the same network without quantisation"),
      train: images, epochs, batchSize, seed, variables: vq.variables, progress: options.progress,
      optimizer: tf.train.adam(learningRate), learningRate: cosineDecay(learningRate, epochs),
      // The codebook's moving-average step, then the gradient step of reconstruction + β · commitment.
      loss: (b) => { if (quantise) vq.updateCodebook(b.x); return vq.loss(b.x); },
      // Restarts between epochs only: an entry moved after the last one would be measured untrained.
      onEpochEnd: (log) => { if (quantise && log.epoch < epochs) restarted += vq.restartDeadCodes(restartImages, 1000 + log.epoch); },
    });
    return { model: vq, seconds: history.seconds, restarted };
  } catch (e) {
    vq.dispose();
    throw e;
  } finally {
    restartImages.dispose();
  }
}

/** The index grid of every image, in order: [images · 49] as an Int32Array (in batches of 1 000). */
export function indexGrids(vq: VqVae, images: ImageDataset): Int32Array {
  const out = new Int32Array(images.size * vq.positions);
  let offset = 0;
  for (const b of images.batches(1000)) {
    const idx = vq.codeIndices(b.x);
    out.set(idx.dataSync(), offset);
    offset += idx.size;
    tf.dispose([idx, b.x]);
  }
  return out;
}
