// The summaries notebooks report over label draws: mean ± sample std, and accuracy over a dataset.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { classificationAccuracy, meanAndStd } from "../../lib/src/metrics/summary";
import { ImageDataset } from "../../lib/src/data/dataset";

before(async () => {
  await tf.setBackend("cpu");
});

describe("meanAndStd", () => {
  it("gives the mean and the n − 1 standard deviation; 0 for one run; refuses none", () => {
    const { mean, std } = meanAndStd([0.7, 0.8, 0.9]);
    assert.ok(Math.abs(mean - 0.8) < 1e-12 && Math.abs(std - 0.1) < 1e-12, `${mean} ± ${std}`);
    assert.deepEqual(meanAndStd([0.5]), { mean: 0.5, std: 0 });
    assert.throws(() => meanAndStd([]), /no runs/);
  });
});

describe("classificationAccuracy", () => {
  // 5 one-pixel images whose pixel is their label / 10; a predictor that reads the label back, wrong for label 3.
  const data = new ImageDataset(Float32Array.from([0, 0.1, 0.2, 0.3, 0.4]), Int32Array.from([0, 1, 2, 3, 4]), [1, 1, 1], ["0", "1", "2", "3", "4"], "five");
  const predict = (x: tf.Tensor2D) => Int32Array.from(x.dataSync(), (v) => { const y = Math.round(v * 10); return y === 3 ? 0 : y; });

  it("counts the right answers over every batch and disposes the batches", () => {
    const before = tf.memory().numTensors;
    assert.equal(classificationAccuracy(predict, data, 2), 4 / 5);
    assert.equal(tf.memory().numTensors, before);
  });

  it("refuses a predictor that returns the wrong number of classes, still disposing the batch", () => {
    const before = tf.memory().numTensors;
    assert.throws(() => classificationAccuracy(() => new Int32Array(1), data, 2), /1 predictions for a batch of 2/);
    assert.equal(tf.memory().numTensors, before);
  });
});
