// MADE (Germain, Gregor, Murray & Larochelle 2015): a dense network whose weights are masked so that
// output d sees only inputs before d in a fixed order. Its outputs are then the conditionals
// p(x_d | x_<d) of an autoregressive model, all computed in one pass, and
//   log p(x) = Σ_d log p(x_d | x_<d).
// Here x is a grid of categorical indices (a VQ-VAE's 7 × 7 grid), each position one-hot; sampling
// fills the grid one position at a time, one pass per position.
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../data/dataset";

export interface MadeConfig {
  /** Grid positions, in the order of the factorisation (e.g. 49 for a 7 × 7 grid, row by row). */
  positions: number;
  /** Values each position can take (a codebook's K). */
  categories: number;
  /** Hidden layer widths (ReLU). */
  hidden: number[];
  seed?: number;
}

/**
 * The degree of each unit: input and output position p (0-based) has degree p + 1; hidden unit k has
 * degree 1 + (k mod (positions − 1)), so every degree from 1 to positions − 1 is used about equally.
 * A connection from degree a to hidden degree b is allowed when b ≥ a; from hidden degree a to output
 * degree d when d > a. Output position 0 depends on nothing: its bias alone is p(x_0).
 */
export function madeMasks(positions: number, categories: number, hidden: number[]): tf.Tensor2D[] {
  const inputDegrees = Array.from({ length: positions * categories }, (_, i) => Math.floor(i / categories) + 1);
  const hiddenDegrees = hidden.map((h) => Array.from({ length: h }, (_, k) => 1 + (k % Math.max(1, positions - 1))));
  const mask = (from: number[], to: number[], allowed: (a: number, b: number) => boolean) => {
    const m = new Float32Array(from.length * to.length);
    from.forEach((a, i) => to.forEach((b, j) => { if (allowed(a, b)) m[i * to.length + j] = 1; }));
    return tf.tensor2d(m, [from.length, to.length]);
  };
  const layers = [inputDegrees, ...hiddenDegrees];
  const masks = hiddenDegrees.map((to, l) => mask(layers[l], to, (a, b) => b >= a));
  masks.push(mask(layers[layers.length - 1], inputDegrees, (a, d) => d > a));
  return masks;
}

/** Index grids as a dataset for ae.training.train: each row holds one grid's indices (as numbers), not pixels. */
export function indexGridDataset(indices: ArrayLike<number>, positions: number, labels: Int32Array, name = "index grids"): ImageDataset {
  if (indices.length !== labels.length * positions) throw new Error(`indexGridDataset: ${indices.length} indices do not make ${labels.length} grids of ${positions} positions`);
  return new ImageDataset(Float32Array.from(indices), labels, [positions, 1, 1], ["grid"], name);
}

export class Made {
  readonly weights: tf.Variable[] = [];
  readonly biases: tf.Variable[] = [];
  private readonly masks: tf.Tensor2D[];

  constructor(readonly config: MadeConfig) {
    const { positions, categories, hidden } = config;
    for (const [what, n] of [["positions", positions], ["categories", categories]] as [string, number][]) {
      if (!Number.isInteger(n) || n < 2) throw new Error(`Made: ${what} must be a whole number ≥ 2, got ${n}`);
    }
    if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new Error(`Made: hidden must list one or more layer widths, got [${hidden}]`);
    this.masks = madeMasks(positions, categories, hidden);
    const sizes = [positions * categories, ...hidden, positions * categories], seed = config.seed ?? 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const limit = Math.sqrt(6 / (sizes[l] + sizes[l + 1]));
      const w = tf.randomUniform([sizes[l], sizes[l + 1]], -limit, limit, "float32", seed + l), b = tf.zeros([sizes[l + 1]]);
      this.weights.push(tf.variable(w));
      this.biases.push(tf.variable(b));
      tf.dispose([w, b]);
    }
  }

  private oneHot(indices: tf.Tensor2D): tf.Tensor2D {
    return tf.oneHot(tf.cast(indices, "int32") as tf.Tensor2D, this.config.categories).reshape([indices.shape[0], -1]) as tf.Tensor2D;
  }

  /** Logits of p(x_d | x_<d) for every position: grids [n, positions] of indices → [n, positions, categories]. */
  logits(grids: tf.Tensor2D): tf.Tensor3D {
    const { positions, categories } = this.config;
    if (grids.rank !== 2 || grids.shape[1] !== positions) throw new Error(`Made: grids have shape [${grids.shape}], expected [n, ${positions}]`);
    return tf.tidy(() => {
      let h: tf.Tensor2D = this.oneHot(grids);
      this.weights.forEach((w, l) => {
        h = tf.add(tf.matMul(h, tf.mul(w, this.masks[l])), this.biases[l]) as tf.Tensor2D;
        if (l < this.weights.length - 1) h = tf.relu(h);
      });
      return h.reshape([-1, positions, categories]) as tf.Tensor3D;
    });
  }

  /** −log p(grid) in nats for each grid: [n]. */
  negativeLogLikelihood(grids: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.logSoftmax(this.logits(grids)), this.oneHot(grids).reshape([-1, this.config.positions, this.config.categories])), [1, 2])) as tf.Tensor1D);
  }

  /** The training loss: mean −log p(grid) over the batch, in nats per grid. */
  loss(grids: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => tf.mean(this.negativeLogLikelihood(grids)) as tf.Scalar);
  }

  /**
   * n grids drawn position by position: position d from p(x_d | x_<d) given the positions already drawn
   * (one pass each; later positions of the partial grid are ignored by the masks). Returns [n · positions].
   */
  sample(n: number, seed: number): tf.Tensor1D {
    const { positions } = this.config;
    const grid = new Int32Array(n * positions);
    for (let d = 0; d < positions; d++) {
      const drawn = tf.tidy(() => {
        const logits = this.logits(tf.tensor2d(grid, [n, positions], "int32")).slice([0, d, 0], [n, 1, -1]).reshape([n, -1]) as tf.Tensor2D;
        return tf.multinomial(logits, 1, seed * 7919 + d).dataSync();
      });
      for (let i = 0; i < n; i++) grid[i * positions + d] = drawn[i];
    }
    return tf.tensor1d(grid, "int32");
  }

  get variables(): tf.Variable[] {
    return [...this.weights, ...this.biases];
  }

  countParams(): number {
    return this.variables.reduce((s, v) => s + v.size, 0);
  }

  dispose(): void {
    tf.dispose([...this.variables, ...this.masks]);
  }
}
