// The GAN losses, written on the discriminator's logits (D = sigmoid(logit)) so that no log(0) occurs:
// −log σ(a) = softplus(−a) and −log(1 − σ(a)) = softplus(a).
import * as tf from "@tensorflow/tfjs";

function checkLogits(what: string, ...logits: tf.Tensor[]) {
  for (const l of logits) {
    if (l.rank !== 2 || l.shape[1] !== 1) throw new Error(`${what}: logits must have shape [batch, 1] (one logit per sample), got [${l.shape}]`);
  }
}

/**
 * The discriminator's loss: −mean log D(real) − mean log(1 − D(fake)). With realLabel r < 1 (one-sided
 * label smoothing) the real term is the cross-entropy against r: −mean [r log D(real) + (1 − r) log(1 − D(real))],
 * so D is never rewarded for being certain about real images; fakes keep the target 0.
 */
export function discriminatorLoss(realLogits: tf.Tensor2D, fakeLogits: tf.Tensor2D, realLabel = 1): tf.Scalar {
  checkLogits("discriminatorLoss", realLogits, fakeLogits);
  return tf.tidy(() => {
    const realTerm = realLabel === 1 ? tf.softplus(tf.neg(realLogits)) : tf.add(tf.mul(realLabel, tf.softplus(tf.neg(realLogits))), tf.mul(1 - realLabel, tf.softplus(realLogits)));
    return tf.add(tf.mean(realTerm), tf.mean(tf.softplus(fakeLogits))) as tf.Scalar;
  });
}

/** The non-saturating generator loss: −mean log D(fake). Strong gradients exactly when D rejects the fakes. */
export function generatorLoss(fakeLogits: tf.Tensor2D): tf.Scalar {
  checkLogits("generatorLoss", fakeLogits);
  return tf.tidy(() => tf.mean(tf.softplus(tf.neg(fakeLogits))) as tf.Scalar);
}

/** The minimax generator loss: mean log(1 − D(fake)), to be minimised; its gradient vanishes when D is sure. */
export function minimaxGeneratorLoss(fakeLogits: tf.Tensor2D): tf.Scalar {
  checkLogits("minimaxGeneratorLoss", fakeLogits);
  return tf.tidy(() => tf.neg(tf.mean(tf.softplus(fakeLogits))) as tf.Scalar);
}

/** The fraction of real and fake samples the discriminator puts on the right side of ½ (a scalar). */
export function discriminatorAccuracy(realLogits: tf.Tensor2D, fakeLogits: tf.Tensor2D): tf.Scalar {
  checkLogits("discriminatorAccuracy", realLogits, fakeLogits);
  return tf.tidy(() => tf.div(tf.add(tf.sum(tf.cast(tf.greater(realLogits, 0), "float32")), tf.sum(tf.cast(tf.lessEqual(fakeLogits, 0), "float32"))),
    realLogits.shape[0] + fakeLogits.shape[0]) as tf.Scalar);
}

/**
 * The EBGAN discriminator's loss from per-image energies [batch]: mean E(real) + mean max(0, m − E(fake)).
 * Real images are pulled down; generated ones are pushed up only while they are below the margin.
 */
export function ebganDiscriminatorLoss(realEnergy: tf.Tensor1D, fakeEnergy: tf.Tensor1D, margin: number): tf.Scalar {
  if (realEnergy.rank !== 1 || fakeEnergy.rank !== 1) throw new Error(`ebganDiscriminatorLoss: energies must be [batch], got [${realEnergy.shape}] and [${fakeEnergy.shape}]`);
  return tf.tidy(() => tf.add(tf.mean(realEnergy), tf.mean(tf.relu(tf.sub(margin, fakeEnergy)))) as tf.Scalar);
}

/**
 * EBGAN's pull-away term (Zhao et al. 2017, §2.4) on a batch of codes s [batch, size]: the mean squared
 * cosine similarity over all pairs i ≠ j, (1 / (N(N − 1))) Σ_{i≠j} (s_iᵀ s_j / (‖s_i‖ ‖s_j‖))². It is 0
 * when the codes are mutually orthogonal and 1 when they all point the same way, so adding it to the
 * generator's loss pushes a generated batch apart: a remedy for mode collapse.
 */
export function pullAwayTerm(codes: tf.Tensor2D): tf.Scalar {
  const n = codes.shape[0];
  if (codes.rank !== 2 || n < 2) throw new Error(`pullAwayTerm: codes must be [batch, size] with batch ≥ 2 (pairs are compared), got [${codes.shape}]`);
  return tf.tidy(() => {
    const unit = tf.div(codes, tf.add(tf.norm(codes, "euclidean", 1, true), 1e-8));
    const cosines = tf.matMul(unit, unit, false, true);
    // The diagonal holds n cosines of 1 (up to rounding); subtract their squares exactly.
    const diagonal = tf.sum(tf.square(tf.sum(tf.mul(unit, unit), 1)));
    return tf.div(tf.sub(tf.sum(tf.square(cosines)), diagonal), n * (n - 1)) as tf.Scalar;
  });
}
