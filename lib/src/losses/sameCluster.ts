// Agreement between two views of the same images (an image and a deformed copy): the probability
// that both land in the same cluster is Σ_y q(y|a) q(y|b), and the loss is its negative log, averaged
// (the consistency term of SCAN, Van Gansbeke et al. 2020). Both views get gradients, so the term
// pulls the two predictions together and makes each more certain; alone it is solved by putting
// everything in one cluster, so it always comes with the balance term.
import * as tf from "@tensorflow/tfjs";

/** −mean_b log Σ_y softmax(a)_by softmax(b)_by, in nats, from two [batch, K] logit tensors. */
export function sameClusterLoss(logitsA: tf.Tensor2D, logitsB: tf.Tensor2D): tf.Scalar {
  if (logitsA.rank !== 2 || logitsA.shape.join() !== logitsB.shape.join()) {
    throw new Error(`sameClusterLoss: both views need logits of the same shape [batch, categories], got [${logitsA.shape}] and [${logitsB.shape}]`);
  }
  return tf.tidy(() => {
    // log Σ_y p_a p_b = logsumexp_y(log p_a + log p_b), stable even when the two disagree completely.
    const logJoint = tf.logSumExp(tf.add(tf.logSoftmax(logitsA), tf.logSoftmax(logitsB)), 1);
    return tf.neg(tf.mean(logJoint)) as tf.Scalar;
  });
}
