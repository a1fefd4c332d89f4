// The evidence lower bound of one image, log p(x) ≥ E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)), in nats
// summed over pixels (so that numbers compare with the literature), with one reparameterised sample.
import * as tf from "@tensorflow/tfjs";
import { VariationalAutoencoder } from "../models/vae";
import { reparameterize } from "../models/vae";
import { gaussianLogDensity, klToStandardNormal } from "./kl";

/** A prior other than N(0, I) whose log-density we can evaluate (e.g. a Gaussian mixture). */
export interface DensityPrior {
  logDensity(z: tf.Tensor2D): tf.Tensor1D;
}

export interface ElboTerms {
  /** log p(x|z) for one z ~ q(z|x), per image (negative nats). */
  reconstruction: tf.Tensor1D;
  /** KL(q(z|x) ‖ p(z)) per image (nats): closed form for N(0, I), else a one-sample estimate. */
  kl: tf.Tensor1D;
  /** reconstruction − kl per image. */
  elbo: tf.Tensor1D;
}

/**
 * The ELBO's terms per image; for a CVAE pass the condition (one-hot labels) of each image. With a
 * `prior` other than N(0, I) the KL has no closed form: it is estimated from the same sample z as
 * log q(z|x) − log p(z), unbiased but noisy (it can be negative for one image).
 */
export function elboTerms(model: VariationalAutoencoder, x: tf.Tensor2D, seed?: number, condition?: tf.Tensor2D, prior?: DensityPrior): ElboTerms {
  return tf.tidy(() => {
    const { mean, logVar } = model.posterior(x, condition);
    const z = reparameterize(mean, logVar, seed);
    const reconstruction = model.logLikelihood(x, model.decodeLogits(z, condition));
    const kl = prior ? tf.sub(gaussianLogDensity(z, mean, logVar), prior.logDensity(z)) as tf.Tensor1D : klToStandardNormal(mean, logVar);
    return { reconstruction, kl, elbo: tf.sub(reconstruction, kl) as tf.Tensor1D };
  });
}

/**
 * The training loss: the batch mean of −(reconstruction − β·KL), with the terms the live chart shows
 * (β = 1 is the VAE; β > 1 the β-VAE of Higgins et al. 2017). The terms are batch means in nats:
 * `reconstruction` = −log p(x|z) (the distortion) and `KL` = KL(q(z|x) ‖ p(z)) (the rate).
 */
export function negativeElbo(model: VariationalAutoencoder, x: tf.Tensor2D, beta = 1, condition?: tf.Tensor2D, prior?: DensityPrior): { loss: tf.Scalar; terms: Record<string, tf.Scalar> } {
  if (!(beta >= 0)) throw new Error(`negativeElbo: beta must be a number ≥ 0, got ${beta}`);
  return tf.tidy(() => {
    const t = elboTerms(model, x, undefined, condition, prior);
    const reconstruction = tf.neg(tf.mean(t.reconstruction)) as tf.Scalar;
    const kl = tf.mean(t.kl) as tf.Scalar;
    return { loss: tf.add(reconstruction, tf.mul(beta, kl)) as tf.Scalar, terms: { reconstruction, KL: kl } };
  });
}
