// MADE: the masks make output d depend only on positions before d, the outputs are normalised
// conditionals (so the probabilities of all grids sum to 1), sampling is seeded, nothing leaks.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Made, indexGridDataset } from "../../lib/src/models/made";

before(async () => {
  await tf.setBackend("cpu");
});

describe("MADE over index grids", () => {
  it("output d changes only when a position before d changes", () => {
    const made = new Made({ positions: 5, categories: 3, hidden: [12, 12], seed: 1 });
    const base = [0, 1, 2, 0, 1];
    const at = (grid: number[]) => made.logits(tf.tensor2d([grid], [1, 5])).arraySync()[0];
    const reference = at(base);
    for (let changed = 0; changed < 5; changed++) {
      const grid = base.slice(); grid[changed] = (grid[changed] + 1) % 3;
      const moved = at(grid).map((row, d) => row.some((v, k) => Math.abs(v - reference[d][k]) > 1e-6));
      moved.forEach((m, d) => { if (d <= changed) assert.equal(m, false, `changing position ${changed} must not move output ${d}`); });
      if (changed < 4) assert.ok(moved.slice(changed + 1).some((m) => m), `changing position ${changed} moves some later output`);
    }
    made.dispose();
  });

  it("defines a distribution: the probabilities of all 27 grids of 3 positions sum to 1", () => {
    const made = new Made({ positions: 3, categories: 3, hidden: [8], seed: 2 });
    const grids = Array.from({ length: 27 }, (_, i) => [Math.floor(i / 9), Math.floor(i / 3) % 3, i % 3]);
    const total = tf.sum(tf.exp(tf.neg(made.negativeLogLikelihood(tf.tensor2d(grids))))).dataSync()[0];
    assert.ok(Math.abs(total - 1) < 1e-5, `sum of p(grid) = ${total}`);
    made.dispose();
  });

  it("learns a grid distribution where each position copies the one before, and samples it", async () => {
    const made = new Made({ positions: 4, categories: 3, hidden: [24], seed: 3 });
    const grids = tf.tensor2d([[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]]);
    const optimizer = tf.train.adam(0.05);
    for (let i = 0; i < 150; i++) optimizer.minimize(() => made.loss(grids), false, made.variables);
    const nll = made.loss(grids).dataSync()[0];
    assert.ok(Math.abs(nll - Math.log(3)) < 0.05, `only the first position is uncertain: log 3 = 1.0986 nats, got ${nll}`);
    const before = tf.memory().numTensors;
    const drawn = made.sample(30, 5), values = drawn.dataSync();
    for (let i = 0; i < 30; i++) assert.ok([1, 2, 3].every((d) => values[i * 4 + d] === values[i * 4]), "every drawn grid repeats its first index");
    assert.deepEqual(Array.from(made.sample(30, 5).dataSync()), Array.from(values), "seeded");
    drawn.dispose();
    assert.equal(tf.memory().numTensors, before + 1, "sampling leaves only its second result behind");
    optimizer.dispose();
    made.dispose();
  });

  it("says what was wrong with bad input; the loss leaks nothing", () => {
    assert.throws(() => new Made({ positions: 1, categories: 3, hidden: [4] }), /positions must be a whole number ≥ 2/);
    assert.throws(() => new Made({ positions: 4, categories: 3, hidden: [] }), /hidden must list one or more/);
    const made = new Made({ positions: 4, categories: 3, hidden: [6] });
    assert.throws(() => made.logits(tf.zeros([2, 5]) as tf.Tensor2D), /expected \[n, 4\]/);
    const grids = tf.tensor2d([[0, 1, 2, 0]]), before = tf.memory().numTensors;
    made.loss(grids).dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => indexGridDataset([0, 1, 2], 2, new Int32Array(2)), /3 indices do not make 2 grids of 2 positions/);
    assert.equal(indexGridDataset([0, 1, 2, 3], 2, new Int32Array(2)).featureSize, 2);
    made.dispose();
  });
});
