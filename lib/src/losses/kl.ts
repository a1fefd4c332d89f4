import * as tf from "@tensorflow/tfjs";

/**
 * KL(N(μ, diag σ²) ‖ N(0, I)) per row, in nats: ½ Σ_j (μ_j² + σ_j² − log σ_j² − 1). Shape [batch].
 */
export function klToStandardNormal(mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor1D {
  if (mean.shape.join() !== logVar.shape.join()) {
    throw new Error(`klToStandardNormal: mean has shape [${mean.shape}] but logVar has [${logVar.shape}]; they must match`);
  }
  return tf.tidy(() => tf.mul(0.5, tf.sum(tf.sub(tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), logVar), 1), 1)) as tf.Tensor1D);
}

/** log N(z; μ, diag σ²) per row (nats): [batch]. With μ = 0 and log σ² = 0 it is the standard normal prior. */
export function gaussianLogDensity(z: tf.Tensor2D, mean?: tf.Tensor2D, logVar?: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const centred = mean ? tf.sub(z, mean) : z;
    const sq = logVar ? tf.div(tf.square(centred), tf.exp(logVar)) : tf.square(centred);
    const logDet = logVar ? tf.add(sq, logVar) : sq;
    return tf.mul(-0.5, tf.sum(tf.add(logDet, Math.log(2 * Math.PI)), 1)) as tf.Tensor1D;
  });
}
