// The variational autoencoder (Kingma & Welling 2014): an encoder that gives the mean and
// log-variance of a diagonal Gaussian q(z|x), the reparameterised sample z = μ + σ·ε, and a decoder
// p(x|z) that is either Bernoulli (pixel logits) or Gaussian (pixel means, fixed or learned variance).
import * as tf from "@tensorflow/tfjs";
import { Autoencoder, denseStack, layerVariables } from "./autoencoder";
import { gaussianLogDensity } from "../losses/kl";
import { binaryCrossEntropyElementwise } from "../losses/binaryCrossEntropy";
import { noiseSeed } from "../random";

export type DecoderLikelihood = "bernoulli" | "gaussian";
const LIKELIHOODS: DecoderLikelihood[] = ["bernoulli", "gaussian"];

export interface VaeConfig {
  inputSize: number;
  /** Hidden widths of the encoder; the decoder mirrors them. */
  hidden: number[];
  latentSize: number;
  /** p(x|z): "bernoulli" (binary pixels, logits) or "gaussian" (grey pixels, sigmoid means). */
  likelihood?: DecoderLikelihood;
  /** Gaussian decoder only: a fixed pixel variance, or "learned" (one log-variance per pixel). Default 1. */
  gaussianVariance?: number | "learned";
  /** Gaussian decoder only: pixel means through a sigmoid (images in [0, 1], the default) or unbounded ("identity", e.g. for codes). */
  gaussianMean?: "sigmoid" | "identity";
  activation?: "relu" | "elu" | "tanh";
  /** A conditional VAE (CVAE): the size of a condition (e.g. a one-hot label) fed to both networks. */
  conditionSize?: number;
  seed?: number;
}

export interface Posterior {
  mean: tf.Tensor2D;
  logVar: tf.Tensor2D;
}

/** z = μ + exp(½ log σ²) · ε with ε ~ N(0, I): the sample is a differentiable function of μ and log σ². */
export function reparameterize(mean: tf.Tensor2D, logVar: tf.Tensor2D, seed?: number): tf.Tensor2D {
  if (mean.shape.join() !== logVar.shape.join()) {
    throw new Error(`reparameterize: mean has shape [${mean.shape}] but logVar has [${logVar.shape}]; they must match`);
  }
  return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), tf.randomNormal(mean.shape, 0, 1, "float32", noiseSeed(seed)))));
}

export class VariationalAutoencoder implements Autoencoder {
  readonly encoder: tf.Sequential;
  readonly decoder: tf.Sequential;
  readonly likelihood: DecoderLikelihood;
  /** Gaussian decoder: log σ² per pixel (a variable when learned). */
  readonly decoderLogVar?: tf.Variable | tf.Tensor1D;

