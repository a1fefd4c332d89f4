// The clustering runs shared by notebooks 10b and 10d: the categorical AAE trained and scored on a
// split, the k-means baselines scored the same way, and the picture of what each cluster holds.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../../lib/src/data/dataset";
import { accuracyWithClusterClasses, clusterClassesByMajority, clusterClassesByMostConfident, clusteringAccuracy } from "../../lib/src/metrics/clusteringAccuracy";
import { centroidCloseness, nearestCentroid } from "../../lib/src/metrics/kMeans";
import { clusteringConsistency, clusteringDeformations, kMeansBaselines, scoreClusters, scoreWithHeldOut, trainClusteringAae, ClusteringSetup } from "../../lib/src/training/clustering";
import { adaptiveRadius } from "../../lib/src/losses/virtualAdversarial";
import { clusterRows } from "../../lib/src/plots/clusters";
import { randomArray } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

/** n 2×2 images of three well-separated kinds (dark, bright left column, bright right column), labelled by kind. */
function blobs(n: number, seed: number): ImageDataset {
  const noise = randomArray(n * 4, seed, 0, 0.1), kinds = [[0, 0, 0, 0], [0.9, 0, 0.9, 0], [0, 0.9, 0, 0.9]];
  const images = Float32Array.from({ length: n * 4 }, (_, j) => kinds[Math.floor(j / 4) % 3][j % 4] + noise[j]);
  return new ImageDataset(images, Int32Array.from({ length: n }, (_, i) => i % 3), [2, 2, 1], ["dark", "left", "right"], "blobs");
}
const setup: ClusteringSetup = { hidden: [8], discriminatorHidden: [8], styleSize: 2, epochs: 2, batchSize: 6, progress: "none",
  learningRates: { reconstruction: 1e-2, generator: 1e-2, discriminator: 1e-2 } };
const split = { name: "blobs", train: blobs(24, 1), test: blobs(12, 2) };

describe("scoreClusters", () => {
  it("votes by majority with more clusters than classes and matches one-to-one otherwise", () => {
    const labels = [0, 0, 1, 1, 2, 2];
    assert.equal(scoreClusters([0, 1, 2, 2, 3, 3], labels, 4, 3), 1, "two clusters may share class 0");
    assert.equal(scoreClusters([0, 0, 0, 0, 1, 1], labels, 3, 3), 4 / 6, "one-to-one: the merged cluster counts one class");
  });
});

describe("classes fixed on held-out images", () => {
  // Five held-out images, two clusters: cluster 0 is surest of image 1 (label 7), cluster 1 of image 4 (label 2).
  const confidence = [[0.6, 0.4], [0.9, 0.1], [0.7, 0.3], [0.8, 0.2], [0.05, 0.95]], labels = [3, 7, 3, 3, 2];
  it("the paper's rule takes the most confident image's label; majority takes the commonest", () => {
    assert.deepEqual(clusterClassesByMostConfident(confidence, labels), [7, 2]);
    assert.deepEqual(clusterClassesByMajority([0, 0, 0, 0, 1], labels, 2), [3, 2]);
    assert.deepEqual(clusterClassesByMajority([0, 0, 0, 0, 0], labels, 2, [7, 2]), [3, 2], "a cluster no held-out image falls in takes the fallback");
    assert.deepEqual(clusterClassesByMajority([0, 0, 0, 0, 0], labels, 2), [3, -1], "…or no class");
    assert.throws(() => clusterClassesByMostConfident(confidence, [1]), /5 rows of confidences for 1 labels/);
  });
  it("scores the test images with those classes, never reading the test labels to choose them", () => {
    assert.equal(accuracyWithClusterClasses([0, 1, 1, 0], [7, 2, 3, 3], [7, 2]), 0.5);
    assert.throws(() => accuracyWithClusterClasses([0, 2], [1, 1], [7, 2]), /cluster id 2 at index 1 has no class/);
    const heldOut = new ImageDataset(new Float32Array(5 * 4), Int32Array.from(labels), [2, 2, 1], Array.from({ length: 10 }, String), "held out");
    const test = new ImageDataset(new Float32Array(4 * 4), Int32Array.from([7, 2, 3, 3]), [2, 2, 1], Array.from({ length: 10 }, String), "test");
    assert.deepEqual(scoreWithHeldOut(confidence, [0, 0, 0, 0, 1], heldOut, [0, 1, 1, 0], test), { paperProtocol: 0.5, heldOutMajority: 0.5 });
    assert.deepEqual(scoreWithHeldOut(confidence, [0, 0, 0, 0, 1], heldOut, [0, 0, 0, 0], test), { paperProtocol: 0.25, heldOutMajority: 0.5 });
  });
  it("k-means' closeness ranks centroids as the nearest-centroid rule does, and leaks nothing", () => {
    const points = Float32Array.from([0, 0, 1, 1, 5, 5, 4, 6]), centroids = Float32Array.from([0, 0, 5, 5]);
    const before = tf.memory().numTensors;
    const rows = centroidCloseness(points, 2, centroids);
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(rows.map((r) => r.indexOf(Math.max(...r))), Array.from(nearestCentroid(points, 2, centroids)));
    assert.deepEqual(clusterClassesByMostConfident(rows, [4, 1, 9, 8]), [4, 9], "each centroid's nearest point gives its class");
  });
});

