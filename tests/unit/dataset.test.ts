// ImageDataset: seeded splits and labelled subsets, mini-batches that cover every row once, no leaks.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../../lib/src/data";

// 53 images of 2x2 pixels; every pixel of row i encodes i, so a row can be identified by its pixels.
const n = 53;
const d = 4;
const classes = ["a", "b", "c", "d", "e"];
const rowValue = (i: number, j: number) => (i * d + j) / (n * d);
const dataset = new ImageDataset(
  Float32Array.from({ length: n * d }, (_, k) => rowValue(Math.floor(k / d), k % d)),
  Int32Array.from({ length: n }, (_, i) => i % classes.length),
  [2, 2, 1], classes, "toy");

/** The original row numbers of a dataset derived from `dataset`. */
function rowsOf(ds: ImageDataset): number[] {
  return Array.from({ length: ds.size }, (_, i) => Math.round(ds.image(i)[0] * n));
}

function assertPartition(parts: number[][], what: string): void {
  const all = parts.flat();
  assert.equal(new Set(all).size, all.length, `${what}: no row appears twice`);
  assert.deepEqual([...all].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), `${what}: every row appears`);
}

before(async () => {
  await tf.setBackend("cpu");
});

describe("ImageDataset", () => {
  it("rejects pixel data that does not fit the labels and image shape", () => {
    assert.throws(() => new ImageDataset(new Float32Array(10), new Int32Array(3), [2, 2, 1], classes, "bad"),
      /bad: 10 pixel values do not make 3 images of 2×2×1/);
  });

  it("split is deterministic for a seed, disjoint, complete, and sized by the fraction", () => {
    const a = dataset.split(0.2, 7);
    const again = dataset.split(0.2, 7);
    assert.equal(a.validation.size, Math.round(n * 0.2));
    assert.equal(a.train.size, n - a.validation.size);
    assert.deepEqual(rowsOf(again.validation), rowsOf(a.validation));
    assert.deepEqual(rowsOf(again.train), rowsOf(a.train));
    assertPartition([rowsOf(a.train), rowsOf(a.validation)], "split");
    // Labels travel with their rows.
    a.train.labels.forEach((label, i) => assert.equal(label, rowsOf(a.train)[i] % classes.length));
    const b = dataset.split(0.2, 8);
    assert.notDeepEqual(rowsOf(b.validation), rowsOf(a.validation), "another seed picks other rows");
  });

  it("split rejects a fraction outside (0, 1)", () => {
    for (const f of [0, 1, -0.1, NaN]) assert.throws(() => dataset.split(f, 1), RangeError);
  });

  it("labelledSubset takes exactly perClass of every class and leaves the rest unlabelled", () => {
    const { labelled, unlabelled } = dataset.labelledSubset(3, 11);
    assert.deepEqual(labelled.classCounts(), [3, 3, 3, 3, 3]);
    assert.equal(unlabelled.size, n - 15);
    assertPartition([rowsOf(labelled), rowsOf(unlabelled)], "labelledSubset");
    assert.deepEqual(rowsOf(dataset.labelledSubset(3, 11).labelled), rowsOf(labelled), "same seed, same rows");
    assert.notDeepEqual(rowsOf(dataset.labelledSubset(3, 12).labelled), rowsOf(labelled), "another seed, other rows");
  });

  it("labelledSubset names a class that has too few examples", () => {
    // Labels are i mod 5 for i < 53: classes a, b, c have 11 rows, d (rows 3, 8, ..., 48) and e have 10.
    assert.throws(() => dataset.labelledSubset(11, 1), /toy: class d has only 10 examples, fewer than 11/);
  });

  it("subset, take and sample pick the rows asked for", () => {
    assert.deepEqual(rowsOf(dataset.subset([5, 0, 52])), [5, 0, 52]);
    assert.throws(() => dataset.subset([0, n]), /row 53 is outside 0..52/);
    assert.deepEqual(rowsOf(dataset.take(4)), [0, 1, 2, 3]);
    assert.equal(dataset.take(1000), dataset);
    const s = rowsOf(dataset.sample(10, 3));
    assert.equal(new Set(s).size, 10);
    assert.deepEqual(rowsOf(dataset.sample(10, 3)), s);
  });

  it("disjointSamples: the first is sample's, the others share no row with it or each other", () => {
    const [first, second, third] = dataset.disjointSamples([10, 20, 23], 3).map(rowsOf);
    assert.deepEqual(first, rowsOf(dataset.sample(10, 3)), "adding a held-out set leaves the training sample as it was");
    assert.equal(new Set([...first, ...second, ...third]).size, 53, "all 53 rows, none twice");
    assert.throws(() => dataset.disjointSamples([50, 4], 1), /toy: 50 \+ 4 = 54 rows asked for, only 53 exist/);
    assert.throws(() => dataset.disjointSamples([1.5], 1), /whole numbers/);
  });
});

describe("ImageDataset.batches", () => {
  it("without a seed: in order, right sizes, tensors equal to the rows", () => {
    const sizes: number[] = [];
    const seen: number[] = [];
    for (const batch of dataset.batches(10)) {
      assert.deepEqual(batch.x.shape, [batch.indices.length, d]);
      const x = batch.x.dataSync();
      batch.indices.forEach((r, i) => {
        for (let j = 0; j < d; j++) assert.equal(x[i * d + j], Math.fround(rowValue(r, j)));
        assert.equal(batch.labels[i], r % classes.length);
      });
      sizes.push(batch.indices.length);
      seen.push(...batch.indices);
      batch.x.dispose();
    }
    assert.deepEqual(sizes, [10, 10, 10, 10, 10, 3]);
    assert.deepEqual(seen, Array.from({ length: n }, (_, i) => i));
  });

  it("with a seed: a permutation of all rows, the same for the same seed, different for another", () => {
    const epoch = (seed: number) => {
      const order: number[] = [];
      for (const batch of dataset.batches(8, { seed })) {
        const x = batch.x.dataSync();
        batch.indices.forEach((r, i) => assert.equal(x[i * d], Math.fround(rowValue(r, 0)), "x row matches its index"));
        order.push(...batch.indices);
        batch.x.dispose();
      }
      return order;
    };
    const first = epoch(5);
    assertPartition([first], "seeded epoch");
    assert.notDeepEqual(first, Array.from({ length: n }, (_, i) => i), "shuffled");
    assert.deepEqual(epoch(5), first);
    assert.notDeepEqual(epoch(6), first);
  });

  it("rejects a batch size below 1", () => {
    assert.throws(() => dataset.batches(0).next(), RangeError);
  });

  it("leaks no tensor when each batch.x is disposed", () => {
    const before = tf.memory().numTensors;
    for (const batch of dataset.batches(16, { seed: 1 })) {
      assert.equal(tf.memory().numTensors, before + 1, "one live tensor per batch");
      batch.x.dispose();
    }
    assert.equal(tf.memory().numTensors, before);
  });
});
