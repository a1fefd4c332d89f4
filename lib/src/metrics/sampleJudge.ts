// A judge for generated images (notebooks 12 to 12d): a classifier trained on real images labels each
// sample, so we can count the classes a model covers and compute a classifier score, and its
// penultimate layer gives the features for the Fréchet distance to a fixed set of real images.
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";
import { denseStack, layerVariables } from "../models/autoencoder";
import { train } from "../training/train";
import { frechetDistance, frechetDistanceWithInterval, FrechetInterval } from "./frechet";
import { laplacianVariance } from "./sharpness";

export interface JudgedSamples {
  /** Fréchet distance of the samples' features to the reference images' features. */
  frechet: number;
  /** Share of the samples the classifier puts in each class. */
  shares: number[];
  /** Classes that get at least a quarter of their fair share (2.5 % of the samples for 10 classes). */
  classesCovered: number;
  /** exp(E_x KL(p(y|x) ‖ p(y))): the Inception score with this classifier. */
  classifierScore: number;
  /** Mean variance of the Laplacian (see metrics.laplacianVariance). */
  sharpness: number;
}

export interface SampleJudgeOptions {
  /** Labelled real images to train the classifier on. */
  train: ImageDataset;
  /** The real images every set of samples is compared with, [n, 784]; judge sets of the same n. */
  reference: tf.Tensor2D;
  epochs: number;
  seed: number;
  /** Units of the hidden layer, whose activations are the features (default 256). */
  hidden?: number;
  progress?: "auto" | "text" | "none";
}

/** The course's judge, its reference images (the caller disposes them) and the floor: real training images judged. */
export interface CourseJudge {
  judge: SampleJudge;
  referenceImages: tf.Tensor2D;
  floorImages: tf.Tensor2D;
  floor: JudgedSamples;
}

export class SampleJudge {
  private constructor(readonly classifier: tf.Sequential, private readonly referenceFeatures: tf.Tensor2D, readonly classes: number) {}

  /** Trains a classifier input-hidden-classes (ReLU) with Adam 1e-3 and fixes the reference features. */
  static async train(options: SampleJudgeOptions): Promise<SampleJudge> {
    const classes = options.train.classNames.length;
    const classifier = denseStack([options.hidden ?? 256, classes], options.train.featureSize, ["relu", "linear"], options.seed, "judge");
    await train({
      title: "classifier for judging samples", train: options.train, epochs: options.epochs, batchSize: 128, seed: options.seed,
      variables: layerVariables(classifier), optimizer: tf.train.adam(1e-3), progress: options.progress,
      loss: (b) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(b.labels, "int32"), classes), classifier.apply(b.x) as tf.Tensor2D) as tf.Scalar,
    });
    const judge = new SampleJudge(classifier, tf.tidy(() => classifier.layers[0].apply(options.reference) as tf.Tensor2D), classes);
    return judge;
  }

  /**
   * The course's judge for a dataset's generated images, made the same way in every notebook that
   * judges samples (12, 12b, 12c, 12d) so that their distances compare: a classifier trained on
   * `classifierImages` training images (drawn with seed 2, weights and batches seed 3), `samples` test
   * images as the reference (seed 5), and the floor: `samples` training images (seed 6) judged.
   */
  static async forCourse(data: { train: ImageDataset; test: ImageDataset }, options: { samples: number; classifierImages: number; epochs: number }): Promise<CourseJudge> {
    const referenceImages = data.test.sample(options.samples, 5).toTensor();
    const judge = await SampleJudge.train({ train: data.train.sample(options.classifierImages, 2), reference: referenceImages, epochs: options.epochs, seed: 3 });
    const floorImages = data.train.sample(options.samples, 6).toTensor();
    return { judge, referenceImages, floorImages, floor: judge.judge(floorImages) };
  }

  /** The hidden layer's activations: [n, hidden]. */
  features(images: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.classifier.layers[0].apply(images) as tf.Tensor2D);
  }

  /** Class probabilities, one plain row per image. */
  classProbabilities(images: tf.Tensor2D): number[][] {
    const probs = tf.tidy(() => tf.softmax(this.classifier.apply(images) as tf.Tensor2D));
    const rows = probs.arraySync() as number[][];
    probs.dispose();
    return rows;
  }

  /** Fraction of a labelled dataset the classifier gets right. */
  accuracy(data: ImageDataset): number {
    const x = data.toTensor();
    const right = this.classProbabilities(x).filter((p, i) => p.indexOf(Math.max(...p)) === data.labels[i]).length;
    x.dispose();
    return right / data.size;
  }

  /** Fréchet distance of the images' features to the reference images' (same number of images). */
  frechetToReference(images: tf.Tensor2D): number {
    const features = this.features(images);
    try {
      return frechetDistance(features, this.referenceFeatures);
    } finally {
      features.dispose();
    }
  }

  /** frechetToReference with a 95 % bootstrap interval over the images and the reference images. */
  frechetWithInterval(images: tf.Tensor2D, options: { replicates?: number; seed?: number } = {}): FrechetInterval {
    const features = this.features(images);
    try {
      return frechetDistanceWithInterval(features, this.referenceFeatures, options);
    } finally {
      features.dispose();
    }
  }

  judge(images: tf.Tensor2D): JudgedSamples {
    const probs = this.classProbabilities(images);
    // Whole counts first: a share built by adding 1/n repeatedly can fall just below the threshold.
    const counts = new Array(this.classes).fill(0);
    for (const p of probs) counts[p.indexOf(Math.max(...p))]++;
    const shares = counts.map((c) => c / probs.length);
    const marginal = shares.map((_, c) => probs.reduce((s, p) => s + p[c], 0) / probs.length);
    const meanKl = probs.reduce((s, p) => s + p.reduce((t, pc, c) => t + (pc > 0 ? pc * Math.log(pc / marginal[c]) : 0), 0), 0) / probs.length;
    return {
      frechet: this.frechetToReference(images), shares, classesCovered: counts.filter((c) => c >= (0.25 * probs.length) / this.classes).length,
      classifierScore: Math.exp(meanKl), sharpness: laplacianVariance(images),
    };
  }

  dispose(): void {
    this.classifier.dispose();
    this.referenceFeatures.dispose();
  }
}
