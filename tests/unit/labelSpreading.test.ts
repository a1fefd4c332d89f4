// Label spreading: labels flow along the neighbour graph, so one label per dense region labels it all.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { labelSpreading } from "../../lib/src/metrics/labelSpreading";
import { linearProbeAccuracy } from "../../lib/src/metrics/linearProbe";
import { randomArray } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

// Two interleaved half-moons in 2-D (a classic case where the labels must follow the data's shape).
function moons(n: number, seed: number): { features: Float32Array; labels: Int32Array } {
  const u = randomArray(2 * n, seed, 0, 1), noise = randomArray(2 * n, seed + 1, -0.05, 0.05);
  const features = new Float32Array(2 * n), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = Math.PI * u[i], c = i % 2;
    features[2 * i] = (c === 0 ? Math.cos(t) : 1 - Math.cos(t)) + noise[2 * i];
    features[2 * i + 1] = (c === 0 ? Math.sin(t) : 0.5 - Math.sin(t)) + noise[2 * i + 1];
    labels[i] = c;
  }
  return { features, labels };
}

describe("labelSpreading", () => {
  const pool = moons(400, 1), test = moons(200, 7);
  // One labelled point at the tip of each moon.
  const labelled = { features: Float32Array.from([-1, 0, 2, 0.5]), labels: Int32Array.from([0, 1]) };
  const accuracy = (p: Int32Array) => p.reduce((c, v, i) => c + (v === test.labels[i] ? 1 : 0), 0) / p.length;

  it("labels two half-moons from one label each, where a linear classifier on the two labels cannot", () => {
    const clf = labelSpreading(labelled, pool.features, 2, { neighbours: 8 });
    const spread = accuracy(clf.predict(test.features));
    const linear = linearProbeAccuracy(labelled, test, 2, { epochs: 200, batchSize: 2 }).testAccuracy;
    assert.ok(spread > 0.9, `label spreading ${spread}`);
    assert.ok(spread > linear + 0.1, `label spreading ${spread} against a line ${linear}`);
    
  });

  it("gives every graph point a distribution over classes; the labelled ones keep their label", () => {
    const { scores } = labelSpreading(labelled, pool.features, 2, { neighbours: 8 });
    assert.equal(scores.length, (2 + 400) * 2);
    for (let i = 0; i < 402; i++) assert.ok(Math.abs(scores[2 * i] + scores[2 * i + 1] - 1) < 1e-5);
    assert.ok(scores[0] > 0.5 && scores[3] > 0.5);
  });

  it("runs to its fixed point: stopping at the tolerance gives the scores of running ten times longer", () => {
    const atTolerance = labelSpreading(labelled, pool.features, 2, { neighbours: 8 }).scores;
    const longer = labelSpreading(labelled, pool.features, 2, { neighbours: 8, iterations: 20000, tolerance: -1 }).scores;
    const thirty = labelSpreading(labelled, pool.features, 2, { neighbours: 8, iterations: 30, tolerance: -1 }).scores;
    const largestGap = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    assert.ok(largestGap(atTolerance, longer) < 1e-3, `fixed point: ${largestGap(atTolerance, longer)}`);
    assert.ok(largestGap(thirty, longer) > 10 * largestGap(atTolerance, longer), "30 iterations stop far from it");
  });

  it("leaks no tensors, and names bad input", () => {
    const before = tf.memory().numTensors;
    labelSpreading(labelled, pool.features, 2).predict(test.features);
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => labelSpreading(labelled, new Float32Array(5), 2), /do not make rows of one size/);
    assert.throws(() => labelSpreading({ features: labelled.features, labels: Int32Array.from([0, 2]) }, pool.features, 2), /label 2 at row 1 is outside 0\.\.1/);
    assert.throws(() => labelSpreading(labelled, pool.features, 2, { neighbours: 500 }), /neighbours must be in 1\.\.401/);
  });
});
