// Greedy layer-wise pretraining of an MLP autoencoder (plain and stacked-denoising), on 200 images.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { MlpAutoencoder } from "../../lib/src/models/mlpAutoencoder";
import { pretrainLayerwise } from "../../lib/src/models/stackedPretraining";
import { binaryCrossEntropyFromLogits } from "../../lib/src/losses/binaryCrossEntropy";
import { ImageDataset, loadFashionMnist, maskingNoise } from "../../lib/src/data";

before(async () => {
  await tf.setBackend("cpu");
});

const config = { inputSize: 784, hidden: [32], codeSize: 8, seed: 1 };
const epochs = 5;
let data: ImageDataset;

before(() => {
  data = loadFashionMnist({ verify: false }).train.sample(200, 3);
});

/** Copies of the weights of every layer of a model. */
const snapshot = (model: tf.Sequential) => model.layers.map((l) => l.getWeights().map((w) => Float32Array.from(w.dataSync())));
const changed = (a: Float32Array[], b: Float32Array[]) => a.some((w, i) => w.some((v, j) => v !== b[i][j]));

/** Mean Bernoulli loss of the whole model's reconstructions of the training images. */
function reconstructionBce(m: MlpAutoencoder): number {
  return tf.tidy(() => {
    const x = data.toTensor();
    return binaryCrossEntropyFromLogits(m.decodeLogits(m.encode(x)), x).dataSync()[0];
  });
}

async function check(corrupt?: (x: tf.Tensor2D) => tf.Tensor2D) {
  const model = new MlpAutoencoder(config);
  const fresh = new MlpAutoencoder(config);
  const encoderBefore = snapshot(model.encoder);
  const decoderBefore = snapshot(model.decoder);
  assert.ok(!changed(snapshot(fresh.encoder).flat(), encoderBefore.flat()), "same seed, same initial weights");

  const tensorsBefore = tf.memory().numTensors;
  const logs = await pretrainLayerwise(model, data, { epochs, batchSize: 32, progress: "none", seed: 4, corrupt });
  assert.equal(tf.memory().numTensors, tensorsBefore, "no tensors left behind (helpers, optimisers, features)");

  assert.equal(logs.length, model.encoder.layers.length, "one log array per encoder layer");
  logs.forEach((layerLogs, i) => {
    assert.equal(layerLogs.length, epochs, `layer ${i + 1}: one log per epoch`);
    assert.ok(layerLogs.every((e) => Number.isFinite(e.loss)), `layer ${i + 1}: finite losses`);
    assert.ok(layerLogs[epochs - 1].loss < layerLogs[0].loss, `layer ${i + 1}: loss ${layerLogs[0].loss} -> ${layerLogs[epochs - 1].loss}`);
  });

  const encoderAfter = snapshot(model.encoder);
  const decoderAfter = snapshot(model.decoder);
  encoderAfter.forEach((w, i) => assert.ok(changed(w, encoderBefore[i]), `encoder layer ${i + 1} was trained`));
  decoderAfter.forEach((w, i) => assert.ok(changed(w, decoderBefore[i]), `decoder layer ${i + 1} (a mirror) received weights`));

  const pretrained = reconstructionBce(model);
  const initial = reconstructionBce(fresh);
  assert.ok(pretrained < initial - 0.02, `pretrained BCE ${pretrained} vs freshly initialised ${initial}`);
  model.dispose();
  fresh.dispose();
  return logs;
}

describe("pretrainLayerwise", () => {
  it("trains every encoder layer and its mirror so the stacked model reconstructs better than a fresh one", async () => {
    await check();
  });

  it("with `corrupt`, pretrains denoising layers (a stacked DAE) and feeds them corrupted inputs", async () => {
    let calls = 0;
    const corrupt = (x: tf.Tensor2D) => {
      calls++;
      return maskingNoise(x, 0.25, calls) as tf.Tensor2D;
    };
    const logs = await check(corrupt);
    const batchesPerEpoch = Math.ceil(data.size / 32);
    assert.equal(calls, logs.length * epochs * batchesPerEpoch, "the corruption runs once per training batch of every layer");
  });
});
