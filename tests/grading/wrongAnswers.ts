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
  ],
};
