// Clustering runs, shared by notebooks 10b and 10d: the categorical AAE trained on a split and
// scored on its test images, and the k-means baselines scored the same way. With labelled held-out
// training images in the split, each cluster's class is also fixed on them before the test set is
// scored: by the paper's rule (its most confident held-out image) and by their majority.
import * as tf from "@tensorflow/tfjs";
import { AffineRanges } from "../data/augment";
import { ImageDataset } from "../data/dataset";
import { binaryCrossEntropyFromLogits } from "../losses/binaryCrossEntropy";
import { adaptiveRadius } from "../losses/virtualAdversarial";
import { accuracyWithClusterClasses, clusterClassesByMajority, clusterClassesByMostConfident, clusteringAccuracy } from "../metrics/clusteringAccuracy";
import { encodeDataset } from "../metrics/codes";
import { centroidCloseness, kMeans, nearestCentroid } from "../metrics/kMeans";
import { AaeLearningRates, AdversarialAutoencoder, ConsistencyOptions } from "../models/aae";
import { MlpAutoencoder } from "../models/mlpAutoencoder";
import { gaussianPrior } from "../models/priors";
import { train, TrainOptions } from "./train";

export interface ClusteringSplit {
  name: string;
  train: ImageDataset;
  test: ImageDataset;
  /** Labelled training images kept out of `train`, to give each cluster a class without the test labels. */
  heldOut?: ImageDataset;
}

/** Test accuracy with each cluster's class fixed on the held-out images. */
export interface HeldOutScores {
  /** Makhzani et al.'s rule: the class of the cluster's most confident held-out image. */
  paperProtocol: number;
  /** The majority class of the held-out images in the cluster (the paper's rule where none falls in it). */
  heldOutMajority: number;
}

/** The networks and the schedule of a clustering run. */
export interface ClusteringSetup {
  hidden: number[];
  discriminatorHidden: number[];
  /** Size of the continuous style code beside the clusters (matched to N(0, I)). */
  styleSize: number;
  learningRates: AaeLearningRates;
  epochs: number;
  batchSize: number;
  progress?: TrainOptions["progress"];
}

export interface ClusteringRun {
  seed: number;
  /** The most probable cluster of each test image. */
  clusters: Int32Array;
  /** q(y|x) of each test image. */
  probs: number[][];
  /** How many clusters at least one test image falls in. */
  used: number;
  /** Majority vote on the test labels with more clusters than classes, one-to-one (Hungarian) otherwise. */
  accuracy: number;
  /** With split.heldOut: the test set scored with classes fixed on the held-out images. */
  heldOut?: HeldOutScores;
  seconds: number;
  model: AdversarialAutoencoder;
}

/** The deformed copies of notebook 10b's recipe: up to ±15° of rotation, ±10 % of size, ±2 pixels of shift. */
export const clusteringDeformations: Readonly<Required<AffineRanges>> = { rotationDegrees: 15, scale: 0.1, shiftPixels: 2 };

/**
 * Notebook 10b's fifth phase (chosen there on held-out training images): VAT with IMSAT's adaptive
 * radius over `train` (0.25 × the distance to the 10th nearest image) at ξ = 10, the balance term at
 * weight 1, two steps per batch, and the same cluster for a copy deformed within `deformations`.
 */
export function clusteringConsistency(train: ImageDataset, deformations: AffineRanges = clusteringDeformations): ConsistencyOptions & { radius: Float32Array } {
  const [h, w] = train.imageShape;
  return {
    radius: adaptiveRadius({ values: train.images, dim: train.featureSize }), xi: 10, balance: 1, stepsPerBatch: 2,
    augmentation: { ...clusteringDeformations, ...deformations, imageShape: [h, w] },
  };
}

/** Majority vote when there are more clusters than classes, the one-to-one (Hungarian) score otherwise. */
export function scoreClusters(clusters: ArrayLike<number>, labels: ArrayLike<number>, k: number, classes: number): number {
  return clusteringAccuracy(clusters, labels, k > classes ? "majority" : "hungarian").accuracy;
}

/**
 * Test accuracy with classes fixed on held-out images: confidence[n][c] and heldOutClusters[n] are
 * the held-out image n's confidence for cluster c and its cluster; testClusters are the test images'.
 */
export function scoreWithHeldOut(confidence: ArrayLike<number>[], heldOutClusters: ArrayLike<number>, heldOut: ImageDataset, testClusters: ArrayLike<number>, test: ImageDataset): HeldOutScores {
  const mostConfident = clusterClassesByMostConfident(confidence, heldOut.labels);
  const majority = clusterClassesByMajority(heldOutClusters, heldOut.labels, mostConfident.length, mostConfident);
  return { paperProtocol: accuracyWithClusterClasses(testClusters, test.labels, mostConfident), heldOutMajority: accuracyWithClusterClasses(testClusters, test.labels, majority) };
}

