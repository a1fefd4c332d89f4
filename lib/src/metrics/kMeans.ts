// k-means (Lloyd's iterations from a k-means++ start): the classic clustering baseline. Distances are
// computed with tfjs as ‖x‖² − 2 x·c + ‖c‖², so 10 000 images of 784 pixels take well under a second
// per iteration.
import * as tf from "@tensorflow/tfjs";
import { seededRandom } from "../random";
import { interruptibly } from "../training/interrupt";

export interface KMeansResult {
  assignments: Int32Array;
  centroids: Float32Array;
  /** Sum of squared distances of points to their centroid. */
  inertia: number;
  iterations: number;
}

export function kMeans(points: Float32Array, dim: number, k: number, options: { seed?: number; maxIterations?: number } = {}): KMeansResult {
  return interruptibly("k-means", () => lloydKMeans(points, dim, k, options));
}

function lloydKMeans(points: Float32Array, dim: number, k: number, options: { seed?: number; maxIterations?: number } = {}): KMeansResult {
  const n = points.length / dim;
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`kMeans: ${points.length} values in rows of ${dim} cannot make ${k} clusters; need 1 ≤ k ≤ rows`);
  const { seed = 0, maxIterations = 100 } = options;
  const rand = seededRandom(seed);
  const x = tf.tensor2d(points, [n, dim]);
  const xSq = tf.tidy(() => tf.sum(tf.square(x), 1, true));
  const distances = (values: Float32Array) => tf.tidy(() => {
    const c = tf.tensor2d(values, [values.length / dim, dim]);
    return tf.relu(tf.add(tf.sub(xSq, tf.mul(2, tf.matMul(x, c, false, true))), tf.transpose(tf.sum(tf.square(c), 1, true))));
  });
  try {
    // k-means++: each next centre drawn with probability proportional to the squared distance to the nearest chosen one.
    const centres = new Float32Array(k * dim);
    const first = Math.floor(rand() * n);
    centres.set(points.subarray(first * dim, (first + 1) * dim), 0);
    let nearest = new Float32Array(n).fill(Infinity);
    for (let c = 1; c < k; c++) {
      const d = distances(centres.subarray((c - 1) * dim, c * dim));
      const dc = d.dataSync();
      d.dispose();
      nearest = nearest.map((v, i) => Math.min(v, dc[i]));
      const total = nearest.reduce((a, b) => a + b, 0);
      let r = rand() * total, pick = n - 1;
      for (let i = 0; i < n; i++) { r -= nearest[i]; if (r <= 0) { pick = i; break; } }
      centres.set(points.subarray(pick * dim, (pick + 1) * dim), c * dim);
    }
    let assignments = new Int32Array(n).fill(-1);
    let inertia = 0, iterations = 0;
    for (; iterations < maxIterations; iterations++) {
      const d = distances(centres);
      const [best, minD] = tf.tidy(() => [tf.argMin(d, 1), tf.min(d, 1)]);
      const next = Int32Array.from(best.dataSync());
      inertia = (minD.dataSync() as Float32Array).reduce((a, b) => a + b, 0);
      tf.dispose([d, best, minD]);
      const changed = next.some((c, i) => c !== assignments[i]);
      assignments = next;
      if (!changed) break;
      // New centres: the mean of each cluster; an empty cluster keeps its centre.
      const sums = new Float64Array(k * dim), counts = new Int32Array(k);
      for (let i = 0; i < n; i++) {
        const c = assignments[i];
        counts[c]++;
        for (let j = 0; j < dim; j++) sums[c * dim + j] += points[i * dim + j];
      }
      for (let c = 0; c < k; c++) if (counts[c]) for (let j = 0; j < dim; j++) centres[c * dim + j] = sums[c * dim + j] / counts[c];
    }
    return { assignments, centroids: centres, inertia, iterations };
  } finally {
    tf.dispose([x, xSq]);
  }
}

/** −‖x − c‖² (up to a per-point constant) of every point to every centroid, as a [points, centroids] tensor. */
function closeness(points: Float32Array, dim: number, centroids: Float32Array, caller: string): tf.Tensor2D {
  const n = points.length / dim, k = centroids.length / dim;
  if (!Number.isInteger(n) || !Number.isInteger(k)) throw new RangeError(`${caller}: points (${points.length}) and centroids (${centroids.length}) must both be rows of ${dim}`);
  return tf.tidy(() => {
    const x = tf.tensor2d(points, [n, dim]), c = tf.tensor2d(centroids, [k, dim]);
    return tf.sub(tf.mul(2, tf.matMul(x, c, false, true)), tf.transpose(tf.sum(tf.square(c), 1, true)));
  });
}

/** The index of the nearest centroid (rows of `centroids`, as kMeans returns them) for each point. */
export function nearestCentroid(points: Float32Array, dim: number, centroids: Float32Array): Int32Array {
  const best = tf.tidy(() => tf.argMax(closeness(points, dim, centroids, "nearestCentroid"), 1));
  const out = Int32Array.from(best.dataSync());
  best.dispose();
  return out;
}

/**
 * −‖x − c‖² of every point to every centroid (rows: points; higher is closer), the k-means counterpart
 * of q(y | x) for clusterClassesByMostConfident: a centroid's most confident point is its nearest.
 */
export function centroidCloseness(points: Float32Array, dim: number, centroids: Float32Array): number[][] {
  const scores = tf.tidy(() => {
    // closeness() drops −‖x‖², which is the same for every centroid but not for every point.
    const partial = closeness(points, dim, centroids, "centroidCloseness");
    return tf.sub(partial, tf.sum(tf.square(tf.tensor2d(points, [partial.shape[0], dim])), 1, true));
  });
  const rows = scores.arraySync() as number[][];
  scores.dispose();
  return rows;
}
