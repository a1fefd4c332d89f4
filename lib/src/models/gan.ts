// A generative adversarial network (Goodfellow et al. 2014) of two dense networks: a generator
// G(noise) → sample and a discriminator D(sample) → logit. Training alternates two phases per batch
// of real samples: D learns to tell real from G's fakes, then G learns to fool D.
import * as tf from "@tensorflow/tfjs";
import { noiseSeed } from "../random";
import { discriminatorAccuracy, discriminatorLoss, generatorLoss, minimaxGeneratorLoss } from "../losses/adversarial";
import { Phase } from "../training/train";
import { batchNormStack, denseStack, layerVariables } from "./autoencoder";

export interface GanConfig {
  noiseSize: number;
  outputSize: number;
  generatorHidden: number[];
  discriminatorHidden: number[];
  /**
   * "linear" for points anywhere (default); "sigmoid" for pixels in [0, 1]; "tanh" for pixels too, the
   * DCGAN recipe: the generator works in [−1, 1], real images are shown to the discriminator as 2x − 1,
   * and `sample` maps back to [0, 1], so callers only ever see pixels in [0, 1].
   */
  outputActivation?: "linear" | "sigmoid" | "tanh";
  /** Activation of every hidden layer of both networks (default "relu"; "leakyRelu" has slope 0.2 below 0). */
  hiddenActivation?: "relu" | "leakyRelu";
  /** Batch normalisation after every hidden layer of the generator (DCGAN; default false). */
  generatorBatchNorm?: boolean;
  seed?: number;
}

