// The energy-based GAN (Zhao, Mathieu & LeCun 2017): the discriminator is an autoencoder, and its
// reconstruction error is an energy — low for images like the data, high elsewhere. The
// discriminator lowers the energy of real images and raises that of generated ones up to a margin m;
// the generator lowers the energy of what it makes:
//   L_D = E(x) + max(0, m − E(G(z))),   L_G = E(G(z)) + w·PT,   E(x) = mean squared reconstruction error,
// each averaged over the batch. PT, the pull-away term on the autoencoder's codes of a generated batch,
// is the paper's guard against mode collapse (w = 0 leaves it out).
import * as tf from "@tensorflow/tfjs";
import { noiseSeed } from "../random";
import { ebganDiscriminatorLoss, pullAwayTerm } from "../losses/adversarial";
import { Phase } from "../training/train";
import { batchNormStack, denseStack, layerVariables } from "./autoencoder";
import { MlpAutoencoder } from "./mlpAutoencoder";

export interface EbganConfig {
  noiseSize: number;
  generatorHidden: number[];
  /** The discriminator autoencoder's hidden widths and code size. */
  discriminatorHidden: number[];
  discriminatorCodeSize: number;
  /**
   * "plain" (default): ReLU hidden layers and a sigmoid output. "batchNormTanh": the paper's and 12b's
   * GAN generator, batch norm and leaky ReLU in every hidden layer and a tanh output, mapped to pixels
   * in [0, 1] as (g + 1) / 2 so the discriminator sees real and generated images on one scale.
   */
  generator?: "plain" | "batchNormTanh";
  seed?: number;
}

export interface EbganPhaseOptions {
  /** m: how high the discriminator pushes the energy of generated images (same units as the energy). */
  margin: number;
  learningRates: { discriminator: number; generator: number };
  /** Weight of the pull-away term in the generator's loss (the paper's 0.1); 0 or absent leaves it out. */
  pullAwayWeight?: number;
  /** Seed of the noise (step s uses seed + s). */
  seed?: number;
}

export class Ebgan {
  readonly generator: tf.Sequential;
  readonly discriminator: MlpAutoencoder;

  constructor(readonly config: EbganConfig) {
    const seed = config.seed ?? 0, sizes = [...config.generatorHidden, 784], kind = config.generator ?? "plain";
    if (kind !== "plain" && kind !== "batchNormTanh") throw new Error(`Ebgan: generator must be "plain" or "batchNormTanh", got "${kind}"`);
    this.generator = kind === "batchNormTanh"
      ? batchNormStack(sizes, config.noiseSize, "leakyRelu", "tanh", seed, "ebgan_generator")
      : denseStack(sizes, config.noiseSize, [...config.generatorHidden.map(() => "relu"), "sigmoid"], seed, "ebgan_generator");
    this.discriminator = new MlpAutoencoder({ inputSize: 784, hidden: config.discriminatorHidden, codeSize: config.discriminatorCodeSize, seed: seed + 100 });
  }

  /** Pixels in [0, 1] from noise z; `training` uses batch statistics in batch norm. */
  private generate(z: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const g = this.generator.apply(z, { training }) as tf.Tensor2D;
    return this.config.generator === "batchNormTanh" ? tf.div(tf.add(g, 1), 2) : g;
  }

  private noise(n: number, seed?: number): tf.Tensor2D {
    return tf.randomNormal([n, this.config.noiseSize], 0, 1, "float32", noiseSeed(seed));
  }

  /** n generated images [n, 784] from noise drawn with the seed. */
  sample(n: number, seed?: number): tf.Tensor2D {
    return tf.tidy(() => this.generate(this.noise(n, seed), false));
  }

  /** The energy of each image: the discriminator's mean squared reconstruction error, [n]. */
  energy(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.mean(tf.squaredDifference(this.discriminator.reconstruct(x), x), 1) as tf.Tensor1D);
  }

  /** The mean energy of a set of images, in batches of 1 000 (a number, no tensor left behind). */
  meanEnergy(x: tf.Tensor2D): number {
    let sum = 0;
    for (let i = 0; i < x.shape[0]; i += 1000) {
      sum += tf.tidy(() => tf.sum(this.energy(x.slice([i, 0], [Math.min(1000, x.shape[0] - i), -1]) as tf.Tensor2D)).dataSync()[0]);
    }
    return sum / x.shape[0];
  }

  /**
   * One phase that trains the discriminator alone to reconstruct real images: the warm-up after which
   * the paper sets the margin from the real images' energy.
   */
  warmUpPhase(learningRate: number): Phase {
    return { name: "autoencoder warm-up", variables: this.discriminator.variables, optimizer: tf.train.adam(learningRate, 0.5),
      loss: (b) => tf.mean(this.energy(b.x)) as tf.Scalar };
  }

  /** The two phases for ae.training.train({ phases }); each batch's x are the real images. */
  phases(options: EbganPhaseOptions): Phase[] {
    if (!(options.margin > 0)) throw new Error(`Ebgan.phases: the margin must be positive, got ${options.margin}`);
    const pullAway = options.pullAwayWeight ?? 0;
    if (!(pullAway >= 0)) throw new Error(`Ebgan.phases: pullAwayWeight must be 0 or more (the paper uses 0.1), got ${pullAway}`);
    let step = options.seed ?? 0;
    return [
      {
        name: "discriminator", variables: this.discriminator.variables, optimizer: tf.train.adam(options.learningRates.discriminator, 0.5),
        loss: (b) => {
          const real = this.energy(b.x), fake = this.energy(this.generate(this.noise(b.x.shape[0], 104729 * ++step), true));
          return {
            loss: ebganDiscriminatorLoss(real, fake, options.margin),
            terms: { "energy of real images": tf.mean(real) as tf.Scalar, "energy of generated images": tf.mean(fake) as tf.Scalar },
          };
        },
      },
      {
        name: "generator", variables: layerVariables(this.generator), optimizer: tf.train.adam(options.learningRates.generator, 0.5),
        loss: (b) => {
          const fake = this.generate(this.noise(b.x.shape[0], 104729 * step + 1), true), energy = tf.mean(this.energy(fake)) as tf.Scalar;
          if (pullAway === 0) return energy;
          const pt = pullAwayTerm(this.discriminator.encode(fake));
          return { loss: tf.add(energy, tf.mul(pullAway, pt)) as tf.Scalar, terms: { "pull-away term": pt } };
        },
      },
    ];
  }

  get variables(): tf.Variable[] {
    return [...layerVariables(this.generator), ...this.discriminator.variables];
  }

  dispose(): void {
    this.generator.dispose();
    this.discriminator.dispose();
  }
}
