// An in-memory image dataset kept in typed arrays. Batches are built from these arrays rather than
// sliced out of one big tensor: the wasm Slice kernel copies the whole source on every call.
import * as tf from "@tensorflow/tfjs";
import { permutation } from "../random";

export interface Batch {
  /** [batchSize, height * width * channels], values in [0, 1]. */
  x: tf.Tensor2D;
  labels: Int32Array;
  indices: Int32Array;
}

export class ImageDataset {
  readonly size: number;
  readonly featureSize: number;

  constructor(
    /** Row-major images, `size * height * width * channels` values in [0, 1]. */
    readonly images: Float32Array,
    readonly labels: Int32Array,
    readonly imageShape: [number, number, number],
    readonly classNames: string[],
    readonly name: string,
  ) {
    this.featureSize = imageShape[0] * imageShape[1] * imageShape[2];
    this.size = labels.length;
    if (images.length !== this.size * this.featureSize) {
      throw new Error(`${name}: ${images.length} pixel values do not make ${this.size} images of ${imageShape.join("×")}`);
    }
  }

  get numClasses(): number {
    return this.classNames.length;
  }

  /** A new dataset of the rows at `indices`, in that order. */
  subset(indices: ArrayLike<number>, name = this.name): ImageDataset {
    const d = this.featureSize;
    const images = new Float32Array(indices.length * d);
    const labels = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i];
      if (!(r >= 0 && r < this.size)) throw new RangeError(`${this.name}: row ${r} is outside 0..${this.size - 1}`);
      images.set(this.images.subarray(r * d, (r + 1) * d), i * d);
      labels[i] = this.labels[r];
    }
    return new ImageDataset(images, labels, this.imageShape, this.classNames, name);
  }

  /** The first n rows (all of them when n >= size). */
  take(n: number): ImageDataset {
    if (n >= this.size) return this;
    return this.subset(Int32Array.from({ length: n }, (_, i) => i), `${this.name}[:${n}]`);
  }

  /** A seeded random sample of n rows. */
  sample(n: number, seed: number): ImageDataset {
    return this.subset(permutation(this.size, seed).subarray(0, Math.min(n, this.size)), `${this.name} sample`);
  }

  /**
   * Seeded random samples of the given sizes that share no row; the first is `sample(sizes[0], seed)`,
   * so a held-out set can be added beside a training sample without changing it.
   */
  disjointSamples(sizes: number[], seed: number): ImageDataset[] {
    const total = sizes.reduce((a, b) => a + b, 0);
    if (sizes.some((n) => !Number.isInteger(n) || n < 0)) throw new RangeError(`disjointSamples: sizes must be whole numbers ≥ 0, got ${sizes.join(", ")}`);
    if (total > this.size) throw new RangeError(`${this.name}: ${sizes.join(" + ")} = ${total} rows asked for, only ${this.size} exist; ask for fewer`);
    const p = permutation(this.size, seed);
    let start = 0;
    return sizes.map((n, i) => this.subset(p.subarray(start, (start += n)), i === 0 ? `${this.name} sample` : `${this.name} sample ${i + 1}`));
  }

  /** Deterministic train/validation split: the same seed always gives the same rows. */
  split(validationFraction: number, seed: number): { train: ImageDataset; validation: ImageDataset } {
    if (!(validationFraction > 0 && validationFraction < 1)) throw new RangeError(`validationFraction must be in (0, 1), got ${validationFraction}`);
    const p = permutation(this.size, seed);
    const nVal = Math.round(this.size * validationFraction);
    return {
      validation: this.subset(p.subarray(0, nVal), `${this.name} validation`),
      train: this.subset(p.subarray(nVal), `${this.name} train`),
    };
  }

  /**
   * `perClass` labelled examples of every class (chosen by the seed) and the rest as unlabelled,
   * for semi-supervised learning.
   */
  labelledSubset(perClass: number, seed: number): { labelled: ImageDataset; unlabelled: ImageDataset } {
    const taken = new Array(this.numClasses).fill(0);
    const labelled: number[] = [];
    const unlabelled: number[] = [];
    for (const r of permutation(this.size, seed)) {
      const c = this.labels[r];
      if (taken[c] < perClass) { taken[c]++; labelled.push(r); } else unlabelled.push(r);
    }
    const short = taken.findIndex((t) => t < perClass);
    if (short >= 0) throw new RangeError(`${this.name}: class ${this.classNames[short]} has only ${taken[short]} examples, fewer than ${perClass}`);
    return { labelled: this.subset(labelled, `${this.name} labelled`), unlabelled: this.subset(unlabelled, `${this.name} unlabelled`) };
  }

  /** How many examples each class has. */
  classCounts(): number[] {
    const counts = new Array(this.numClasses).fill(0);
    for (const c of this.labels) counts[c]++;
    return counts;
  }

  /** Mini-batches in a seeded random order (or in order without a seed); the caller disposes each x. */
  *batches(batchSize: number, options: { seed?: number } = {}): Generator<Batch> {
    if (!(batchSize >= 1)) throw new RangeError(`batchSize must be at least 1, got ${batchSize}`);
    const order = options.seed === undefined ? Int32Array.from({ length: this.size }, (_, i) => i) : permutation(this.size, options.seed);
    const d = this.featureSize;
    for (let start = 0; start < this.size; start += batchSize) {
      const indices = order.subarray(start, Math.min(start + batchSize, this.size));
      const buf = new Float32Array(indices.length * d);
      const labels = new Int32Array(indices.length);
      for (let i = 0; i < indices.length; i++) {
        buf.set(this.images.subarray(indices[i] * d, (indices[i] + 1) * d), i * d);
        labels[i] = this.labels[indices[i]];
      }
      yield { x: tf.tensor2d(buf, [indices.length, d]), labels, indices: Int32Array.from(indices) };
    }
  }

  /** All images as one [size, featureSize] tensor (the caller disposes it). */
  toTensor(): tf.Tensor2D {
    return tf.tensor2d(this.images, [this.size, this.featureSize]);
  }

  /** Images as [size, height, width, channels] for convolutional models. */
  toImageTensor(): tf.Tensor4D {
    return tf.tensor4d(this.images, [this.size, ...this.imageShape]);
  }

  /** One image's pixels (a view, not a copy). */
  image(i: number): Float32Array {
    return this.images.subarray(i * this.featureSize, (i + 1) * this.featureSize);
  }
}
