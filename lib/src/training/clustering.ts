// Clustering runs, shared by notebooks 10b and 10d: the categorical AAE trained on a split and
// scored on its test images, and the k-means baselines scored the same way.
import * as tf from "@tensorflow/tfjs";
import { AffineRanges } from "../data/augment";
import { ImageDataset } from "../data/dataset";
import { binaryCrossEntropyFromLogits } from "../losses/binaryCrossEntropy";
import { adaptiveRadius } from "../losses/virtualAdversarial";
import { clusteringAccuracy } from "../metrics/clusteringAccuracy";
import { encodeDataset } from "../metrics/codes";
import { kMeans, nearestCentroid } from "../metrics/kMeans";
import { AaeLearningRates, AdversarialAutoencoder, ConsistencyOptions } from "../models/aae";
import { MlpAutoencoder } from "../models/mlpAutoencoder";
import { gaussianPrior } from "../models/priors";
import { train, TrainOptions } from "./train";

export interface ClusteringSplit { name: string; train: ImageDataset; test: ImageDataset }

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
  /** Majority vote with more clusters than classes, one-to-one (Hungarian) otherwise. */
  accuracy: number;
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
  const probs = tf.tidy(() => model.categoryProbs(split.test.toTensor()).arraySync());
  const clusters = Int32Array.from(probs, (p) => p.indexOf(Math.max(...p)));
  const accuracy = scoreClusters(clusters, split.test.labels, k, split.test.numClasses);
  return { seed, clusters, probs, used: new Set(clusters).size, accuracy, seconds: history.seconds, model };
}

/** Accuracy of k-means with each k, on pixels and on codes, keyed by k. */
export interface KMeansBaselines { pixels: Record<number, number>; codes: Record<number, number> }

/**
 * k-means fitted on the training images, and on a plain autoencoder's codes of them (hidden layers
 * setup.hidden, `codeSize`, the AAE's reconstruction loss and learning rate), test images assigned
 * to the nearest centroid and scored as the AAE is.
 */
export async function kMeansBaselines(split: ClusteringSplit, ks: number[], seed: number, setup: ClusteringSetup, codeSize = 10): Promise<KMeansBaselines> {
  const classes = split.test.numClasses;
  const score = (trainPoints: Float32Array, testPoints: Float32Array, dim: number, k: number) => {
    const km = kMeans(trainPoints, dim, k, { seed });
    return scoreClusters(nearestCentroid(testPoints, dim, km.centroids), split.test.labels, k, classes);
  };
  const plain = new MlpAutoencoder({ inputSize: split.train.featureSize, hidden: setup.hidden, codeSize, seed });
  const optimizer = tf.train.adam(setup.learningRates.reconstruction);
  let codesTrain: Float32Array, codesTest: Float32Array;
  try {
    await train({
      title: `${split.name}: plain autoencoder ${[split.train.featureSize, ...setup.hidden, codeSize].join("-")}, seed ${seed}`, train: split.train,
      epochs: setup.epochs, batchSize: setup.batchSize, seed, progress: "none",
      variables: plain.variables, optimizer,
      loss: (b) => binaryCrossEntropyFromLogits(plain.decodeLogits(plain.encode(b.x)), b.x),
    });
    const codesOf = (d: ImageDataset) => encodeDataset((x) => plain.encode(x), d).features;
    [codesTrain, codesTest] = [codesOf(split.train), codesOf(split.test)];
  } finally {
    plain.dispose();
    optimizer.dispose();
  }
  const pixels: Record<number, number> = {}, codes: Record<number, number> = {};
  for (const k of ks) {
    pixels[k] = score(split.train.images, split.test.images, split.train.featureSize, k);
    codes[k] = score(codesTrain, codesTest, codeSize, k);
  }
  return { pixels, codes };
}
