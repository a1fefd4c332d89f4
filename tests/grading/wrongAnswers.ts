// The plausible wrong answers to the course's graded exercises: the mistakes an exercise's text warns
// about, sign errors, mean for sum, a sampled instead of a summed class, a formula that overflows at
// extreme inputs, a leak. Each is made from the instructor's solution by a small edit (so it follows
// the notebook when the solution changes), and tests/integration/wrongAnswers.test.ts grades each
// one with course-grade: every one must lose points.

export interface WrongAnswer {
  /** grade_id of the answer cell it replaces. */
  answer: string;
  name: string;
  about: string;
  /** The wrong answer, from the instructor's solution cell. */
  from: (solution: string) => string;
}

/** Replaces `before` by `after` in a solution; fails loudly when the solution no longer contains it. */
const swap = (before: string | RegExp, after: string) => (solution: string): string => {
  const out = solution.replace(before, after);
  if (out === solution) throw new Error(`the wrong answer's edit found nothing to change (${String(before).slice(0, 80)}): update tests/grading/wrongAnswers.ts`);
  return out;
};

/** The same solution without its tf.tidy: a correct value that leaks every intermediate tensor. */
const withoutTidy = (tidied: RegExp, untidied: string) => swap(tidied, untidied);

export const WRONG_ANSWERS: Record<string, WrongAnswer[]> = {
  "00b-deep-learning-basics": [
    { answer: "backprop", name: "no-transpose", about: "∂L/∂H as (∂L/∂A) W2 instead of (∂L/∂A) W2ᵀ", from: swap("tf.matMul(dA, p.W2, false, true)", "tf.matMul(dA, p.W2)") },
    { answer: "backprop", name: "no-relu-derivative", about: "∂L/∂Z1 = ∂L/∂H: the ReLU's derivative left out", from: swap("tf.mul(tf.matMul(dA, p.W2, false, true), tf.step(z1))", "tf.matMul(dA, p.W2, false, true)") },
    { answer: "backprop", name: "sum-loss", about: "P − Y without the 1/n: the gradient of the summed loss, not the mean", from: swap("tf.div(tf.sub(probs, yb), xb.shape[0])", "tf.sub(probs, yb)") },
    { answer: "backprop", name: "mean-bias", about: "the bias gradients averaged over the batch instead of summed", from: swap("b1: tf.sum(dZ1, 0)", "b1: tf.mean(dZ1, 0)") },
    { answer: "backprop", name: "leak", about: "the right gradients without tf.tidy", from: withoutTidy(/return tf\.tidy\(\(\) => \{([\s\S]*)\}\);/, "$1") },
  ],
  "01-losses-as-likelihood": [
    { answer: "gaussian_nll", name: "no-normaliser", about: "the squared error over 2σ² without the (d/2)·log(2πσ²) term", from: swap(/tf\.add\(\s*(tf\.div\([^\n]*\)),\s*\(d \/ 2\) \* Math\.log\(2 \* Math\.PI \* sigma \* sigma\),\s*\)/, "$1") },
    { answer: "gaussian_nll", name: "sigma-not-squared", about: "σ where σ² belongs in the denominator", from: swap("2 * sigma * sigma),", "2 * sigma),") },
    { answer: "gaussian_nll", name: "no-sigma-check", about: "σ = 0 accepted (NaN and Infinity follow)", from: swap(/^.*if \(!\(sigma > 0\)\).*\n/m, "") },
    { answer: "bce_from_logits", name: "log-of-sigmoid", about: "the textbook formula from tf.sigmoid: NaN or Infinity at logits of ±200", from: swap(/tf\.mean\(tf\.add\([\s\S]*\)\) as ae\.tf\.Scalar/, "tf.neg(tf.mean(tf.add(tf.mul(targets, tf.log(tf.sigmoid(logits))), tf.mul(tf.sub(1, targets), tf.log(tf.sub(1, tf.sigmoid(logits))))))) as ae.tf.Scalar") },
    { answer: "bce_from_logits", name: "sum-for-mean", about: "summed instead of averaged", from: swap("return tf.tidy(() => tf.mean(tf.add(", "return tf.tidy(() => tf.sum(tf.add(") },
  ],
  "02-manifolds-and-dimensionality-reduction": [
    { answer: "squared_distances", name: "no-clamp", about: "rounding leaves tiny negative squared distances", from: swap("return tf.relu(tf.sub(", "return (tf.sub(") },
    { answer: "squared_distances", name: "sign", about: "+2ab instead of −2ab", from: swap("tf.sub(tf.add(aa, bb), tf.mul(2,", "tf.add(tf.add(aa, bb), tf.mul(2,") },
    { answer: "squared_distances", name: "leak", about: "the right value without tf.tidy", from: withoutTidy(/return tf\.tidy\(\(\) => \{([\s\S]*)\}\);/, "$1") },
    { answer: "knn_accuracy", name: "self-included", about: "each point counts as its own nearest neighbour", from: swap(".filter((j) => j !== i)", "") },
    { answer: "knn_accuracy", name: "farthest", about: "the k farthest points vote instead of the nearest", from: swap("dist[i * n + a] - dist[i * n + b]", "dist[i * n + b] - dist[i * n + a]") },
  ],
  "03-linear-autoencoder-pca": [
    { answer: "pca_reconstruction", name: "not-centred", about: "projected without subtracting the mean", from: swap("const centred = tf.sub(x, mean);", "const centred = x;") },
    { answer: "pca_reconstruction", name: "mean-not-added-back", about: "the mean subtracted but not added back", from: swap("return tf.add(tf.matMul(codes, components), mean) as ae.tf.Tensor2D;", "return tf.matMul(codes, components) as ae.tf.Tensor2D;") },
    { answer: "pca_reconstruction", name: "leak", about: "the right value without tf.tidy", from: withoutTidy(/return tf\.tidy\(\(\) => \{([\s\S]*)\}\);/, "$1") },
    { answer: "gram_schmidt", name: "not-normalised", about: "orthogonal but not unit vectors", from: swap("basis.push(w.map((x) => x / norm));", "basis.push(w);") },
    { answer: "gram_schmidt", name: "no-dependence-check", about: "linearly dependent inputs accepted", from: swap(/^.*linearly dependent.*\n/m, "") },
  ],
  "04-deep-autoencoder": [
    { answer: "mse_by_class", name: "sum-per-image", about: "squared errors summed over pixels instead of averaged", from: swap("tf.mean(tf.squaredDifference(reconstruct(batch.x), batch.x), 1)", "tf.sum(tf.squaredDifference(reconstruct(batch.x), batch.x), 1)") },
    { answer: "mse_by_class", name: "leak", about: "the batches' images are never disposed", from: swap("tf.dispose([perImage, batch.x]);", "perImage.dispose();") },
    { answer: "interpolate", name: "reversed", about: "from zb to za", from: swap("tf.linspace(0, 1, steps)", "tf.linspace(1, 0, steps)") },
    { answer: "interpolate", name: "no-argument-checks", about: "steps = 1 and codes of different lengths accepted", from: (s) => swap(/^.*steps must be an integer.*\n/m, "")(swap(/^.*codes have different lengths.*\n/m, "")(s)) },
  ],
  "05-denoising-autoencoder": [
    { answer: "mask_pixels", name: "keeps-p", about: "keeps a fraction p of the pixels instead of zeroing it", from: swap("tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, \"float32\", seed), p)", "tf.less(tf.randomUniform(x.shape, 0, 1, \"float32\", seed), p)") },
    { answer: "mask_pixels", name: "unseeded", about: "the seed is ignored: masks differ from run to run", from: swap("tf.randomUniform(x.shape, 0, 1, \"float32\", seed)", "tf.randomUniform(x.shape, 0, 1, \"float32\")") },
    { answer: "mask_pixels", name: "leak", about: "the right value without tf.tidy", from: withoutTidy(/return tf\.tidy\(\(\) => \{([\s\S]*)\}\);/, "$1") },
    { answer: "psnr", name: "no-floor", about: "a perfect reconstruction gives Infinity", from: swap("tf.maximum(tf.mean(tf.squaredDifference(clean, restored), 1), 1e-10)", "tf.mean(tf.squaredDifference(clean, restored), 1)") },
    { answer: "psnr", name: "batch-mse", about: "the PSNR of the whole batch's MSE instead of the mean of the images' PSNRs", from: swap("tf.mean(tf.squaredDifference(clean, restored), 1)", "tf.mean(tf.squaredDifference(clean, restored))") },
  ],
  "06-sparse-and-contractive": [
    { answer: "top_k", name: "k-plus-one", about: "keeps every entry above the k-th largest (k − 1 of them)", from: swap("tf.greaterEqual(z, threshold)", "tf.greater(z, threshold)") },
    { answer: "top_k", name: "zeroes-the-top", about: "zeroes the k largest and keeps the rest", from: swap("tf.greaterEqual(z, threshold)", "tf.less(z, threshold)") },
    { answer: "contractive", name: "rows-for-columns", about: "the squared norms of W's rows instead of its columns", from: swap("tf.sum(tf.square(W), 0)", "tf.sum(tf.square(W), 1).slice([0], [W.shape[1]])") },
    { answer: "contractive", name: "slope-not-squared", about: "h(1 − h) where its square belongs", from: swap("tf.square(tf.mul(h, tf.sub(1, h)))", "tf.mul(h, tf.sub(1, h))") },
  ],
  "07-convolutional-autoencoder": [
    { answer: "conv_output_size", name: "same-floors", about: "same padding rounded down", from: swap("Math.ceil(n / s)", "Math.floor(n / s)") },
    { answer: "conv_output_size", name: "valid-off-by-one", about: "valid padding without the + 1", from: swap("Math.floor((n - k) / s) + 1", "Math.floor((n - k) / s)") },
    { answer: "param_count", name: "no-biases", about: "weights counted, biases forgotten", from: (s) => swap("return k * k * cIn * cOut + cOut;", "return k * k * cIn * cOut;")(swap("return nIn * nOut + nOut;", "return nIn * nOut;")(s)) },
    { answer: "param_count", name: "kernel-not-squared", about: "a k × k filter counted as k weights per channel pair", from: swap("return k * k * cIn * cOut + cOut;", "return k * cIn * cOut + cOut;") },
  ],
  "08-variational-autoencoder": [
    { answer: "sample_latent", name: "log-variance-as-sigma", about: "exp(log σ²) used as σ: the variance is squared", from: swap("tf.exp(tf.mul(0.5, logVar))", "tf.exp(logVar)") },
    { answer: "sample_latent", name: "unseeded", about: "the seed is not passed to tf.randomNormal", from: swap("tf.randomNormal(mean.shape, 0, 1, \"float32\", seed)", "tf.randomNormal(mean.shape, 0, 1, \"float32\")") },
    { answer: "sample_latent", name: "leak", about: "the right value without tf.tidy", from: swap(/return tf\.tidy\(\(\) => (.*)\);/, "return $1;") },
    { answer: "kl_closed_form", name: "no-half", about: "the ½ forgotten", from: swap("tf.mul(0.5, tf.sum(", "tf.mul(1, tf.sum(") },
    { answer: "kl_closed_form", name: "sign-of-log-variance", about: "+ log σ² instead of − log σ²", from: swap("tf.sub(tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), logVar), 1)", "tf.sub(tf.add(tf.add(tf.square(mean), tf.exp(logVar)), logVar), 1)") },
    { answer: "kl_closed_form", name: "leak", about: "the right value without tf.tidy", from: swap(/return tf\.tidy\(\(\) => (.*)\);/, "return $1;") },
    { answer: "negative_elbo", name: "mean-over-pixels", about: "the reconstruction term averaged over the pixels: a β-VAE with β = 784 by accident", from: swap("tf.sum(tf.sub(tf.softplus(logits), tf.mul(x, logits)), 1)", "tf.mean(tf.sub(tf.softplus(logits), tf.mul(x, logits)), 1)") },
    { answer: "negative_elbo", name: "kl-subtracted", about: "the KL subtracted from the negative ELBO", from: swap("return tf.add(reconstruction, ae.losses.klToStandardNormal(mean, logVar))", "return tf.sub(reconstruction, ae.losses.klToStandardNormal(mean, logVar))") },
    { answer: "negative_elbo", name: "log-of-sigmoid", about: "x log σ(ℓ) + (1 − x) log(1 − σ(ℓ)) written out: Infinity at logits of ±200", from: swap("tf.sub(tf.softplus(logits), tf.mul(x, logits))", "tf.neg(tf.add(tf.mul(x, tf.log(tf.sigmoid(logits))), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, tf.sigmoid(logits))))))") },
    { answer: "log_mean_exp", name: "unshifted", about: "log(mean(exp(w))) without subtracting the maximum: overflows at ±1000", from: swap("tf.squeeze(tf.add(m, tf.log(tf.mean(tf.exp(tf.sub(w, m)), 1, true))), [1])", "tf.squeeze(tf.log(tf.mean(tf.exp(w), 1, true)), [1])") },
    { answer: "log_mean_exp", name: "log-sum-exp", about: "log Σ exp instead of log mean exp (off by log k)", from: swap("tf.mean(tf.exp(tf.sub(w, m)), 1, true)", "tf.sum(tf.exp(tf.sub(w, m)), 1, true)") },
  ],
  "09-conditional-vae-semi-supervised": [
    {
      answer: "unlabelled_bound", name: "log-of-softmax", about: "the entropy from tf.log(tf.softmax(logits)): NaN once a class's probability underflows",
      from: swap(/const logQ = tf\.logSoftmax\(logits\);\s*const q = tf\.exp\(logQ\);/, "const q = tf.softmax(logits);\n    const logQ = tf.log(q);"),
    },
    {
      answer: "unlabelled_bound", name: "entropy-sign", about: "the entropy subtracted instead of added",
      from: swap("return tf.sub(tf.sum(tf.mul(q, bounds), 1), tf.sum(tf.mul(q, logQ), 1))", "return tf.add(tf.sum(tf.mul(q, bounds), 1), tf.sum(tf.mul(q, logQ), 1))"),
    },
    {
      answer: "unlabelled_bound", name: "picked-class", about: "the bound of the most probable class instead of the expectation over q(y|x)",
      from: swap("tf.sum(tf.mul(q, bounds), 1)", "tf.sum(tf.mul(tf.oneHot(tf.argMax(logits, 1), logits.shape[1]), bounds), 1)"),
    },
    {
      answer: "unlabelled_bound", name: "leak", about: "the right value without tf.tidy",
      from: withoutTidy(/return tf\.tidy\(\(\) => \{([\s\S]*)\}\);/, "$1"),
    },
    {
      answer: "transfer_style", name: "new-label-encoded", about: "the image encoded with the new label instead of its own",
      from: swap("model.encode(x, ae.data.oneHot(labels, model.conditionSize))", "model.encode(x, ae.data.oneHot(new Array(labels.length).fill(newLabel), model.conditionSize))"),
    },
    {
      answer: "transfer_style", name: "sampled-code", about: "a sample from q(z|x, y) instead of its mean",
      from: swap("const z = model.encode(x, ae.data.oneHot(labels, model.conditionSize));",
        "const p = model.posterior(x, ae.data.oneHot(labels, model.conditionSize));\n    const z = tf.add(p.mean, tf.mul(tf.exp(tf.mul(0.5, p.logVar)), tf.randomNormal(p.mean.shape))) as ae.tf.Tensor2D;"),
    },
    {
      answer: "transfer_style", name: "leak", about: "the right value without tf.tidy",
      from: withoutTidy(/return tf\.tidy\(\(\) => \{([\s\S]*)\}\);/, "$1"),
    },
  ],
  "10-adversarial-autoencoder": [
    {
      answer: "gan-losses", name: "log-of-sigmoid", about: "−log σ(a) and −log(1 − σ(a)) written out: infinite where the discriminator is sure and wrong (the text warns about it)",
      from: (s) => swap("tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits))", "tf.neg(tf.mean(tf.log(tf.sigmoid(realLogits)))), tf.neg(tf.mean(tf.log(tf.sub(1, tf.sigmoid(fakeLogits)))))")(
        swap("tf.mean(tf.softplus(tf.neg(fakeLogits)))", "tf.neg(tf.mean(tf.log(tf.sigmoid(fakeLogits))))")(s)),
    },
    {
      answer: "gan-losses", name: "real-fake-swapped", about: "real images pushed towards 0 and fakes towards 1",
      from: swap("tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits))", "tf.mean(tf.softplus(realLogits)), tf.mean(tf.softplus(tf.neg(fakeLogits)))"),
    },
    {
      answer: "gan-losses", name: "saturating-generator", about: "the generator minimises log(1 − D(G(z))) instead of −log D(G(z))",
      from: swap("tf.mean(tf.softplus(tf.neg(fakeLogits))) as ae.tf.Scalar", "tf.neg(tf.mean(tf.softplus(fakeLogits))) as ae.tf.Scalar"),
    },
    {
      answer: "gan-losses", name: "sum-for-mean", about: "summed over the batch instead of averaged",
      from: swap("tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits))", "tf.sum(tf.softplus(tf.neg(realLogits))), tf.sum(tf.softplus(fakeLogits))"),
    },
    {
      answer: "gan-losses", name: "leak", about: "the right values without tf.tidy",
      from: swap(/tf\.tidy\(\(\) => (.*)\);/g, "$1;"),
    },
    {
      answer: "aae-regularisation", name: "real-fake-swapped", about: "the codes called real and the prior samples fake",
      from: swap("ae.losses.discriminatorLoss(discriminate(priorSamples), fake)", "ae.losses.discriminatorLoss(fake, discriminate(priorSamples))"),
    },
    {
      answer: "aae-regularisation", name: "encoder-on-prior", about: "the encoder's loss computed on the prior samples' logits",
      from: swap("encoder: ae.losses.generatorLoss(fake)", "encoder: ae.losses.generatorLoss(discriminate(priorSamples))"),
    },
    {
      answer: "aae-regularisation", name: "saturating-encoder", about: "the encoder minimises log(1 − D(f(x))): no gradient where D rejects the codes",
      from: swap("encoder: ae.losses.generatorLoss(fake)", "encoder: tf.neg(tf.mean(tf.softplus(fake))) as ae.tf.Scalar"),
    },
  ],
  "10b-aae-clustering": [
    { answer: "majority-vote", name: "one-to-one-by-index", about: "cluster c taken to mean class c", from: swap("for (const row of counts.values()) correct += Math.max(...row.values());", "for (const [c, row] of counts) correct += row.get(c) ?? 0;") },
    { answer: "majority-vote", name: "count-of-classes", about: "each cluster credited with its number of classes instead of its largest class", from: swap("correct += Math.max(...row.values());", "correct += row.size;") },
  ],
  "10c-aae-semi-supervised": [
    { answer: "semi-supervised-losses", name: "logits-to-discriminator", about: "the logits themselves given to D_y instead of their softmax", from: swap("discriminateCategory(tf.softmax(unlabelledLogits))", "discriminateCategory(unlabelledLogits)") },
    { answer: "semi-supervised-losses", name: "log-of-softmax", about: "the cross-entropy from tf.log(tf.softmax(·)): Infinity at logits of 1000", from: swap("tf.logSoftmax(labelledLogits)", "tf.log(tf.softmax(labelledLogits))") },
    { answer: "semi-supervised-losses", name: "real-fake-swapped", about: "the softmax called real and the one-hot samples fake", from: swap("ae.losses.discriminatorLoss(discriminateCategory(priorOneHot), fake)", "ae.losses.discriminatorLoss(fake, discriminateCategory(priorOneHot))") },
  ],
  "10d-aae-clustering-continued": [
    { answer: "one-to-one", name: "majority-vote", about: "each cluster takes its majority class, two may share one", from: swap(/\/\/ Give cluster c[\s\S]*search\(0, 0\);/, "for (const row of counts) best += Math.max(...row);") },
    { answer: "one-to-one", name: "greedy", about: "clusters take their best free class in order, not the best matching", from: swap(/const search = [\s\S]*search\(0, 0\);/, "for (let c = 0; c < k; c++) { let y = -1; for (let j = 0; j < k; j++) if (!taken[j] && (y < 0 || counts[c][j] > counts[c][y])) y = j; taken[y] = true; best += counts[c][y]; }") },
  ],
  "11-autoencoder-applications": [
    { answer: "auroc", name: "ties-ignored", about: "tied scores ranked in input order instead of sharing their mean rank", from: swap("while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;", "") },
    { answer: "auroc", name: "reversed", about: "low scores taken as anomalous", from: swap("sort((a, b) => scores[a] - scores[b])", "sort((a, b) => scores[b] - scores[a])") },
    { answer: "auroc", name: "sorts-the-input", about: "sorts the caller's scores in place", from: (s) => swap("const order = ", "if (Array.isArray(scores)) (scores as number[]).sort((a, b) => a - b);\n  const order = ")(s) },
    { answer: "precision-at-k", name: "divides-by-ranking", about: "relevant items over the ranking's length instead of over k", from: swap("return relevant / k;", "return relevant / ranking.length;") },
    { answer: "precision-at-k", name: "no-k-check", about: "k outside 1..ranking.length accepted", from: swap(/^.*if \(!\(Number\.isInteger\(k\).*\n/m, "") },
  ],
  "12-vq-vae": [
    { answer: "vq", name: "no-straight-through", about: "returns the nearest entries themselves: no gradient reaches z", from: swap("return tf.add(z, ae.models.stopGradient(tf.sub(nearest, z))) as ae.tf.Tensor2D;", "return nearest as ae.tf.Tensor2D;") },
    { answer: "vq", name: "farthest", about: "argMax of the distances: the farthest entry", from: swap("tf.argMin(distances, 1)", "tf.argMax(distances, 1)") },
    { answer: "vq-loss-terms", name: "no-stop-gradients", about: "both terms without stop-gradients: each moves both the encoder and the entries", from: swap("return { codebook: meanSquared(ae.models.stopGradient(z), e), commitment: tf.mul(beta, meanSquared(z, ae.models.stopGradient(e))) as ae.tf.Scalar };", "return { codebook: meanSquared(z, e), commitment: tf.mul(beta, meanSquared(z, e)) as ae.tf.Scalar };") },
    { answer: "vq-loss-terms", name: "stop-gradients-swapped", about: "sg on the entries in the codebook term and on z in the commitment term", from: swap("return { codebook: meanSquared(ae.models.stopGradient(z), e), commitment: tf.mul(beta, meanSquared(z, ae.models.stopGradient(e))) as ae.tf.Scalar };", "return { codebook: meanSquared(z, ae.models.stopGradient(e)), commitment: tf.mul(beta, meanSquared(ae.models.stopGradient(z), e)) as ae.tf.Scalar };") },
    { answer: "vq-loss-terms", name: "beta-on-codebook", about: "β on the codebook term instead of the commitment term", from: swap("return { codebook: meanSquared(ae.models.stopGradient(z), e), commitment: tf.mul(beta, meanSquared(z, ae.models.stopGradient(e))) as ae.tf.Scalar };", "return { codebook: tf.mul(beta, meanSquared(ae.models.stopGradient(z), e)) as ae.tf.Scalar, commitment: meanSquared(z, ae.models.stopGradient(e)) };") },
  ],
  "12c-ebgan": [
    { answer: "ebgan-loss", name: "hinge-of-mean", about: "the hinge applied to the mean fake energy instead of to each image", from: swap("tf.mean(tf.relu(tf.sub(margin, fakeEnergy)))", "tf.relu(tf.sub(margin, tf.mean(fakeEnergy)))") },
    { answer: "ebgan-loss", name: "no-hinge", about: "margin − E(fake) without the max(0, ·)", from: swap("tf.mean(tf.relu(tf.sub(margin, fakeEnergy)))", "tf.mean(tf.sub(margin, fakeEnergy))") },
  ],
};
