// How well an embedding keeps neighbourhoods: k-nearest-neighbour accuracy (do a point's neighbours
// share its class?) and trustworthiness (Venna & Kaski 2001: are the embedding's neighbours also
// neighbours in the original space?).
import * as tf from "@tensorflow/tfjs";

/** Rows of a row-major [n, dim] array. */
export interface Points { values: Float32Array | Float64Array | number[]; dim: number }

/** All squared Euclidean distances ‖a_i − a_j‖² as an n×n row-major array (computed with tfjs). */
export function pairwiseSquaredDistances(points: Points): Float32Array {
  const n = points.values.length / points.dim;
  if (!Number.isInteger(n)) throw new Error(`pairwiseSquaredDistances: ${points.values.length} values do not make rows of ${points.dim}`);
  const d = tf.tidy(() => {
    const x = tf.tensor2d(Float32Array.from(points.values), [n, points.dim]);
    const sq = tf.sum(tf.square(x), 1);
    // ‖a‖² + ‖b‖² − 2a·b, clipped at 0 against rounding.
    return tf.relu(tf.sub(tf.add(sq.reshape([n, 1]), sq.reshape([1, n])), tf.mul(2, tf.matMul(x, x, false, true))));
  });
  const out = d.dataSync() as Float32Array;
  d.dispose();
  for (let i = 0; i < n; i++) out[i * n + i] = 0;
  return out;
}

/** Indices of the other points of row i, nearest first. */
function neighbourOrder(dist: Float32Array, n: number, i: number): number[] {
  const order: number[] = [];
  for (let j = 0; j < n; j++) if (j !== i) order.push(j);
  const row = dist.subarray(i * n, (i + 1) * n);
  return order.sort((a, b) => row[a] - row[b] || a - b);
}

/** Leave-one-out k-NN classification accuracy (majority vote, ties to the nearest neighbour's class). */
export function knnAccuracy(points: Points, labels: ArrayLike<number>, k = 5): number {
  const n = labels.length;
  if (points.values.length !== n * points.dim) throw new Error(`knnAccuracy: ${n} labels but ${points.values.length / points.dim} points`);
  if (!(k >= 1 && k < n)) throw new Error(`knnAccuracy: k must be in 1..${n - 1}, got ${k}`);
  const dist = pairwiseSquaredDistances(points);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const nearest = neighbourOrder(dist, n, i).slice(0, k);
    const votes = new Map<number, number>();
    for (const j of nearest) votes.set(labels[j], (votes.get(labels[j]) ?? 0) + 1);
    let best = labels[nearest[0]];
    for (const [label, count] of votes) if (count > votes.get(best)!) best = label;
    if (best === labels[i]) correct++;
  }
  return correct / n;
}

/**
 * Trustworthiness in [0, 1]: 1 when every embedding neighbour is also a neighbour in the original
 * space; intruders are penalised by how far down the original ranking they sit.
 */
export function trustworthiness(original: Points, embedded: Points, k = 10): number {
  const n = original.values.length / original.dim;
  if (embedded.values.length / embedded.dim !== n) throw new Error(`trustworthiness: ${n} original points but ${embedded.values.length / embedded.dim} embedded ones`);
  if (!(k >= 1 && k < n / 2)) throw new Error(`trustworthiness: k must be in 1..${Math.ceil(n / 2) - 1}, got ${k}`);
  const high = pairwiseSquaredDistances(original);
  const low = pairwiseSquaredDistances(embedded);
  const rank = new Int32Array(n);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    neighbourOrder(high, n, i).forEach((j, r) => { rank[j] = r + 1; });
    for (const j of neighbourOrder(low, n, i).slice(0, k)) if (rank[j] > k) penalty += rank[j] - k;
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}

/**
 * Distance from each row to its k-th nearest other row (Euclidean), in blocks of rows so that memory
 * stays at blockSize × n. IMSAT sets each image's VAT radius to a fraction of this: a perturbation
 * scaled to how crowded the image's neighbourhood is.
 */
export function kthNeighbourDistances(points: Points, k = 10, blockSize = 1000): Float32Array {
  const n = points.values.length / points.dim;
  if (!Number.isInteger(n)) throw new Error(`kthNeighbourDistances: ${points.values.length} values do not make rows of ${points.dim}`);
  if (!(Number.isInteger(k) && k >= 1 && k < n)) throw new Error(`kthNeighbourDistances: k must be a whole number in 1..${n - 1}, got ${k}`);
  const out = new Float32Array(n);
  const all = tf.tensor2d(Float32Array.from(points.values), [n, points.dim]);
  const sq = tf.tidy(() => tf.sum(tf.square(all), 1));
  for (let start = 0; start < n; start += blockSize) {
    const rows = Math.min(blockSize, n - start);
    const nearest = tf.tidy(() => {
      const block = all.slice([start, 0], [rows, points.dim]);
      const d2 = tf.add(tf.sub(sq.slice([start], [rows]).reshape([rows, 1]), tf.mul(2, tf.matMul(block, all, false, true))), sq.reshape([1, n]));
      // The k + 1 smallest: the row itself (distance 0) comes first.
      return tf.neg(tf.topk(tf.neg(d2), k + 1).values).dataSync();
    });
    for (let i = 0; i < rows; i++) out[start + i] = Math.sqrt(Math.max(0, nearest[i * (k + 1) + k]));
  }
  tf.dispose([all, sq]);
  return out;
}
