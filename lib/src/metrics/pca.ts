// PCA from the covariance matrix: the covariance is accumulated with TensorFlow.js matrix products
// (fast on every backend), then decomposed by the course's symmetric eigensolver.
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";
import { symmetricEigen } from "./symmetricEigen";

export interface Pca {
  mean: Float32Array;
  /** All eigenvalues of the covariance, largest first (variance along each principal direction). */
  eigenvalues: Float64Array;
  /** Principal directions as rows, largest eigenvalue first: components[i] has length d. */
  components: Float32Array[];
}

/** Fits PCA to every row of the dataset (all d directions; take the first k). */
export function fitPca(data: ImageDataset, chunk = 5000): Pca {
  const d = data.featureSize;
  const mean = new Float32Array(d);
  for (let i = 0; i < data.size; i++) {
    const row = data.image(i);
    for (let j = 0; j < d; j++) mean[j] += row[j];
  }
  for (let j = 0; j < d; j++) mean[j] /= data.size;

  let scatter = tf.zeros([d, d]) as tf.Tensor2D;
  const m = tf.tensor1d(mean);
  for (const batch of data.batches(chunk)) {
    const next = tf.tidy(() => {
      const centred = tf.sub(batch.x, m);
      return tf.add(scatter, tf.matMul(centred, centred, true, false)) as tf.Tensor2D;
    });
    scatter.dispose();
    batch.x.dispose();
    scatter = next;
  }
  const cov = scatter.div(data.size - 1);
  const covArray = cov.dataSync();
  const { values, vectors } = symmetricEigen(covArray, d);
  tf.dispose([scatter, m, cov]);
  return {
    mean,
    eigenvalues: values.map((v) => Math.max(0, v)),
    components: Array.from({ length: d }, (_, i) => Float32Array.from(vectors.subarray(i * d, (i + 1) * d))),
  };
}

/** Scores of x on the first k principal directions: (x − μ) U_kᵀ, shape [batch, k]. */
export function pcaProject(pca: Pca, x: tf.Tensor2D, k: number): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(tf.sub(x, tf.tensor1d(pca.mean)), components(pca, k), false, true) as tf.Tensor2D);
}

/** The image whose scores on the first k directions are `scores` ([batch, k]): μ + scores U_k. */
export function pcaFromScores(pca: Pca, scores: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(scores, components(pca, scores.shape[1])), tf.tensor1d(pca.mean)) as tf.Tensor2D);
}

/** Reconstructs x from its projection on the first k principal directions. */
export function pcaReconstruct(pca: Pca, x: tf.Tensor2D, k: number): tf.Tensor2D {
  return tf.tidy(() => pcaFromScores(pca, pcaProject(pca, x, k)));
}

function components(pca: Pca, k: number): tf.Tensor2D {
  return tf.tensor2d(flatten(pca.components.slice(0, k)), [k, pca.mean.length]);
}

function flatten(rows: Float32Array[]): Float32Array {
  const out = new Float32Array(rows.length * (rows[0]?.length ?? 0));
  rows.forEach((r, i) => out.set(r, i * r.length));
  return out;
}
