// Sparsity penalties on a batch of codes h, added to the reconstruction loss with a weight.
import * as tf from "@tensorflow/tfjs";

function checkCodes(h: tf.Tensor, what: string) {
  if (h.rank !== 2) throw new Error(`${what}: expected codes of shape [batch, units], got [${h.shape}]`);
}

/** L1 penalty: mean over the batch of Σ_j |h_j|. */
export function l1Penalty(h: tf.Tensor2D): tf.Scalar {
  checkCodes(h, "l1Penalty");
  return tf.tidy(() => tf.mean(tf.sum(tf.abs(h), 1)) as tf.Scalar);
}

/**
 * KL sparsity penalty for activations in (0, 1) (sigmoid codes): Σ_j KL(ρ ‖ ρ̂_j), where ρ̂_j is unit
 * j's mean activation over the batch and ρ the target rate. ρ̂ is clipped away from 0 and 1 so a
 * saturated unit gives a large but finite penalty.
 */
export function klSparsityPenalty(h: tf.Tensor2D, rho: number): tf.Scalar {
  checkCodes(h, "klSparsityPenalty");
  if (!(rho > 0 && rho < 1)) throw new Error(`klSparsityPenalty: the target rate rho must be in (0, 1), got ${rho}`);
  return tf.tidy(() => {
    const rhoHat = tf.clipByValue(tf.mean(h, 0), 1e-6, 1 - 1e-6);
    const kl = tf.add(
      tf.mul(rho, tf.log(tf.div(rho, rhoHat))),
      tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, rhoHat)))),
    );
    return tf.sum(kl) as tf.Scalar;
  });
}
