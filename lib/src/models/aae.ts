// The adversarial autoencoder (Makhzani et al. 2015): a deterministic autoencoder whose codes are
// pushed towards a chosen prior by a discriminator instead of a KL term, so any prior we can sample
// from will do. Training alternates three phases on every batch:
//   1. reconstruction: encoder + decoder minimise the reconstruction error;
//   2. discriminator: tells prior samples ("real") from codes of the batch ("fake");
//   3. generator: the encoder changes its codes so that the discriminator takes them for prior samples.
// Optionally the encoder also has a categorical head (softmax over `categories`) matched to a
// one-hot prior by a second discriminator: unsupervised clustering, or semi-supervised
// classification when a fourth phase trains that head on a few labelled images.
import * as tf from "@tensorflow/tfjs";
import { Batch } from "../data/dataset";
import { oneHot } from "../data/labels";
import { binaryCrossEntropyFromLogits } from "../losses/binaryCrossEntropy";
import { discriminatorAccuracy, discriminatorLoss, generatorLoss } from "../losses/adversarial";
import { clusterBalanceLoss } from "../losses/clusterBalance";
import { sameClusterLoss } from "../losses/sameCluster";
import { AffineRanges, randomAffine } from "../data/augment";
import { virtualAdversarialLoss } from "../losses/virtualAdversarial";
import { Phase } from "../training/train";
import { denseStack, layerVariables } from "./autoencoder";
import { categoricalPrior, Prior } from "./priors";

export interface AaeConfig {
  inputSize: number;
  /** Hidden widths of the encoder; the decoder mirrors them. */
  hidden: number[];
  /** Size of the continuous ("style") code matched to the prior. */
  codeSize: number;
  /** Hidden widths of each discriminator. */
  discriminatorHidden: number[];
  /** Activation of the discriminators' hidden layers (default "relu"). */
  discriminatorActivation?: "relu" | "elu" | "tanh";
  /** Label-conditioned prior: one-hot labels of this many classes go to the code discriminator too. */
  labelClasses?: number;
  /** A categorical code of this many categories beside the style code (clustering, semi-supervision). */
  categories?: number;
  seed?: number;
}

export interface AaeLearningRates {
  reconstruction: number;
  discriminator: number;
  generator: number;
  /** Semi-supervised phase (categorical head on labelled images). */
  classification?: number;
}

export interface AaePhaseOptions {
  prior: Prior;
  learningRates: AaeLearningRates;
  /** Seed of the prior samples (step s uses seed + s). */
  seed?: number;
  /** Semi-supervision: an endless source of labelled batches for a fourth phase (the caller's data). */
  labelled?: Iterator<Batch>;
  /**
   * Categorical code only: weight of the batch-balance term (clusterBalanceLoss, −I(x; y) on the
   * batch) added to the generator phase, against collapse onto a few clusters. Default 0 (off).
   */
  balance?: number;
  /**
   * Categorical code only: a fifth phase that trains the categorical head as IMSAT does (Hu et al.
   * 2017): virtual adversarial consistency (the cluster of an image should not change under the small
   * perturbation that changes it most) plus the balance term with the marginal weighted μ; optionally
   * also the same cluster for a randomly deformed copy of each image.
   */
  consistency?: ConsistencyOptions;
  /**
   * Instance noise (Sønderby et al. 2017): Gaussian noise of standard deviation σ added to the prior
   * samples and to the codes that the code discriminator sees, σ falling linearly from `std` at the
   * first step to 0 after `steps` steps. Early on the two blurred distributions overlap, so the
   * discriminator cannot become certain and its gradient keeps pointing somewhere useful; the game ends
   * on the clean codes.
   */
  instanceNoise?: { std: number; steps: number };
}

export interface ConsistencyOptions {
  /**
   * The VAT radius: one number, or one per training image, looked up by the batch's indices (IMSAT:
   * 0.25 × the distance to the 10th nearest training image: losses.adaptiveRadius).
   */
  radius: number | ArrayLike<number>;
  /** Weight of the balance term mean H(q) − μ·H(mean q) in this phase (default 0.3, IMSAT's 4 for μ). */
  balance?: number;
  marginalWeight?: number;
  learningRate?: number;
  /**
   * Optimiser steps of this phase per batch (default 1), each with its own perturbations: the
   * categorical head needs more updates than the autoencoder gets in a short run.
   */
  stepsPerBatch?: number;
  /** VAT's finite-difference step (default 0.1; IMSAT uses 10, which with its radius is a larger first probe). */
  xi?: number;
  /**
   * Also ask each image and a randomly deformed copy of it (data.randomAffine) to share a cluster:
   * weight × sameClusterLoss. VAT's perturbations are tiny and pixel-wise; a slant or a shift of two
   * pixels is far away in pixels but the same digit. Off when absent.
   */
  augmentation?: AffineRanges & { imageShape: [number, number]; weight?: number };
}

