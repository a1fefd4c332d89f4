// The linear probe (softmax regression on frozen features) and encodeDataset (codes of a whole dataset).
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { linearProbeAccuracy, ProbeData } from "../../lib/src/metrics/linearProbe";
import { encodeDataset } from "../../lib/src/metrics/codes";
import { ImageDataset } from "../../lib/src/data/dataset";
import { MlpAutoencoder } from "../../lib/src/models/mlpAutoencoder";
import { seededRandom } from "../../lib/src/random";
import { randomArray } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

/** Standard normal draws (Box–Muller) from a seed. */
function gaussians(n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
}

const [classes, dim] = [3, 6];

/**
 * n points, class i % classes, in `dim` dimensions: unit Gaussian noise plus `separation` times the
 * class's own axis (separation 0: labels carry no information).
 */
function blobs(n: number, separation: number, seed: number): ProbeData {
  const features = gaussians(n * dim, seed);
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  for (let i = 0; i < n; i++) features[i * dim + labels[i]] += separation;
  return { features, labels };
}

describe("linearProbeAccuracy", () => {
  it("separates linearly separable classes almost perfectly", () => {
    const result = linearProbeAccuracy(blobs(300, 6, 1), blobs(150, 6, 2), classes);
    assert.ok(result.testAccuracy > 0.95, `test accuracy ${result.testAccuracy}`);
    assert.ok(result.trainAccuracy > 0.95, `train accuracy ${result.trainAccuracy}`);
  });

  it("stays near chance on features of pure noise", () => {
    const result = linearProbeAccuracy(blobs(300, 0, 3), blobs(600, 0, 4), classes);
    // Chance is 1/3; the standard deviation of a chance-level accuracy on 600 points is about 0.02.
    assert.ok(Math.abs(result.testAccuracy - 1 / classes) < 0.1, `test accuracy ${result.testAccuracy}`);
  });

  it("rejects train and test sets with different feature sizes or mismatched labels", () => {
    const train = blobs(30, 3, 5);
    const wrongTest = { features: new Float32Array(10 * (dim + 1)), labels: new Int32Array(10) };
    assert.throws(() => linearProbeAccuracy(train, wrongTest, classes), /linearProbeAccuracy: train has 180 values for 30 labels, test 70 for 10; both need the same feature size/);
    const ragged = { features: new Float32Array(31 * dim - 1), labels: new Int32Array(31) };
    assert.throws(() => linearProbeAccuracy(ragged, blobs(10, 3, 6), classes), /both need the same feature size/);
  });

  it("leaks no tensors (its weights and optimiser are disposed)", () => {
    const before = tf.memory().numTensors;
    linearProbeAccuracy(blobs(60, 4, 7), blobs(30, 4, 8), classes, { epochs: 2 });
    assert.equal(tf.memory().numTensors, before);
  });
});

describe("encodeDataset", () => {
  // 7 images of 4×4 pixels, encoded in batches of 3 (so the last batch is partial).
  const [n, side] = [7, 4];
  const data = new ImageDataset(randomArray(n * side * side, 20, 0, 1), Int32Array.from({ length: n }, (_, i) => (i * 3) % 5), [side, side, 1], ["a", "b", "c", "d", "e"], "tiny");

  it("returns every image's code in dataset order, equal to encoding each image alone", () => {
    const model = new MlpAutoencoder({ inputSize: side * side, hidden: [5], codeSize: 3, seed: 2 });
    const encode = (x: tf.Tensor2D) => model.encode(x);
    const before = tf.memory().numTensors;
    const codes = encodeDataset(encode, data, 3);
    assert.equal(tf.memory().numTensors, before, "no tensors left behind");
    assert.equal(codes.dim, 3);
    assert.equal(codes.features.length, n * 3);
    assert.deepEqual(Array.from(codes.labels), Array.from(data.labels));
    for (let i = 0; i < n; i++) {
      const alone = tf.tidy(() => encode(tf.tensor2d(data.image(i), [1, side * side])).dataSync());
      for (let c = 0; c < 3; c++) {
        const got = codes.features[i * 3 + c];
        assert.ok(Math.abs(got - alone[c]) < 1e-5, `image ${i}, unit ${c}: ${got} vs ${alone[c]}`);
      }
    }
    // The codes differ between images, so the row order check above is meaningful.
    assert.notEqual(codes.features[0], codes.features[3]);
    model.dispose();
  });

  it("gives the same result whatever the batch size", () => {
    const w = tf.tensor2d(randomArray(side * side * 2, 21), [side * side, 2]);
    const encode = (x: tf.Tensor2D) => tf.matMul(x, w) as tf.Tensor2D;
    const one = encodeDataset(encode, data, 1);
    const all = encodeDataset(encode, data);
    assert.equal(all.features.length, n * 2);
    assert.ok(one.features.every((v, i) => Math.abs(v - all.features[i]) < 1e-5));
    w.dispose();
  });
});
