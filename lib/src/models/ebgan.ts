// The energy-based GAN (Zhao, Mathieu & LeCun 2017): the discriminator is an autoencoder, and its
// reconstruction error is an energy — low for images like the data, high elsewhere. The
// discriminator lowers the energy of real images and raises that of generated ones up to a margin m;
// the generator lowers the energy of what it makes:
//   L_D = E(x) + max(0, m − E(G(z))),   L_G = E(G(z)),   E(x) = mean squared reconstruction error,
// each averaged over the batch.
import * as tf from "@tensorflow/tfjs";
import { noiseSeed } from "../random";
import { ebganDiscriminatorLoss } from "../losses/adversarial";
import { Phase } from "../training/train";
import { denseStack, layerVariables } from "./autoencoder";
import { MlpAutoencoder } from "./mlpAutoencoder";

export interface EbganConfig {
  noiseSize: number;
  generatorHidden: number[];
  /** The discriminator autoencoder's hidden widths and code size. */
  discriminatorHidden: number[];
  discriminatorCodeSize: number;
  seed?: number;
}

export interface EbganPhaseOptions {
  /** m: how high the discriminator pushes the energy of generated images (same units as the energy). */
  margin: number;
  learningRates: { discriminator: number; generator: number };
  /** Seed of the noise (step s uses seed + s). */
  seed?: number;
}

export class Ebgan {
  readonly generator: tf.Sequential;
  readonly discriminator: MlpAutoencoder;

  constructor(readonly config: EbganConfig) {
    const seed = config.seed ?? 0;
    this.generator = denseStack([...config.generatorHidden, 784], config.noiseSize, [...config.generatorHidden.map(() => "relu"), "sigmoid"], seed, "ebgan_generator");
    this.discriminator = new MlpAutoencoder({ inputSize: 784, hidden: config.discriminatorHidden, codeSize: config.discriminatorCodeSize, seed: seed + 100 });
  }

  /** n generated images [n, 784] from noise drawn with the seed. */
  sample(n: number, seed?: number): tf.Tensor2D {
    return tf.tidy(() => this.generator.apply(tf.randomNormal([n, this.config.noiseSize], 0, 1, "float32", noiseSeed(seed))) as tf.Tensor2D);
  }

  /** The energy of each image: the discriminator's mean squared reconstruction error, [n]. */
  energy(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.mean(tf.squaredDifference(this.discriminator.reconstruct(x), x), 1) as tf.Tensor1D);
  }

  /** The two phases for ae.training.train({ phases }); each batch's x are the real images. */
  phases(options: EbganPhaseOptions): Phase[] {
    if (!(options.margin > 0)) throw new Error(`Ebgan.phases: the margin must be positive, got ${options.margin}`);
    let step = options.seed ?? 0;
    return [
      {
        name: "discriminator", variables: this.discriminator.variables, optimizer: tf.train.adam(options.learningRates.discriminator, 0.5),
        loss: (b) => {
          const real = this.energy(b.x), fake = this.energy(this.sample(b.x.shape[0], 104729 * ++step));
          return {
            loss: ebganDiscriminatorLoss(real, fake, options.margin),
            terms: { "energy of real images": tf.mean(real) as tf.Scalar, "energy of generated images": tf.mean(fake) as tf.Scalar },
          };
        },
      },
      {
        name: "generator", variables: layerVariables(this.generator), optimizer: tf.train.adam(options.learningRates.generator, 0.5),
        loss: (b) => tf.mean(this.energy(this.sample(b.x.shape[0], 104729 * step + 1))) as tf.Scalar,
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
