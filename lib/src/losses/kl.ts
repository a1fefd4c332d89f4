import * as tf from "@tensorflow/tfjs";

/**
 * KL(N(μ, diag σ²) ‖ N(0, I)) per row, in nats: ½ Σ_j (μ_j² + σ_j² − log σ_j² − 1). Shape [batch].
 */
export function klToStandardNormal(mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(klToStandardNormalPerDimension(mean, logVar), 1) as tf.Tensor1D);
}

/** The KL's terms ½ (μ_j² + σ_j² − log σ_j² − 1) per row and latent dimension: [batch, dims]. */
export function klToStandardNormalPerDimension(mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor2D {
  if (mean.shape.join() !== logVar.shape.join()) {
    throw new Error(`klToStandardNormal: mean has shape [${mean.shape}] but logVar has [${logVar.shape}]; they must match`);
  }
  return tf.tidy(() => tf.mul(0.5, tf.sub(tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), logVar), 1)) as tf.Tensor2D);
}

/**
 * log N(z; μ, diag σ²) summed over the last axis (nats); shapes broadcast. Without μ and log σ² it
 * is the standard normal prior.
 */
export function gaussianLogDensity<T extends tf.Tensor>(z: T, mean?: tf.Tensor, logVar?: tf.Tensor): T extends tf.Tensor2D ? tf.Tensor1D : tf.Tensor {
  return tf.tidy(() => {
    const centred = mean ? tf.sub(z, mean) : z;
    const sq = logVar ? tf.div(tf.square(centred), tf.exp(logVar)) : tf.square(centred);
    const logDet = logVar ? tf.add(sq, logVar) : sq;
    return tf.mul(-0.5, tf.sum(tf.add(logDet, Math.log(2 * Math.PI)), -1));
  }) as any;
}