/** Trains the AAE with k clusters on split.train (consistency: the fifth phase) and scores split.test. */
export async function trainClusteringAae(split: ClusteringSplit, k: number, seed: number, setup: ClusteringSetup, consistency?: ConsistencyOptions): Promise<ClusteringRun> {
  const model = new AdversarialAutoencoder({ inputSize: split.train.featureSize, hidden: setup.hidden, codeSize: setup.styleSize, categories: k, discriminatorHidden: setup.discriminatorHidden, seed });
  let history;
  try {
    history = await train({
      title: `${split.name}: AAE with ${k} clusters${consistency ? " + consistency" : ""}, seed ${seed}`, train: split.train,
      epochs: setup.epochs, batchSize: setup.batchSize, seed, progress: setup.progress,
      phases: model.phases({ prior: gaussianPrior(setup.styleSize), learningRates: setup.learningRates, seed, consistency }),
    });
  } catch (e) {
    model.dispose(); // with the optimisers of its phases; nothing of a failed run is returned
    throw e;
  }
  const probsOf = (d: ImageDataset) => tf.tidy(() => model.categoryProbs(d.toTensor()).arraySync());
  const mostProbable = (probs: number[][]) => Int32Array.from(probs, (p) => p.indexOf(Math.max(...p)));
  const probs = probsOf(split.test), clusters = mostProbable(probs);
  const accuracy = scoreClusters(clusters, split.test.labels, k, split.test.numClasses);
  let heldOut: HeldOutScores | undefined;
  if (split.heldOut) {
    const heldOutProbs = probsOf(split.heldOut);
    heldOut = scoreWithHeldOut(heldOutProbs, mostProbable(heldOutProbs), split.heldOut, clusters, split.test);
  }
  return { seed, clusters, probs, used: new Set(clusters).size, accuracy, heldOut, seconds: history.seconds, model };
}

/** Accuracy of k-means with each k, on pixels and on codes, keyed by k. */
export interface KMeansBaselines {
  pixels: Record<number, number>;
  codes: Record<number, number>;
  /** With split.heldOut: the same, with classes fixed on the held-out images (a centroid's most confident image is its nearest). */
  heldOut?: { pixels: Record<number, HeldOutScores>; codes: Record<number, HeldOutScores> };
}

/**
 * k-means fitted on the training images, and on a plain autoencoder's codes of them (hidden layers
 * setup.hidden, `codeSize`, the AAE's reconstruction loss and learning rate), test images assigned
 * to the nearest centroid and scored as the AAE is.
 */
export async function kMeansBaselines(split: ClusteringSplit, ks: number[], seed: number, setup: ClusteringSetup, codeSize = 10): Promise<KMeansBaselines> {
  const classes = split.test.numClasses, { heldOut } = split;
  // One k-means fit scored both ways: on the test labels, and with classes fixed on the held-out images.
  const score = (trainPoints: Float32Array, testPoints: Float32Array, heldOutPoints: Float32Array | undefined, dim: number, k: number) => {
    const km = kMeans(trainPoints, dim, k, { seed });
    const testClusters = nearestCentroid(testPoints, dim, km.centroids);
    const onTest = scoreClusters(testClusters, split.test.labels, k, classes);
    if (!heldOut || !heldOutPoints) return { onTest };
    const closeness = centroidCloseness(heldOutPoints, dim, km.centroids);
    return { onTest, withHeldOut: scoreWithHeldOut(closeness, nearestCentroid(heldOutPoints, dim, km.centroids), heldOut, testClusters, split.test) };
  };
  const plain = new MlpAutoencoder({ inputSize: split.train.featureSize, hidden: setup.hidden, codeSize, seed });
  const optimizer = tf.train.adam(setup.learningRates.reconstruction);
  let codesTrain: Float32Array, codesTest: Float32Array, codesHeldOut: Float32Array | undefined;
  try {
    await train({
      title: `${split.name}: plain autoencoder ${[split.train.featureSize, ...setup.hidden, codeSize].join("-")}, seed ${seed}`, train: split.train,
      epochs: setup.epochs, batchSize: setup.batchSize, seed, progress: "none",
      variables: plain.variables, optimizer,
      loss: (b) => binaryCrossEntropyFromLogits(plain.decodeLogits(plain.encode(b.x)), b.x),
    });
    const codesOf = (d: ImageDataset) => encodeDataset((x) => plain.encode(x), d).features;
    [codesTrain, codesTest] = [codesOf(split.train), codesOf(split.test)];
    codesHeldOut = heldOut && codesOf(heldOut);
  } finally {
    plain.dispose();
    optimizer.dispose();
  }
  const result: KMeansBaselines = { pixels: {}, codes: {}, heldOut: heldOut && { pixels: {}, codes: {} } };
  for (const k of ks) {
    const onPixels = score(split.train.images, split.test.images, heldOut?.images, split.train.featureSize, k);
    const onCodes = score(codesTrain, codesTest, codesHeldOut, codeSize, k);
    [result.pixels[k], result.codes[k]] = [onPixels.onTest, onCodes.onTest];
    if (result.heldOut) [result.heldOut.pixels[k], result.heldOut.codes[k]] = [onPixels.withHeldOut!, onCodes.withHeldOut!];
  }
  return result;
}
