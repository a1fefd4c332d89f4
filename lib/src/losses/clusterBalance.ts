// The batch-balance term of a categorical code (the mutual information between an image and its
// cluster, estimated on a batch; RIM, CatGAN, IMSAT):
//   I(x; y) ≈ H( mean_b q(y|x_b) ) − mean_b H( q(y|x_b) ),
// large when every image is sure of its cluster (small second term) and the batch spreads over all
// clusters (large first term). A per-image discriminator on one-hot samples sees neither the batch's
// spread nor who moved where, so it gives little gradient against collapsing onto a few clusters;
// this term does.
import * as tf from "@tensorflow/tfjs";

export interface ClusterBalanceTerms {
  /** H(mean q(y|x)): the entropy of the batch's cluster marginal, log K when every cluster is used equally. */
  marginalEntropy: tf.Scalar;
  /** mean H(q(y|x)): the images' own uncertainty, 0 when each is one-hot. */
  conditionalEntropy: tf.Scalar;
}

/** Both entropies, in nats, from category logits [batch, K]. */
export function clusterBalanceTerms(logits: tf.Tensor2D): ClusterBalanceTerms {
  if (logits.rank !== 2 || logits.shape[1] < 2) throw new Error(`clusterBalanceTerms: logits must have shape [batch, categories ≥ 2], got [${logits.shape}]`);
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logits);
    const p = tf.exp(logP);
    const conditionalEntropy = tf.neg(tf.mean(tf.sum(tf.mul(p, logP), 1))) as tf.Scalar;
    const marginal = tf.mean(p, 0);
    // log of the marginal from the logs (log-mean-exp over the batch), so a cluster no image uses gives a finite term.
    const logMarginal = tf.sub(tf.logSumExp(logP, 0), Math.log(logits.shape[0]));
    const marginalEntropy = tf.neg(tf.sum(tf.mul(marginal, logMarginal))) as tf.Scalar;
    return { marginalEntropy, conditionalEntropy };
  });
}

/**
 * A loss to minimise: mean H(q) − μ·H(mean q); with μ = 1 (the default) the negative batch estimate of
 * I(x; y). IMSAT weights the marginal more (μ = 4): with only I(x; y), a network can lower the first
 * term faster than it spreads the batch, and settles on a few confident clusters.
 */
export function clusterBalanceLoss(logits: tf.Tensor2D, marginalWeight = 1): tf.Scalar {
  if (!(marginalWeight >= 0)) throw new Error(`clusterBalanceLoss: marginalWeight must be ≥ 0, got ${marginalWeight}`);
  return tf.tidy(() => {
    const t = clusterBalanceTerms(logits);
    return tf.sub(t.conditionalEntropy, tf.mul(marginalWeight, t.marginalEntropy)) as tf.Scalar;
  });
}
