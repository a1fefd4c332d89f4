// Scalar quantisation of codes: each dimension's range is cut into 2^bits equal cells and a value is
// replaced by its cell's centre. A code of d dimensions then costs d·bits bits as fixed-length
// symbols, or fewer with an entropy coder (`entropyCodedBits`).
import * as tf from "@tensorflow/tfjs";

export interface UniformQuantizer {
  bits: number;
  /** Per-dimension range [low, high]; values outside are clipped to the end cells. */
  low: Float32Array;
  high: Float32Array;
}

/**
 * Fits each dimension's range to the codes of a training set, from the `tail` to the 1 − `tail`
 * quantile so that a few outliers do not waste cells.
 */
export function fitUniformQuantizer(codes: tf.Tensor2D, bits: number, tail = 0.001): UniformQuantizer {
  if (!(Number.isInteger(bits) && bits >= 1 && bits <= 16)) throw new RangeError(`fitUniformQuantizer: bits must be an integer in 1..16, got ${bits}`);
  if (codes.rank !== 2 || codes.shape[0] < 2) throw new Error(`fitUniformQuantizer: codes must be [n ≥ 2, dims], got [${codes.shape}]`);
  const [n, dims] = codes.shape;
  const values = codes.dataSync();
  const low = new Float32Array(dims), high = new Float32Array(dims);
  const column = new Float32Array(n);
  for (let j = 0; j < dims; j++) {
    for (let i = 0; i < n; i++) column[i] = values[i * dims + j];
    column.sort();
    low[j] = column[Math.floor(tail * (n - 1))];
    high[j] = column[Math.ceil((1 - tail) * (n - 1))];
    if (!(high[j] > low[j])) high[j] = low[j] + 1e-6; // a constant dimension: one cell is enough
  }
  return { bits, low, high };
}

/** The cell index of every value (an int32 tensor of the same shape). */
export function quantizeIndices(q: UniformQuantizer, codes: tf.Tensor2D): tf.Tensor2D {
  checkDims(q, codes);
  const levels = 2 ** q.bits;
  return tf.tidy(() => {
    const low = tf.tensor1d(q.low), width = tf.sub(tf.tensor1d(q.high), low);
    const cell = tf.floor(tf.mul(tf.div(tf.sub(codes, low), width), levels));
    return tf.clipByValue(cell, 0, levels - 1).toInt() as tf.Tensor2D;
  });
}

/** Each index replaced by its cell's centre. */
export function dequantize(q: UniformQuantizer, indices: tf.Tensor2D): tf.Tensor2D {
  checkDims(q, indices);
  const levels = 2 ** q.bits;
  return tf.tidy(() => {
    const low = tf.tensor1d(q.low), width = tf.sub(tf.tensor1d(q.high), low);
    return tf.add(low, tf.mul(tf.div(tf.add(indices.toFloat(), 0.5), levels), width)) as tf.Tensor2D;
  });
}

/** Codes after quantisation: what a decoder receives. */
export function quantizeRoundTrip(q: UniformQuantizer, codes: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => dequantize(q, quantizeIndices(q, codes)));
}

/**
 * Average bits per code that an ideal entropy coder needs for `indices`, when it models each
 * dimension by the cell frequencies of `trainingIndices` (add-one smoothed, so no cell costs ∞).
 * This is the cross-entropy −mean Σ_j log2 p_j(index_j): a fixed-length code costs dims·bits instead.
 */
export function entropyCodedBits(q: UniformQuantizer, trainingIndices: tf.Tensor2D, indices: tf.Tensor2D): number {
  checkDims(q, trainingIndices);
  checkDims(q, indices);
  const levels = 2 ** q.bits, dims = q.low.length;
  const counts = new Float64Array(dims * levels).fill(1);
  const train = trainingIndices.dataSync(), test = indices.dataSync();
  for (let i = 0; i < train.length; i++) counts[(i % dims) * levels + train[i]]++;
  const totals = trainingIndices.shape[0] + levels;
  let bits = 0;
  for (let i = 0; i < test.length; i++) bits -= Math.log2(counts[(i % dims) * levels + test[i]] / totals);
  return bits / indices.shape[0];
}

function checkDims(q: UniformQuantizer, t: tf.Tensor): void {
  if (t.rank !== 2 || t.shape[1] !== q.low.length) throw new Error(`quantizer fitted to ${q.low.length} dimensions got a tensor of shape [${t.shape}]`);
}