export interface GanPhaseOptions {
  learningRates: { discriminator: number; generator: number };
  /** The generator's loss: "non-saturating" (default, −log D(G(z))) or "minimax" (log(1 − D(G(z)))). */
  generatorObjective?: "non-saturating" | "minimax";
  /**
   * Keep an exponential moving average of the generator's weights with this decay (e.g. 0.999), updated
   * after every generator step; `sample` then draws from it. Averaging smooths the oscillation of
   * adversarial training (Yazıcı et al. 2019); the live generator still trains against D.
   */
  generatorAverage?: number;
  /** Target of real samples in the discriminator's loss: 1 (default), or 0.9 for one-sided label smoothing. */
  realLabel?: number;
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
    this.buildGenerator = (name) => config.generatorBatchNorm
      ? batchNormStack([...generatorHidden, outputSize], noiseSize, config.hiddenActivation ?? "relu", config.outputActivation ?? "linear", seed, name)
      : denseStack([...generatorHidden, outputSize], noiseSize, [...hidden(generatorHidden), config.outputActivation ?? "linear"], seed, name);
    this.generator = this.buildGenerator("gan_generator");
    this.discriminator = denseStack([...discriminatorHidden, 1], outputSize, [...hidden(discriminatorHidden), "linear"], seed + 100, "gan_discriminator");
  }

  private readonly buildGenerator: (name: string) => tf.Sequential;
  /** A running average of the generator's weights, kept when phases({ generatorAverage }) asks for it. */
  private averagedGenerator?: tf.Sequential;

  /**
   * n samples G(z) with z ~ N(0, I) drawn from the seed: [n, outputSize] (pixels in [0, 1] with a tanh
   * output). From the averaged generator when training kept one, unless `generator` is "live".
   */
  sample(n: number, seed?: number, generator: "averaged" | "live" = "averaged"): tf.Tensor2D {
    return tf.tidy(() => {
      const net = generator === "averaged" && this.averagedGenerator ? this.averagedGenerator : this.generator;
      const g = net.apply(tf.randomNormal([n, this.config.noiseSize], 0, 1, "float32", noiseSeed(seed)), { training: false }) as tf.Tensor2D;
      return this.tanhPixels ? tf.div(tf.add(g, 1), 2) : g;
    });
  }

  /** Moves every weight of the averaged generator (batch-norm statistics included) towards the live one. */
  private updateAverage(decay: number): void {
    const live = this.generator.weights, averaged = this.averagedGenerator!.weights;
    tf.tidy(() => live.forEach((w, i) => {
      const a = averaged[i] as unknown as { read(): tf.Tensor; write(t: tf.Tensor): void };
      a.write(tf.add(tf.mul(decay, a.read()), tf.mul(1 - decay, w.read())));
    }));
  }

  private get tanhPixels(): boolean {
    return this.config.outputActivation === "tanh";
  }

  /** The generator's raw output (in [−1, 1] with tanh); `training` uses batch statistics in batch norm. */
  private generate(z: tf.Tensor2D, training: boolean): tf.Tensor2D {
    return this.generator.apply(z, { training }) as tf.Tensor2D;
  }

  /** D's logit for each sample: [n, 1] (pixels in [0, 1] with a tanh output, as `sample` returns them). */
  discriminate(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.config.outputSize) throw new Error(`Gan.discriminate: samples have shape [${x.shape}], expected [n, ${this.config.outputSize}]`);
    return tf.tidy(() => this.discriminator.apply(this.discriminatorScale(x)) as tf.Tensor2D);
  }

  /** What D sees: 2x − 1 with a tanh output (the generator's own scale), x otherwise. */
  private discriminatorScale(x: tf.Tensor2D): tf.Tensor2D {
    return this.tanhPixels ? tf.sub(tf.mul(x, 2), 1) as tf.Tensor2D : x;
  }

  /** The two phases for ae.training.train({ phases }); each batch's x are the real samples. */
  phases(options: GanPhaseOptions): Phase[] {
    let step = options.seed ?? 0;
    const objective = options.generatorObjective ?? "non-saturating";
    if (objective !== "non-saturating" && objective !== "minimax") throw new Error(`Gan.phases: generatorObjective must be "non-saturating" or "minimax", got "${objective}"`);
    const gLoss = objective === "minimax" ? minimaxGeneratorLoss : generatorLoss;
    const realLabel = options.realLabel ?? 1;
    if (!(realLabel > 0.5 && realLabel <= 1)) throw new Error(`Gan.phases: realLabel must be in (0.5, 1] (1 = no smoothing, 0.9 = one-sided smoothing), got ${realLabel}`);
    const average = options.generatorAverage;
    if (average !== undefined) {
      if (!(average > 0 && average < 1)) throw new Error(`Gan.phases: generatorAverage must be in (0, 1), e.g. 0.999, got ${average}`);
      this.averagedGenerator?.dispose();
      this.averagedGenerator = this.buildGenerator("gan_generator_average");
      this.averagedGenerator.setWeights(this.generator.getWeights());
    } else {
      // New phases without an average: an average from earlier phases would no longer follow the generator.
      this.averagedGenerator?.dispose();
      this.averagedGenerator = undefined;
    }
    const noise = (n: number, seed: number) => tf.randomNormal([n, this.config.noiseSize], 0, 1, "float32", seed) as tf.Tensor2D;
    return [
      {
        name: "discriminator", variables: layerVariables(this.discriminator), optimizer: tf.train.adam(options.learningRates.discriminator, 0.5),
        loss: (b) => {
          const realLogits = this.discriminator.apply(this.discriminatorScale(b.x)) as tf.Tensor2D;
          const fakeLogits = this.discriminator.apply(this.generate(noise(b.x.shape[0], 104729 * ++step), true)) as tf.Tensor2D;
          return { loss: discriminatorLoss(realLogits, fakeLogits, realLabel), terms: { "discriminator accuracy": discriminatorAccuracy(realLogits, fakeLogits) } };
        },
      },
      {
        name: "generator", variables: layerVariables(this.generator), optimizer: tf.train.adam(options.learningRates.generator, 0.5),
        loss: (b) => {
          // The average follows the weights of the step before this one (the loss runs before its own step).
          if (average !== undefined) this.updateAverage(average);
          return gLoss(this.discriminator.apply(this.generate(noise(b.x.shape[0], 104729 * step + 1), true)) as tf.Tensor2D);
        },
      },
    ];
  }

  get variables(): tf.Variable[] {
    return layerVariables(this.generator, this.discriminator);
  }

  dispose(): void {
    this.generator.dispose();
    this.discriminator.dispose();
    this.averagedGenerator?.dispose();
  }
}