  constructor(readonly config: VaeConfig) {
    const { inputSize, hidden, latentSize } = config;
    this.likelihood = config.likelihood ?? "bernoulli";
    if (!LIKELIHOODS.includes(this.likelihood)) {
      throw new Error(`VariationalAutoencoder: unknown likelihood "${config.likelihood}"; pass "bernoulli" (binary pixels) or "gaussian" (grey pixels)`);
    }
    for (const [what, n] of [["inputSize", inputSize], ["latentSize", latentSize], ...hidden.map((h, i) => [`hidden[${i}]`, h])] as [string, number][]) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`VariationalAutoencoder: ${what} must be a positive integer, got ${n}`);
    }
    const act = config.activation ?? "relu";
    const seed = config.seed ?? 0;
    const c = this.conditionSize;
    if (!Number.isInteger(c) || c < 0) throw new Error(`VariationalAutoencoder: conditionSize must be a whole number ≥ 0, got ${config.conditionSize}`);
    // The encoder's last layer gives [μ, log σ²] side by side; encode() splits them. A condition is
    // concatenated to the input of the encoder and to the code given to the decoder.
    this.encoder = denseStack([...hidden, 2 * latentSize], inputSize + c, [...hidden.map(() => act), "linear"], seed, "vae_encoder");
    const back = [...hidden].reverse();
    this.decoder = denseStack([...back, inputSize], latentSize + c, [...back.map(() => act), "linear"], seed + 100, "vae_decoder");
    if (this.likelihood === "gaussian") {
      const v = config.gaussianVariance ?? 1;
      if (v !== "learned" && !(typeof v === "number" && v > 0)) throw new Error(`VariationalAutoencoder: gaussianVariance must be a positive number or "learned", got ${v}`);
      if (![undefined, "sigmoid", "identity"].includes(config.gaussianMean)) throw new Error(`VariationalAutoencoder: gaussianMean must be "sigmoid" or "identity", got ${config.gaussianMean}`);
      this.decoderLogVar = v === "learned" ? tf.variable(tf.zeros([inputSize]), true, `vae_decoder_logvar_${seed}_${Date.now()}`) : tf.fill([inputSize], Math.log(v)) as tf.Tensor1D;
    }
  }

  get latentSize(): number { return this.config.latentSize; }
  get conditionSize(): number { return this.config.conditionSize ?? 0; }

  /** t with the condition appended (a CVAE), after checking that one is given exactly when needed. */
  private withCondition(t: tf.Tensor2D, condition: tf.Tensor2D | undefined, what: string): tf.Tensor2D {
    const c = this.conditionSize;
    if (!c) {
      if (condition) throw new Error(`VariationalAutoencoder: this VAE is not conditional, but a condition was passed to ${what}; build it with conditionSize`);
      return t;
    }
    if (!condition) throw new Error(`VariationalAutoencoder: this VAE is conditional: pass ${what} a condition of shape [batch, ${c}] (e.g. ae.data.oneHot(labels, ${c}))`);
    if (condition.rank !== 2 || condition.shape[1] !== c || condition.shape[0] !== t.shape[0]) {
      throw new Error(`VariationalAutoencoder: the condition has shape [${condition.shape}], expected [${t.shape[0]}, ${c}] (one row per image)`);
    }
    return tf.concat([t, condition], 1);
  }

  get variables(): tf.Variable[] {
    const own = this.decoderLogVar instanceof tf.Variable ? [this.decoderLogVar] : [];
    return [...layerVariables(this.encoder, this.decoder), ...own];
  }

  private check(t: tf.Tensor, size: number, what: string, pass: string): void {
    if (t.rank !== 2 || t.shape[1] !== size) {
      throw new Error(`VariationalAutoencoder: ${what} has shape [${t.shape}], expected [batch, ${size}]; ${pass}`);
    }
  }

  /** q(z|x) (or q(z|x, c) for a CVAE): mean and log-variance, each [batch, latentSize]. */
  posterior(x: tf.Tensor2D, condition?: tf.Tensor2D): Posterior {
    this.check(x, this.config.inputSize, "the input", `pass flattened images of ${this.config.inputSize} pixels`);
    return tf.tidy(() => {
      const [mean, logVar] = tf.split(this.encoder.apply(this.withCondition(x, condition, "posterior()")) as tf.Tensor2D, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      return { mean, logVar };
    });
  }

  /**
   * A CVAE's q(z|x, c) for every one-hot condition c at once: row k·batch + i is image i with
   * condition k. The first layer's weights split as W·[x; c] = W_x·x + W_c[k], so the image part is
   * computed once per image instead of once per condition (most of the encoder's cost).
   */
  posteriorForEveryCondition(x: tf.Tensor2D): Posterior {
    const K = this.conditionSize;
    if (!K) throw new Error("VariationalAutoencoder.posteriorForEveryCondition: this VAE is not conditional");
    this.check(x, this.config.inputSize, "the input", `pass flattened images of ${this.config.inputSize} pixels`);
    return tf.tidy(() => {
      const d = this.config.inputSize;
      const [first, ...rest] = this.encoder.layers;
      const [kernel, bias] = layerVariables(first);
      const act = { relu: tf.relu, elu: tf.elu, tanh: tf.tanh }[this.config.activation ?? "relu"];
      const imagePart = tf.add(tf.matMul(x, kernel.slice([0, 0], [d, -1])), bias);                   // [b, h]
      const conditionPart = kernel.slice([d, 0], [K, -1]);                                            // [K, h]
      const h = tf.reshape(act(tf.add(tf.expandDims(imagePart, 0), tf.expandDims(conditionPart, 1))), [K * x.shape[0], -1]);
      const out = rest.reduce((t, layer) => layer.apply(t) as tf.Tensor2D, h as tf.Tensor2D);
      const [mean, logVar] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      return { mean, logVar };
    });
  }

  /** The posterior mean: the code used by metrics and latent maps. */
  encode(x: tf.Tensor2D, condition?: tf.Tensor2D): tf.Tensor2D {
    const { mean, logVar } = this.posterior(x, condition);
    logVar.dispose();
    return mean;
  }

  /** The decoder's raw output: Bernoulli logits, or (before the sigmoid) Gaussian means. */
  decodeLogits(z: tf.Tensor2D, condition?: tf.Tensor2D): tf.Tensor2D {
    this.check(z, this.config.latentSize, "the code", `pass codes of latentSize ${this.config.latentSize}`);
    return tf.tidy(() => this.decoder.apply(this.withCondition(z, condition, "decode()")) as tf.Tensor2D);
  }

  /** Means E[x|z] (or E[x|z, c]): in [0, 1] unless a Gaussian decoder has gaussianMean "identity". */
  decode(z: tf.Tensor2D, condition?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.meanOf(this.decodeLogits(z, condition)));
  }

  private meanOf<T extends tf.Tensor>(out: T): T {
    return (this.likelihood === "gaussian" && this.config.gaussianMean === "identity" ? out : tf.sigmoid(out)) as T;
  }

  /**
   * log p(x|z) per image, summed over pixels (nats). `out` is decodeLogits(z): [batch, pixels] gives
   * [batch]; shapes that broadcast also work, e.g. x [batch, 1, pixels] against out [batch, samples,
   * pixels] gives [batch, samples] without copying x once per sample.
   */
  logLikelihood<T extends tf.Tensor>(x: tf.Tensor, out: T): T extends tf.Tensor2D ? tf.Tensor1D : tf.Tensor {
    const d = this.config.inputSize;
    if (x.shape[x.rank - 1] !== d || out.shape[out.rank - 1] !== d || (x.rank === out.rank && x.shape.some((n, i) => n !== 1 && n !== out.shape[i]))) {
      throw new Error(`VariationalAutoencoder.logLikelihood: images [${x.shape}] and decoder output [${out.shape}] do not match; both end in ${d} pixels`);
    }
    return tf.tidy(() => this.likelihood === "bernoulli"
      ? tf.neg(tf.sum(binaryCrossEntropyElementwise(out, x), -1))
      : gaussianLogDensity(x, this.meanOf(out), this.decoderLogVar!)) as any;
  }

  /** Reconstruction through the posterior mean (no sampling). */
  reconstruct(x: tf.Tensor2D, condition?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.decode(this.encode(x, condition), condition));
  }

  /** n images decoded from z ~ N(0, I) (with the condition's n rows for a CVAE): pixel means. */
  samplePrior(n: number, seed?: number, condition?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.decode(tf.randomNormal([n, this.config.latentSize], 0, 1, "float32", noiseSeed(seed)), condition));
  }

  countParams(): number {
    return this.encoder.countParams() + this.decoder.countParams() + (this.decoderLogVar instanceof tf.Variable ? this.config.inputSize : 0);
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.decoderLogVar?.dispose();
  }
}
