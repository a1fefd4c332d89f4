// Linear-probe accuracy: how much class information a representation exposes *linearly*. A softmax
// (multinomial logistic) regression is trained on frozen features and scored on held-out ones.
import * as tf from "@tensorflow/tfjs";
import { permutation } from "../random";

export interface ProbeData { features: Float32Array; labels: Int32Array }
export interface ProbeOptions { epochs?: number; batchSize?: number; learningRate?: number; l2?: number; seed?: number }

export function linearProbeAccuracy(train: ProbeData, test: ProbeData, numClasses: number, options: ProbeOptions = {}): { trainAccuracy: number; testAccuracy: number } {
  const n = train.labels.length;
  const dim = train.features.length / n;
  if (!Number.isInteger(dim) || test.features.length !== test.labels.length * dim) {
    throw new Error(`linearProbeAccuracy: train has ${train.features.length} values for ${n} labels, test ${test.features.length} for ${test.labels.length}; both need the same feature size`);
  }
  const { epochs = 30, batchSize = 256, learningRate = 0.01, l2 = 1e-4, seed = 0 } = options;
  // Standardise with the training statistics so one learning rate suits every representation.
  const mean = new Float32Array(dim), std = new Float32Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += train.features[i * dim + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) std[j] += (train.features[i * dim + j] - mean[j]) ** 2 / n;
  for (let j = 0; j < dim; j++) std[j] = Math.sqrt(std[j]) + 1e-6;
  const standardise = (f: Float32Array) => f.map((v, idx) => (v - mean[idx % dim]) / std[idx % dim]);
  const xTrain = standardise(train.features), xTest = standardise(test.features);

  // Inside tidy so the zero tensors the variables start from are disposed (a variable keeps its own copy).
  const w = tf.tidy(() => tf.variable(tf.zeros([dim, numClasses])));
  const b = tf.tidy(() => tf.variable(tf.zeros([numClasses])));
  const optimizer = tf.train.adam(learningRate);
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = permutation(n, seed + epoch);
      for (let start = 0; start < n; start += batchSize) {
        const idx = order.subarray(start, Math.min(n, start + batchSize));
        const xb = new Float32Array(idx.length * dim);
        idx.forEach((r, i) => xb.set(xTrain.subarray(r * dim, (r + 1) * dim), i * dim));
        const yb = Int32Array.from(idx, (r) => train.labels[r]);
        tf.tidy(() => {
          const x = tf.tensor2d(xb, [idx.length, dim]);
          const y = tf.oneHot(tf.tensor1d(yb, "int32"), numClasses);
          optimizer.minimize(() => tf.add(tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, w), b)), tf.mul(l2, tf.sum(tf.square(w)))) as tf.Scalar, false, [w, b]);
        });
      }
    }
    const accuracy = (x: Float32Array, labels: Int32Array) => tf.tidy(() => {
      const predicted = tf.argMax(tf.add(tf.matMul(tf.tensor2d(x, [labels.length, dim]), w), b), 1).dataSync() as Int32Array;
      return predicted.reduce((c, p, i) => c + (p === labels[i] ? 1 : 0), 0) / labels.length;
    });
    return { trainAccuracy: accuracy(xTrain, train.labels), testAccuracy: accuracy(xTest, test.labels) };
  } finally {
    tf.dispose([w, b]);
    optimizer.dispose();
  }
}
