// Label spreading (Zhou et al. 2004, "Learning with local and global consistency"): a semi-supervised
// classifier that lets the few known labels flow along a k-nearest-neighbour graph of labelled and
// unlabelled points, so that points in one dense region end up with one label. It stands here for
// the transductive SVM of Kingma et al.'s M1: a classifier on M1's codes that also learns from the
// unlabelled codes.
import * as tf from "@tensorflow/tfjs";
import { ProbeData } from "./linearProbe";
import { interruptibly } from "../training/interrupt";

export interface LabelSpreadingOptions {
  /** Neighbours per point in the graph, and votes per test point (default 10). */
  neighbours?: number;
  /** How much of its neighbours' labels a point takes at each iteration (default 0.99). */
  alpha?: number;
  /**
   * The iteration stops at the fixed point: when no score moves by more than `tolerance` times the
   * largest score (default 1e-6), or after `iterations` (default 5 000). With α = 0.99 an iteration
   * shrinks the distance to the fixed point by about α, so a fixed count of 30 stops at 0.99³⁰ ≈ 0.74
   * of the way from the start: far from the answer the method defines.
   */
  iterations?: number;
  tolerance?: number;
}

/** The k nearest rows of `points` for each row of `queries` (excluding the row itself when `self`), with squared distances. */
function nearest(queries: Float32Array, points: Float32Array, dim: number, k: number, self: boolean): { index: Int32Array; dist: Float32Array } {
  const nq = queries.length / dim, np = points.length / dim, take = k + (self ? 1 : 0);
  const index = new Int32Array(nq * k), dist = new Float32Array(nq * k);
  const p = tf.tensor2d(points, [np, dim]);
  const pSq = tf.tidy(() => tf.sum(tf.square(p), 1));
  try {
    for (let start = 0; start < nq; start += 1000) {
      const rows = Math.min(1000, nq - start);
      const { values, indices } = tf.tidy(() => {
        const q = tf.tensor2d(queries.subarray(start * dim, (start + rows) * dim), [rows, dim]);
        const d = tf.relu(tf.sub(tf.add(tf.sum(tf.square(q), 1).reshape([rows, 1]), pSq.reshape([1, np])), tf.mul(2, tf.matMul(q, p, false, true))));
        return tf.topk(tf.neg(d), take);
      });
      const v = values.dataSync(), ix = indices.dataSync();
      tf.dispose([values, indices]);
      for (let r = 0; r < rows; r++) {
        let t = 0;
        for (let c = 0; c < take && t < k; c++) {
          if (self && ix[r * take + c] === start + r) continue;
          index[(start + r) * k + t] = ix[r * take + c];
          dist[(start + r) * k + t] = -v[r * take + c];
          t++;
        }
      }
    }
  } finally {
    tf.dispose([p, pSq]);
  }
  return { index, dist };
}

/**
 * Spreads the labels of `labelled` over the graph of labelled and `unlabelled` points (rows of the
 * same size) and returns a classifier for new points: a vote of their nearest graph points, each
 * weighted by its spread label scores. Edges weigh exp(−d² / d²_k(i)), d_k(i) being the distance to a
 * point's k-th neighbour (local scaling), made symmetric; F ← α S F + (1 − α) Y with S = D^−½ W D^−½.
 */
export function labelSpreading(labelled: ProbeData, unlabelled: Float32Array, classes: number, options: LabelSpreadingOptions = {}): { predict: (features: Float32Array) => Int32Array; scores: Float32Array; iterations: number } {
  return interruptibly("label spreading", () => spreadLabels(labelled, unlabelled, classes, options));
}

function spreadLabels(labelled: ProbeData, unlabelled: Float32Array, classes: number, options: LabelSpreadingOptions = {}): { predict: (features: Float32Array) => Int32Array; scores: Float32Array; iterations: number } {
  const nl = labelled.labels.length;
  const dim = labelled.features.length / nl;
  if (!Number.isInteger(dim) || unlabelled.length % dim !== 0) {
    throw new Error(`labelSpreading: ${labelled.features.length} labelled values for ${nl} labels and ${unlabelled.length} unlabelled values do not make rows of one size`);
  }
  const { neighbours: k = 10, alpha = 0.99, iterations = 5000, tolerance = 1e-6 } = options;
  const points = new Float32Array(labelled.features.length + unlabelled.length);
  points.set(labelled.features);
  points.set(unlabelled, labelled.features.length);
  const n = points.length / dim;
  if (!(k >= 1 && k < n)) throw new Error(`labelSpreading: neighbours must be in 1..${n - 1}, got ${k}`);
  const { index, dist } = nearest(points, points, dim, k, true);

  // Symmetric weights as an edge list (i, j, w), both directions; degrees.
  const degree = new Float64Array(n);
  const weight = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const scale = dist[i * k + k - 1] || 1;
    for (let t = 0; t < k; t++) {
      const w = Math.exp(-dist[i * k + t] / scale);
      weight[i * k + t] = w;
      degree[i] += w;
      degree[index[i * k + t]] += w;
    }
  }
  const Y = new Float32Array(n * classes);
  for (let i = 0; i < nl; i++) {
    const y = labelled.labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y < classes)) throw new RangeError(`labelSpreading: label ${y} at row ${i} is outside 0..${classes - 1}`);
    Y[i * classes + y] = 1;
  }
  let F = Float32Array.from(Y);
  let used = 0;
  for (let it = 0; it < iterations; it++) {
    used = it + 1;
    const G = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) {
        const j = index[i * k + t], s = weight[i * k + t] / Math.sqrt(degree[i] * degree[j]);
        for (let c = 0; c < classes; c++) {
          G[i * classes + c] += s * F[j * classes + c];
          G[j * classes + c] += s * F[i * classes + c];
        }
      }
    }
    let change = 0, largest = 0;
    for (let v = 0; v < G.length; v++) {
      G[v] = alpha * G[v] + (1 - alpha) * Y[v];
      change = Math.max(change, Math.abs(G[v] - F[v]));
      largest = Math.max(largest, Math.abs(G[v]));
    }
    F = G;
    if (change <= tolerance * largest) break;
  }
  // Each point's scores as a distribution over classes, for the votes of new points.
  const scores = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < classes; c++) s += F[i * classes + c];
    for (let c = 0; c < classes; c++) scores[i * classes + c] = s > 0 ? F[i * classes + c] / s : 1 / classes;
  }
  const predict = (features: Float32Array): Int32Array => {
    if (features.length % dim !== 0) throw new Error(`labelSpreading.predict: ${features.length} values do not make rows of ${dim}`);
    const near = nearest(features, points, dim, k, false);
    const m = features.length / dim;
    const out = new Int32Array(m);
    for (let q = 0; q < m; q++) {
      const votes = new Float64Array(classes);
      const scale = near.dist[q * k + k - 1] || 1;
      for (let t = 0; t < k; t++) {
        const j = near.index[q * k + t], w = Math.exp(-near.dist[q * k + t] / scale);
        for (let c = 0; c < classes; c++) votes[c] += w * scores[j * classes + c];
      }
      let best = 0;
      for (let c = 1; c < classes; c++) if (votes[c] > votes[best]) best = c;
      out[q] = best;
    }
    return out;
  };
  return { predict, scores, iterations: used };
}
