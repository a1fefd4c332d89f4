// The M2 semi-supervised model of Kingma et al. (2014): a classifier q(y|x), an encoder q(z|x, y)
// and a decoder p(x|y, z) (a conditional VAE), trained on labelled and unlabelled images together.
//   labelled:    log p(x, y) ≥ L(x, y) = E_q(z|x,y)[log p(x|y, z)] − KL(q(z|x, y) ‖ p(z)) + log p(y)
//   unlabelled:  log p(x)    ≥ U(x)    = Σ_y q(y|x) L(x, y) + H(q(y|x))
// plus α · log q(y|x) on the labelled images, because otherwise the classifier only learns from U.
import * as tf from "@tensorflow/tfjs";
import { elboTerms } from "../losses/elbo";
import { klToStandardNormal } from "../losses/kl";
import { denseStack, layerVariables } from "./autoencoder";
import { oneHot } from "../data/labels";
import { reparameterize, VaeConfig, VariationalAutoencoder } from "./vae";

export interface M2Config {
  inputSize: number;
  classes: number;
  /** Hidden widths of the classifier q(y|x). */
  classifierHidden: number[];
  /** Hidden widths of the encoder q(z|x, y); the decoder mirrors them. */
  hidden: number[];
  latentSize: number;
  /** p(x|y, z): Bernoulli on pixels (the default), or e.g. a Gaussian with learned variance on M1's codes. */
  decoder?: Pick<VaeConfig, "likelihood" | "gaussianVariance" | "gaussianMean">;
  seed?: number;
}

export class SemiSupervisedVae {
  readonly classifier: tf.Sequential;
  readonly cvae: VariationalAutoencoder;

  constructor(readonly config: M2Config) {
    const seed = config.seed ?? 0;
    this.classifier = denseStack([...config.classifierHidden, config.classes], config.inputSize, [...config.classifierHidden.map(() => "relu"), "linear"], seed + 200, "m2_classifier");
    this.cvae = new VariationalAutoencoder({ inputSize: config.inputSize, hidden: config.hidden, latentSize: config.latentSize, conditionSize: config.classes, ...config.decoder, seed });
  }

  get variables(): tf.Variable[] {
    return [...layerVariables(this.classifier), ...this.cvae.variables];
  }

  /** log q(y|x): [batch, classes]. */
  classLogProbs(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.logSoftmax(this.classifier.apply(x) as tf.Tensor2D) as tf.Tensor2D);
  }

  /** H(q(y|x)) per image (nats): log 10 for a classifier that has no idea, 0 for a certain one. */
  classEntropy(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const logQ = this.classLogProbs(x);
      return tf.neg(tf.sum(tf.mul(tf.exp(logQ), logQ), 1)) as tf.Tensor1D;
    });
  }

  /** The predicted class of each image. */
  predict(x: tf.Tensor2D): Int32Array {
    const p = tf.tidy(() => tf.argMax(this.classifier.apply(x) as tf.Tensor2D, 1));
    const out = p.dataSync() as Int32Array;
    p.dispose();
    return Int32Array.from(out);
  }

  /** L(x, y) per image (nats), one reparameterised sample; y is one-hot [batch, classes]. */
  labelledBound(x: tf.Tensor2D, y: tf.Tensor2D, seed?: number): tf.Tensor1D {
    return tf.tidy(() => tf.sub(elboTerms(this.cvae, x, seed, y).elbo, Math.log(this.config.classes)) as tf.Tensor1D);
  }

  /** U(x) per image: every class tried, weighted by q(y|x), plus the entropy of q(y|x). */
  unlabelledBound(x: tf.Tensor2D, seed?: number): tf.Tensor1D {
    const K = this.config.classes;
    return tf.tidy(() => {
      const [b, d] = x.shape;
      // Row k·b + i is image i with class k: L(x_i, k) for every pair, in one pass.
      const { mean, logVar } = this.cvae.posteriorForEveryCondition(x);
      const ys = oneHot(Array.from({ length: K * b }, (_, r) => Math.floor(r / b)), K);
      const z = reparameterize(mean, logVar, seed);
      const logits = tf.reshape(this.cvae.decodeLogits(z, ys), [K, b, d]);
      const reconstruction = this.cvae.logLikelihood(tf.expandDims(x, 0), logits); // [K, b]
      const kl = tf.reshape(klToStandardNormal(mean, logVar), [K, b]);
      const bounds = tf.transpose(tf.sub(tf.sub(reconstruction, kl), Math.log(K))); // [b, K]
      const logQ = this.classLogProbs(x);
      const q = tf.exp(logQ);
      const entropy = tf.neg(tf.sum(tf.mul(q, logQ), 1));
      return tf.add(tf.sum(tf.mul(q, bounds), 1), entropy) as tf.Tensor1D;
    });
  }

  /**
   * The batch loss: −mean L over the labelled batch − mean U over the unlabelled batch + α · mean
   * cross-entropy of q(y|x) on the labelled batch, with each part for the live chart (labelled = −mean L,
   * unlabelled = −mean U, in nats).
   */
  loss(labelled: { x: tf.Tensor2D; y: tf.Tensor2D }, unlabelled: tf.Tensor2D, alpha: number): { loss: tf.Scalar; terms: Record<string, tf.Scalar> } {
    if (labelled.x.shape[1] !== unlabelled.shape[1]) {
      throw new Error(`SemiSupervisedVae.loss: labelled images have ${labelled.x.shape[1]} pixels but unlabelled ones have ${unlabelled.shape[1]}; both must be flattened images of ${this.config.inputSize}`);
    }
    if (!(alpha >= 0)) throw new Error(`SemiSupervisedVae.loss: alpha must be a number ≥ 0, got ${alpha}`);
    return tf.tidy(() => {
      const labelledTerm = tf.neg(tf.mean(this.labelledBound(labelled.x, labelled.y))) as tf.Scalar;
      const unlabelledTerm = tf.neg(tf.mean(this.unlabelledBound(unlabelled))) as tf.Scalar;
      const crossEntropy = tf.neg(tf.mean(tf.sum(tf.mul(labelled.y, this.classLogProbs(labelled.x)), 1))) as tf.Scalar;
      return {
        loss: tf.add(tf.add(labelledTerm, unlabelledTerm), tf.mul(alpha, crossEntropy)) as tf.Scalar,
        terms: { labelled: labelledTerm, unlabelled: unlabelledTerm, "cross-entropy": crossEntropy },
      };
    });
  }

  dispose(): void {
    this.classifier.dispose();
    this.cvae.dispose();
  }
}
