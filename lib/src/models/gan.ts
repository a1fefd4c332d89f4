// A generative adversarial network (Goodfellow et al. 2014) of two dense networks: a generator
// G(noise) → sample and a discriminator D(sample) → logit. Training alternates two phases per batch
// of real samples: D learns to tell real from G's fakes, then G learns to fool D.
import * as tf from "@tensorflow/tfjs";
import { noiseSeed } from "../random";
import { discriminatorAccuracy, discriminatorLoss, generatorLoss, minimaxGeneratorLoss } from "../losses/adversarial";
import { Phase } from "../training/train";
import { denseStack, layerVariables } from "./autoencoder";

export interface GanConfig {
  noiseSize: number;
  outputSize: number;
  generatorHidden: number[];
  discriminatorHidden: number[];
  /** "sigmoid" for pixels in [0, 1]; "linear" for points anywhere (default). */
  outputActivation?: "linear" | "sigmoid";
  /** Activation of every hidden layer of both networks (default "relu"; "leakyRelu" has slope 0.2 below 0). */
  hiddenActivation?: "relu" | "leakyRelu";
  seed?: number;
}

export interface GanPhaseOptions {
  learningRates: { discriminator: number; generator: number };
  /** The generator's loss: "non-saturating" (default, −log D(G(z))) or "minimax" (log(1 − D(G(z)))). */
  generatorObjective?: "non-saturating" | "minimax";
  /** Seed of the noise (step s uses seed + s). */
  seed?: number;
}

export class Gan {
  readonly generator: tf.Sequential;
  readonly discriminator: tf.Sequential;

  constructor(readonly config: GanConfig) {
    const { noiseSize, outputSize, generatorHidden, discriminatorHidden } = config;
    for (const [what, n] of [["noiseSize", noiseSize], ["outputSize", outputSize]] as [string, number][]) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`Gan: ${what} must be a positive integer, got ${n}`);
    }
    const seed = config.seed ?? 0, hidden = (h: number[]) => h.map(() => config.hiddenActivation ?? "relu");
    this.generator = denseStack([...generatorHidden, outputSize], noiseSize, [...hidden(generatorHidden), config.outputActivation ?? "linear"], seed, "gan_generator");
    this.discriminator = denseStack([...discriminatorHidden, 1], outputSize, [...hidden(discriminatorHidden), "linear"], seed + 100, "gan_discriminator");
  }

  /** n samples G(z) with z ~ N(0, I) drawn from the seed: [n, outputSize]. */
  sample(n: number, seed?: number): tf.Tensor2D {
    return tf.tidy(() => this.generator.apply(tf.randomNormal([n, this.config.noiseSize], 0, 1, "float32", noiseSeed(seed))) as tf.Tensor2D);
  }

  /** D's logit for each sample: [n, 1]. */
  discriminate(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.config.outputSize) throw new Error(`Gan.discriminate: samples have shape [${x.shape}], expected [n, ${this.config.outputSize}]`);
    return tf.tidy(() => this.discriminator.apply(x) as tf.Tensor2D);
  }

  /** The two phases for ae.training.train({ phases }); each batch's x are the real samples. */
  phases(options: GanPhaseOptions): Phase[] {
    let step = options.seed ?? 0;
    const objective = options.generatorObjective ?? "non-saturating";
    if (objective !== "non-saturating" && objective !== "minimax") throw new Error(`Gan.phases: generatorObjective must be "non-saturating" or "minimax", got "${objective}"`);
    const gLoss = objective === "minimax" ? minimaxGeneratorLoss : generatorLoss;
    return [
      {
        name: "discriminator", variables: layerVariables(this.discriminator), optimizer: tf.train.adam(options.learningRates.discriminator, 0.5),
        loss: (b) => {
          const real = this.discriminator.apply(b.x) as tf.Tensor2D;
          const fake = this.discriminator.apply(this.sample(b.x.shape[0], 104729 * ++step)) as tf.Tensor2D;
          return { loss: discriminatorLoss(real, fake), terms: { "discriminator accuracy": discriminatorAccuracy(real, fake) } };
        },
      },
      {
        name: "generator", variables: layerVariables(this.generator), optimizer: tf.train.adam(options.learningRates.generator, 0.5),
        loss: (b) => gLoss(this.discriminator.apply(this.generator.apply(tf.randomNormal([b.x.shape[0], this.config.noiseSize], 0, 1, "float32", 104729 * step + 1))) as tf.Tensor2D),
      },
    ];
  }

  get variables(): tf.Variable[] {
    return layerVariables(this.generator, this.discriminator);
  }

  dispose(): void {
    this.generator.dispose();
    this.discriminator.dispose();
  }
}