describe("clusteringConsistency", () => {
  it("is 10b's recipe: IMSAT's radius over the training images, ξ = 10, balance 1, two steps, the deformed copy", () => {
    const recipe = clusteringConsistency(split.train);
    assert.deepEqual(recipe.radius, adaptiveRadius({ values: split.train.images, dim: 4 }));
    assert.deepEqual({ ...recipe, radius: undefined }, { radius: undefined, xi: 10, balance: 1, stepsPerBatch: 2,
      augmentation: { rotationDegrees: 15, scale: 0.1, shiftPixels: 2, imageShape: [2, 2] } });
    assert.deepEqual(clusteringConsistency(split.train, { rotationDegrees: 0 }).augmentation, { ...clusteringDeformations, rotationDegrees: 0, imageShape: [2, 2] }, "one range changed, the others kept");
  });
});

describe("trainClusteringAae", () => {
  it("trains, scores every test image, is reproducible and leaves only the model's tensors", async () => {
    const before = tf.memory().numTensors;
    const run = await trainClusteringAae(split, 4, 3, setup);
    // The model keeps its weights and its phases' Adam state (two moments per trained weight, two
    // step counters per optimiser) until dispose(); the test images' tensors are gone.
    const weights = (m: tf.LayersModel) => m.getWeights().length;
    const [encoder, decoder, discriminators] = [weights(run.model.encoder), weights(run.model.decoder), weights(run.model.codeDiscriminator) + weights(run.model.categoryDiscriminator!)];
    const adamState = 2 * (encoder + decoder) + 2 * discriminators + 2 * encoder + 3 * 2;
    assert.equal(tf.memory().numTensors - before, run.model.variables.length + adamState, "only the model's weights and its optimisers' state remain");
    assert.equal(run.clusters.length, 12);
    assert.equal(run.probs.length, 12);
    run.probs.forEach((p, i) => {
      assert.equal(p.length, 4);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5, "a probability row sums to 1");
      assert.equal(run.clusters[i], p.indexOf(Math.max(...p)), "the cluster is the most probable one");
    });
    assert.equal(run.used, new Set(run.clusters).size);
    assert.equal(run.accuracy, clusteringAccuracy(run.clusters, split.test.labels, "majority").accuracy);
    const again = await trainClusteringAae(split, 4, 3, setup);
    assert.deepEqual(again.probs, run.probs, "the same seed gives the same run");
    const withHeldOut = await trainClusteringAae({ ...split, heldOut: blobs(9, 4) }, 4, 3, setup);
    assert.deepEqual(withHeldOut.probs, run.probs, "held-out images change the scores, not the training");
    const heldOutProbs = tf.tidy(() => withHeldOut.model.categoryProbs(blobs(9, 4).toTensor()).arraySync());
    assert.deepEqual(withHeldOut.heldOut, scoreWithHeldOut(heldOutProbs, heldOutProbs.map((p) => p.indexOf(Math.max(...p))), blobs(9, 4), run.clusters, split.test));
    withHeldOut.model.dispose();
    run.model.dispose();
    again.model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it("a run that fails leaves no tensors behind", async () => {
    const before = tf.memory().numTensors;
    await assert.rejects(trainClusteringAae(split, 3, 1, setup, { radius: 0 }), /radius must be positive/);
    await assert.rejects(trainClusteringAae(split, 3, 1, setup, { radius: Float32Array.from({ length: 5 }, () => 0.1) }), /one radius per training image/);
    assert.equal(tf.memory().numTensors, before);
  });

  it("adds the consistency phase when asked, and scores 3 clusters one-to-one", async () => {
    const before = tf.memory().numTensors;
    const run = await trainClusteringAae(split, 3, 1, setup, { radius: Float32Array.from({ length: 24 }, (_, i) => 0.05 + 0.001 * i), xi: 10, balance: 1, stepsPerBatch: 2 });
    assert.equal(run.accuracy, clusteringAccuracy(run.clusters, split.test.labels, "hungarian").accuracy);
    assert.equal(run.heldOut, undefined);
    run.model.dispose();
    assert.equal(tf.memory().numTensors, before, "the consistency phase's optimiser and tensors are gone with the model");
  });
});

describe("kMeansBaselines", () => {
  it("finds the three kinds on pixels, scores each k its own way and leaks no tensors", async () => {
    const before = tf.memory().numTensors;
    const b = await kMeansBaselines(split, [3, 6], 1, setup, 2);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(b.pixels[3], 1, "well-separated kinds, one-to-one");
    assert.equal(b.pixels[6], 1, "majority vote with twice the clusters");
    const again = await kMeansBaselines(split, [3, 6], 1, setup, 2);
    assert.deepEqual(again, b, "the same seed gives the same scores");
    assert.equal(b.heldOut, undefined, "no held-out images, no held-out scores");
  });

  it("with held-out images, fixes each cluster's class on them too", async () => {
    const before = tf.memory().numTensors;
    const b = await kMeansBaselines({ ...split, heldOut: blobs(9, 4) }, [3, 6], 1, setup, 2);
    assert.equal(tf.memory().numTensors, before);
    for (const k of [3, 6]) assert.deepEqual(b.heldOut!.pixels[k], { paperProtocol: 1, heldOutMajority: 1 }, `well-separated kinds, ${k} clusters`);
    assert.deepEqual(Object.keys(b.heldOut!.codes), ["3", "6"]);
  });
});

describe("clusterRows", () => {
  it("one row per non-empty cluster, named by size and majority class, surest images first", () => {
    const images = blobs(6, 3); // labels 0 1 2 0 1 2
    const clusters = [0, 2, 2, 0, 2, 0];
    const probs = [[0.9, 0, 0.1], [0, 0, 1], [0, 0.4, 0.6], [0.6, 0, 0.4], [0, 0.2, 0.8], [0.7, 0, 0.3]];
    const rows = clusterRows(images, clusters, probs, 2);
    assert.deepEqual(rows.map((r) => r.label), ["cluster 0: 3 × dark", "cluster 2: 3 × left"]);
    assert.deepEqual(rows[0].images, [images.image(0), images.image(5)], "probabilities 0.9, then 0.7; 0.6 cut by perCluster");
    assert.deepEqual(rows[1].images, [images.image(1), images.image(4)]);
    assert.throws(() => clusterRows(images, clusters.slice(1), probs), /6 images, 5 cluster ids and 6 probability rows/);
  });
});
