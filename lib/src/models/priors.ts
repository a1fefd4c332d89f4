// Priors for codes that an adversarial autoencoder can match: anything we can sample from. Each
// sampler draws n codes from a seed; the 2-D ones can also draw, for each code, from the part of the
// prior that belongs to a given label (one mixture component, one segment of the roll).
import * as tf from "@tensorflow/tfjs";
import { seededRandom } from "../random";

export interface Prior {
  readonly name: string;
  readonly dims: number;
  /** n codes [n, dims]; with labels (length n), code i comes from label i's part of the prior. */
  sample(n: number, seed: number, labels?: ArrayLike<number>): tf.Tensor2D;
}

/** Box–Muller standard normals from a seeded uniform generator. */
function normals(rand: () => number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand())), t = 2 * Math.PI * rand();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

function checkLabels(prior: string, n: number, parts: number, labels?: ArrayLike<number>) {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${prior}.sample: n must be a positive integer, got ${n}`);
  if (!labels) return;
  if (labels.length !== n) throw new RangeError(`${prior}.sample: ${labels.length} labels for ${n} codes; pass one label per code`);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= parts) throw new RangeError(`${prior}.sample: label ${y} at index ${i} is outside 0..${parts - 1}`);
  }
}

/** N(0, I) in `dims` dimensions (labels are not used: the Gaussian has no parts). */
export function gaussianPrior(dims: number, std = 1): Prior {
  return {
    name: "gaussian", dims,
    sample(n, seed) {
      checkLabels("gaussianPrior", n, 1);
      const z = normals(seededRandom(seed), n * dims).map((v) => v * std);
      return tf.tensor2d(z, [n, dims]);
    },
  };
}

export interface MixtureOptions { components?: number; radius?: number; std?: number }

/**
 * A mixture of equally weighted 2-D Gaussians whose means sit evenly on a circle: component k at angle
 * 2πk/K, radius r, isotropic std s (defaults 10, 4, 0.5: the components barely overlap).
 */
export function gaussianMixturePrior(options: MixtureOptions = {}) {
  const { components = 10, radius = 4, std = 0.5 } = options;
  const means = Array.from({ length: components }, (_, k) => [radius * Math.cos((2 * Math.PI * k) / components), radius * Math.sin((2 * Math.PI * k) / components)]);
  return {
    name: "mixture", dims: 2, components, radius, std, means,
    sample(n: number, seed: number, labels?: ArrayLike<number>): tf.Tensor2D {
      checkLabels("gaussianMixturePrior", n, components, labels);
      const rand = seededRandom(seed);
      const eps = normals(rand, 2 * n);
      const z = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const k = labels ? labels[i] : Math.floor(rand() * components);
        z[2 * i] = means[k][0] + std * eps[2 * i];
        z[2 * i + 1] = means[k][1] + std * eps[2 * i + 1];
      }
      return tf.tensor2d(z, [n, 2]);
    },
    /** log p(z) of the mixture per row (nats): log Σ_k (1/K) N(z; m_k, s² I), by log-sum-exp. */
    logDensity(z: tf.Tensor2D): tf.Tensor1D {
      return tf.tidy(() => {
        const m = tf.tensor2d(means.flat(), [components, 2]);
        const sq = tf.sum(tf.square(tf.sub(tf.expandDims(z, 1), tf.expandDims(m, 0))), 2); // [n, K]
        const perComponent = tf.sub(tf.mul(sq, -0.5 / (std * std)), Math.log(2 * Math.PI * std * std) + Math.log(components));
        return tf.logSumExp(perComponent, 1) as tf.Tensor1D;
      });
    },
  };
}

export interface SwissRollOptions { segments?: number; turns?: number; noise?: number; scale?: number }

/**
 * A 2-D swiss roll: t uniform in [0, 1], angle 2π·turns·√t (so points are spread evenly along the
 * arc), radius scale·√t, plus Gaussian noise. Label k draws t from the k-th of `segments` equal slices.
 */
export function swissRollPrior(options: SwissRollOptions = {}): Prior & { segments: number } {
  const { segments = 10, turns = 1.5, noise = 0.08, scale = 5 } = options;
  return {
    name: "swissRoll", dims: 2, segments,
    sample(n, seed, labels) {
      checkLabels("swissRollPrior", n, segments, labels);
      const rand = seededRandom(seed);
      const eps = normals(rand, 2 * n);
      const z = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const t = labels ? (labels[i] + rand()) / segments : rand();
        const angle = 2 * Math.PI * turns * Math.sqrt(t), r = scale * Math.sqrt(t);
        z[2 * i] = r * Math.cos(angle) + noise * eps[2 * i];
        z[2 * i + 1] = r * Math.sin(angle) + noise * eps[2 * i + 1];
      }
      return tf.tensor2d(z, [n, 2]);
    },
  };
}

/** n one-hot rows over `categories`, uniformly drawn: the prior of a categorical code. */
export function categoricalPrior(categories: number): Prior {
  return {
    name: "categorical", dims: categories,
    sample(n, seed) {
      checkLabels("categoricalPrior", n, 1);
      const rand = seededRandom(seed);
      const y = new Float32Array(n * categories);
      for (let i = 0; i < n; i++) y[i * categories + Math.floor(rand() * categories)] = 1;
      return tf.tensor2d(y, [n, categories]);
    },
  };
}