export class AdversarialAutoencoder {
  readonly encoder: tf.Sequential;
  readonly decoder: tf.Sequential;
  readonly codeDiscriminator: tf.Sequential;
  readonly categoryDiscriminator?: tf.Sequential;
  /** The optimisers phases() made (disposed with the model). */
  private readonly optimizers: tf.Optimizer[] = [];

  constructor(readonly config: AaeConfig) {
    const { inputSize, hidden, codeSize, discriminatorHidden } = config;
    for (const [what, n] of [["inputSize", inputSize], ["codeSize", codeSize], ["categories", config.categories ?? 1], ["labelClasses", config.labelClasses ?? 1]] as [string, number][]) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`AdversarialAutoencoder: ${what} must be a positive integer, got ${n}`);
    }
    const seed = config.seed ?? 0;
    const k = this.categories, relu = (n: number[]) => n.map(() => "relu"), elu = (n: number[]) => n.map(() => config.discriminatorActivation ?? "relu");
    this.encoder = denseStack([...hidden, codeSize + k], inputSize, [...relu(hidden), "linear"], seed, "aae_encoder");
    const back = [...hidden].reverse();
    this.decoder = denseStack([...back, inputSize], codeSize + k, [...relu(back), "linear"], seed + 100, "aae_decoder");
    this.codeDiscriminator = denseStack([...discriminatorHidden, 1], codeSize + (config.labelClasses ?? 0), [...elu(discriminatorHidden), "linear"], seed + 200, "aae_code_discriminator");
    if (k) this.categoryDiscriminator = denseStack([...discriminatorHidden, 1], k, [...elu(discriminatorHidden), "linear"], seed + 300, "aae_category_discriminator");
  }

  get categories(): number { return this.config.categories ?? 0; }

  private check(x: tf.Tensor): void {
    if (x.rank !== 2 || x.shape[1] !== this.config.inputSize) {
      throw new Error(`AdversarialAutoencoder: input has shape [${x.shape}], expected [batch, ${this.config.inputSize}] (flattened images)`);
    }
  }

  /** The style code and (with categories) the category logits of each image. */
  private encodeParts(x: tf.Tensor2D): { code: tf.Tensor2D; logits?: tf.Tensor2D } {
    this.check(x);
    const out = this.encoder.apply(x) as tf.Tensor2D;
    if (!this.categories) return { code: out };
    const [code, logits] = tf.split(out, [this.config.codeSize, this.categories], 1) as [tf.Tensor2D, tf.Tensor2D];
    return { code, logits };
  }

  /** The continuous code of each image: [batch, codeSize]. */
  encode(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.encodeParts(x).code);
  }

  /** q(y|x) of the categorical head: [batch, categories]. */
  categoryProbs(x: tf.Tensor2D): tf.Tensor2D {
    if (!this.categories) throw new Error("AdversarialAutoencoder.categoryProbs: this AAE has no categorical code; build it with `categories`");
    return tf.tidy(() => tf.softmax(this.encodeParts(x).logits!));
  }

  /** The most probable category of each image. */
  predict(x: tf.Tensor2D): Int32Array {
    const p = tf.tidy(() => tf.argMax(this.categoryProbs(x), 1));
    const out = Int32Array.from(p.dataSync());
    p.dispose();
    return out;
  }

  /** Pixel means from codes (and, with categories, category rows: one-hot or probabilities). */
  decode(code: tf.Tensor2D, category?: tf.Tensor2D): tf.Tensor2D {
    if (!!this.categories !== !!category) throw new Error(`AdversarialAutoencoder.decode: ${this.categories ? `pass category rows [batch, ${this.categories}] with the codes` : "this AAE has no categorical code; pass codes only"}`);
    return tf.tidy(() => tf.sigmoid(this.decoder.apply(category ? tf.concat([code, category], 1) : code) as tf.Tensor2D));
  }

  private decodeLogitsOf(x: tf.Tensor2D): tf.Tensor2D {
    const { code, logits } = this.encodeParts(x);
    return this.decoder.apply(logits ? tf.concat([code, tf.softmax(logits)], 1) : code) as tf.Tensor2D;
  }

  reconstruct(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.sigmoid(this.decodeLogitsOf(x)));
  }

  /** Mean binary cross-entropy per pixel of the reconstructions (grey targets in [0, 1]). */
  reconstructionLoss(x: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => binaryCrossEntropyFromLogits(this.decodeLogitsOf(x), x));
  }

  private codeInput(code: tf.Tensor2D, labels?: ArrayLike<number>): tf.Tensor2D {
    const c = this.config.labelClasses;
    if (!c) return code;
    if (!labels) throw new Error("AdversarialAutoencoder: this AAE has a label-conditioned prior; the batch needs labels");
    return tf.concat([code, oneHot(labels, c)], 1);
  }

  /** The alternating phases for ae.training.train({ phases }), each with its own Adam optimiser (freed by dispose()). */
  phases(options: AaePhaseOptions): Phase[] {
    const { prior, learningRates: lr } = options;
    if (prior.dims !== this.config.codeSize) throw new Error(`AdversarialAutoencoder.phases: the prior "${prior.name}" has ${prior.dims} dimensions but the code has ${this.config.codeSize}`);
    let step = options.seed ?? 0;
    const k = this.categories;
    const categorical = k ? categoricalPrior(k) : undefined;
    const balance = options.balance ?? 0;
    if (!(balance >= 0)) throw new Error(`AdversarialAutoencoder.phases: balance must be a weight ≥ 0, got ${options.balance}`);
    if (balance && !k) throw new Error("AdversarialAutoencoder.phases: balance needs a categorical code; build the AAE with `categories`");
    const steps = options.consistency?.stepsPerBatch ?? 1;
    if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`AdversarialAutoencoder.phases: consistency.stepsPerBatch must be a whole number ≥ 1, got ${steps}`);
    if (options.labelled && !k) throw new Error("AdversarialAutoencoder.phases: semi-supervision needs a categorical code; build the AAE with `categories`");
    // Every check comes before the first optimiser exists, so a refusal leaves no tensors behind.
    const consistency = options.consistency ? this.consistencyPhase(options.consistency, options.seed ?? 0) : undefined;
    const ae = [...layerVariables(this.encoder, this.decoder)];
    const discriminators = layerVariables(...[this.codeDiscriminator, this.categoryDiscriminator].filter((d): d is tf.Sequential => !!d));
    const labelsFor = (b: Batch) => (this.config.labelClasses ? b.labels : undefined);
    const noise = options.instanceNoise;
    if (noise && !(noise.std >= 0 && noise.steps >= 1)) throw new Error(`AdversarialAutoencoder.phases: instanceNoise needs std ≥ 0 and steps ≥ 1, got ${JSON.stringify(noise)}`);
    let noiseStep = -1;  // the current step, counted from 0 by the discriminator phase; its generator phase shares it
    // What the code discriminator sees: the code, blurred by the instance noise of this step (when asked for).
    const blurred = (code: tf.Tensor2D, seed: number) => {
      const std = noise ? noise.std * Math.max(0, 1 - noiseStep / noise.steps) : 0;
      return std > 0 ? tf.add(code, tf.randomNormal(code.shape, 0, std, "float32", seed)) as tf.Tensor2D : code;
    };
    const phases: Phase[] = [
      { name: "reconstruction", variables: ae, optimizer: this.adam(lr.reconstruction), loss: (b) => this.reconstructionLoss(b.x) },
      {
        name: "discriminator", variables: discriminators, optimizer: this.adam(lr.discriminator, 0.5),
        loss: (b) => {
          const n = b.x.shape[0];
          const { code, logits } = this.encodeParts(b.x);
          const realCode = prior.sample(n, 7919 * ++step, labelsFor(b));
          noiseStep++;
          let real = this.codeDiscriminator.apply(this.codeInput(blurred(realCode, 7919 * step + 2), labelsFor(b))) as tf.Tensor2D;
          let fake = this.codeDiscriminator.apply(this.codeInput(blurred(code, 7919 * step + 3), labelsFor(b))) as tf.Tensor2D;
          let loss = discriminatorLoss(real, fake);
          if (categorical) {
            const realY = this.categoryDiscriminator!.apply(categorical.sample(n, 7919 * step + 1)) as tf.Tensor2D;
            const fakeY = this.categoryDiscriminator!.apply(tf.softmax(logits!)) as tf.Tensor2D;
            loss = tf.add(loss, discriminatorLoss(realY, fakeY));
            real = tf.concat([real, realY], 0);
            fake = tf.concat([fake, fakeY], 0);
          }
          return { loss, terms: { "discriminator accuracy": discriminatorAccuracy(real, fake) } };
        },
      },
      {
        name: "generator", variables: layerVariables(this.encoder), optimizer: this.adam(lr.generator, 0.5),
        loss: (b) => {
          const { code, logits } = this.encodeParts(b.x);
          const g = generatorLoss(this.codeDiscriminator.apply(this.codeInput(blurred(code, 7919 * step + 4), labelsFor(b))) as tf.Tensor2D);
          if (!categorical) return g;
          const gy = tf.add(g, generatorLoss(this.categoryDiscriminator!.apply(tf.softmax(logits!)) as tf.Tensor2D)) as tf.Scalar;
          return balance ? tf.add(gy, tf.mul(balance, clusterBalanceLoss(logits!))) as tf.Scalar : gy;
        },
      },
    ];
    if (consistency) {
      for (let i = 0; i < steps; i++) phases.push(i ? { ...consistency, name: `consistency, step ${i + 1}` } : consistency);
    }
    if (options.labelled) {
      const source = options.labelled;
      phases.push({
        name: "classification", variables: layerVariables(this.encoder), optimizer: this.adam(lr.classification ?? lr.reconstruction),
        // The labelled batch is made inside the step, so the step's scope disposes it after the gradients.
        loss: () => {
          const l = source.next().value as Batch;
          return tf.losses.softmaxCrossEntropy(oneHot(l.labels, k), this.encodeParts(l.x).logits!) as tf.Scalar;
        },
      });
    }
    return phases;
  }

  private consistencyPhase(options: ConsistencyOptions, seed: number): Phase {
    const k = this.categories;
    if (!k) throw new Error("AdversarialAutoencoder.phases: consistency needs a categorical code; build the AAE with `categories`");
    const { radius, balance = 0.3, marginalWeight = 4, augmentation } = options;
    const sameWeight = augmentation?.weight ?? 1;
    if (augmentation) {
      const [h, w] = augmentation.imageShape ?? [];
      if (h * w !== this.config.inputSize) throw new Error(`AdversarialAutoencoder.phases: consistency.augmentation.imageShape [${augmentation.imageShape}] does not make the ${this.config.inputSize} inputs; give [height, width] of the images`);
      if (!(sameWeight >= 0)) throw new Error(`AdversarialAutoencoder.phases: consistency.augmentation.weight must be ≥ 0, got ${augmentation.weight}`);
    }
    const perImage = typeof radius !== "number";
    if (perImage ? !Array.from(radius).every((r) => r > 0) : !(radius > 0)) throw new Error("AdversarialAutoencoder.phases: consistency.radius must be positive (one number, or one per training image)");
    const logitsOf = (x: tf.Tensor2D) => this.encodeParts(x).logits!;
    let step = seed;
    return {
      name: "consistency", variables: layerVariables(this.encoder), optimizer: this.adam(options.learningRate ?? 1e-3),
      loss: (b) => {
        if (perImage && b.indices.some((i) => i >= radius.length)) throw new Error(`AdversarialAutoencoder: consistency.radius has ${radius.length} entries but the batch has image ${Math.max(...b.indices)}; give one radius per training image`);
        const stepSeed = 104729 + step++;
        return tf.tidy(() => {
          const r = perImage ? tf.tensor2d(Float32Array.from(b.indices, (i) => radius[i]), [b.x.shape[0], 1]) : radius;
          const logits = logitsOf(b.x);
          const vat = virtualAdversarialLoss(logitsOf, b.x, { radius: r, seed: stepSeed, logits, xi: options.xi });
          const bal = clusterBalanceLoss(logits, marginalWeight);
          const terms: Record<string, tf.Scalar> = { VAT: vat, balance: bal };
          let loss = tf.add(vat, tf.mul(balance, bal)) as tf.Scalar;
          if (augmentation) {
            terms["same cluster"] = sameClusterLoss(logits, logitsOf(randomAffine(b.x, augmentation.imageShape, stepSeed, augmentation)));
            loss = tf.add(loss, tf.mul(sameWeight, terms["same cluster"])) as tf.Scalar;
          }
          return { loss, terms };
        });
      },
    };
  }

  get variables(): tf.Variable[] {
    return layerVariables(...[this.encoder, this.decoder, this.codeDiscriminator, this.categoryDiscriminator].filter((d): d is tf.Sequential => !!d));
  }

  /** An Adam optimiser for a phase, kept so that dispose() frees its moments with the weights they belong to. */
  private adam(learningRate: number, beta1?: number): tf.Optimizer {
    const optimizer = tf.train.adam(learningRate, beta1);
    this.optimizers.push(optimizer);
    return optimizer;
  }

  dispose(): void {
    this.optimizers.splice(0).forEach((o) => o.dispose());
    [this.encoder, this.decoder, this.codeDiscriminator, this.categoryDiscriminator].forEach((m) => m?.dispose());
  }
}
