// Checkpoints: round trips of variables and layers models on cpu and wasm (and across them), clear
// errors for checkpoints that do not fit, and atomic replacement.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { installWasmFixes } from "../../lib/src/backend";
import { loadCheckpoint, saveCheckpoint } from "../../lib/src/training";
import { randomArray, tempDir } from "./helpers";

const tmp = tempDir("checkpoint");
after(tmp.cleanup);
let dirs = 0;
const freshDir = () => path.join(tmp.dir, `ckpt-${++dirs}`);

async function use(backend: "cpu" | "wasm"): Promise<void> {
  if (backend === "wasm") installWasmFixes();
  assert.equal(await tf.setBackend(backend), true);
}

/** A record of two variables with seeded values. */
function record(seed: number): Record<string, tf.Variable> {
  return {
    encoder: tf.variable(tf.tensor2d(randomArray(6, seed), [2, 3])),
    bias: tf.variable(tf.tensor1d(randomArray(4, seed + 1))),
  };
}
const values = (r: Record<string, tf.Variable>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.from(v.dataSync())]));

function model(): tf.Sequential {
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [5], units: 4, activation: "relu" }),
    tf.layers.dense({ units: 3, activation: "sigmoid" }),
  ] });
}
const predict = (m: tf.LayersModel) => tf.tidy(() => Array.from((m.predict(tf.tensor2d(randomArray(10, 99), [2, 5])) as tf.Tensor).dataSync()));

describe("saveCheckpoint / loadCheckpoint round trips", () => {
  for (const [saveOn, loadOn] of [["cpu", "cpu"], ["wasm", "wasm"], ["cpu", "wasm"], ["wasm", "cpu"]] as const) {
    it(`a variable record saved on ${saveOn} loads on ${loadOn}, with its metadata`, async () => {
      const dir = freshDir();
      await use(saveOn);
      const saved = record(1);
      const expected = values(saved);
      saveCheckpoint(dir, saved, { epoch: 7, note: "round trip" });
      tf.dispose(Object.values(saved));

      await use(loadOn);
      const target = record(50);
      assert.notDeepEqual(values(target), expected);
      const tensors = tf.memory().numTensors;
      const metadata = loadCheckpoint(dir, target);
      assert.equal(tf.memory().numTensors, tensors, "loading leaks no tensor");
      assert.deepEqual(values(target), expected);
      assert.equal(metadata.epoch, 7);
      assert.equal(metadata.note, "round trip");
      assert.ok(!Number.isNaN(Date.parse(String(metadata.savedAt))), "savedAt is a date");
      tf.dispose(Object.values(target));
    });

    it(`a tf.sequential model saved on ${saveOn} loads into a rebuilt model on ${loadOn}`, async () => {
      const dir = freshDir();
      await use(saveOn);
      const original = model();
      const expected = predict(original);
      saveCheckpoint(dir, original);
      original.dispose();

      await use(loadOn);
      const rebuilt = model(); // same architecture, new random weights (and new auto-generated layer names)
      assert.ok(relDiff(predict(rebuilt), expected) > 1e-3, "the rebuilt model differs before loading");
      loadCheckpoint(dir, rebuilt);
      assert.ok(relDiff(predict(rebuilt), expected) < 1e-6, "and predicts the same after loading");
      rebuilt.dispose();
    });
  }

  it("a model with named layers loads by layer name", async () => {
    await use("cpu");
    const dir = freshDir();
    const named = () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [5], units: 4, name: "encoder" }), tf.layers.dense({ units: 3, name: "decoder" }),
    ] });
    const original = named();
    saveCheckpoint(dir, original);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "weights.json"), "utf8"));
    assert.deepEqual(manifest.weights.map((w: { name: string }) => w.name), ["encoder/kernel", "encoder/bias", "decoder/kernel", "decoder/bias"]);
    const rebuilt = named();
    loadCheckpoint(dir, rebuilt);
    assert.ok(relDiff(predict(rebuilt), predict(original)) < 1e-6);
  });

  it("an array of variables round-trips by variable name", async () => {
    await use("cpu");
    const dir = freshDir();
    const a = tf.variable(tf.tensor1d([1, 2, 3]), true, "ckpt-array/a");
    const b = tf.variable(tf.tensor1d([4]), true, "ckpt-array/b");
    saveCheckpoint(dir, [a, b]);
    a.assign(tf.zeros([3]));
    b.assign(tf.zeros([1]));
    loadCheckpoint(dir, [b, a]); // order does not matter, names do
    assert.deepEqual(Array.from(a.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(b.dataSync()), [4]);
    tf.dispose([a, b]);
  });
});

function relDiff(a: number[], b: number[]): number {
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]))) / Math.max(1e-12, ...b.map(Math.abs));
}

describe("checkpoints that do not fit are clear errors that change nothing", () => {
  it("a shape mismatch names the weight and both shapes", async () => {
    await use("cpu");
    const dir = freshDir();
    saveCheckpoint(dir, { w: tf.variable(tf.zeros([2, 3])), b: tf.variable(tf.zeros([3])) });
    const target = { w: tf.variable(tf.ones([3, 2])), b: tf.variable(tf.ones([3])) };
    assert.throws(() => loadCheckpoint(dir, target), /weight 'w' is \[2,3\] in the checkpoint but \[3,2\] in the model/);
    assert.deepEqual(Array.from(target.b.dataSync()), [1, 1, 1], "nothing was loaded");
  });

  it("a missing weight is named, with the names the checkpoint has", async () => {
    await use("cpu");
    const dir = freshDir();
    saveCheckpoint(dir, { a: tf.variable(tf.zeros([2])), b: tf.variable(tf.zeros([2])) });
    assert.throws(() => loadCheckpoint(dir, { a: tf.variable(tf.zeros([2])), c: tf.variable(tf.zeros([2])) }),
      /the checkpoint has no weight 'c' \(it has: a, b\); was it saved from a different model\?/);
  });

  it("a model of another architecture is not loaded by position", async () => {
    await use("cpu");
    const dir = freshDir();
    saveCheckpoint(dir, model());
    const other = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 2 }), tf.layers.dense({ units: 3 })] });
    assert.throws(() => loadCheckpoint(dir, other), /the checkpoint has no weight/);
  });

  it("a truncated weights.bin is reported with its size and the size needed", async () => {
    await use("cpu");
    const dir = freshDir();
    saveCheckpoint(dir, { w: tf.variable(tf.zeros([2, 3])) });
    const bin = path.join(dir, "weights.bin");
    fs.writeFileSync(bin, fs.readFileSync(bin).subarray(0, 10));
    assert.throws(() => loadCheckpoint(dir, { w: tf.variable(tf.zeros([2, 3])) }),
      new RegExp(`${bin.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} has 10 bytes, the manifest needs 24; the checkpoint is truncated or corrupt`));
  });

  it("a folder without a checkpoint says so", () => {
    assert.throws(() => loadCheckpoint(path.join(tmp.dir, "nothing"), {}), /weights\.json not found; is .* a checkpoint saved by saveCheckpoint\?/);
  });

  it("two weights with one name cannot be saved", async () => {
    await use("cpu");
    const v = tf.variable(tf.zeros([1]), true, "ckpt-dup/v");
    assert.throws(() => saveCheckpoint(freshDir(), [v, v]), /two weights are named 'ckpt-dup\/v'/);
  });
});

describe("saving over an existing checkpoint", () => {
  it("replaces it completely and leaves no temporary folders", async () => {
    await use("cpu");
    const dir = freshDir();
    saveCheckpoint(dir, { old: tf.variable(tf.tensor1d([1, 1])) }, { version: 1 });
    const target = { fresh: tf.variable(tf.tensor1d([0, 0, 0])) };
    saveCheckpoint(dir, { fresh: tf.variable(tf.tensor1d([5, 6, 7])) }, { version: 2 });
    const metadata = loadCheckpoint(dir, target);
    assert.equal(metadata.version, 2);
    assert.deepEqual(Array.from(target.fresh.dataSync()), [5, 6, 7]);
    assert.throws(() => loadCheckpoint(dir, { old: tf.variable(tf.zeros([2])) }), /no weight 'old'/);
    assert.deepEqual(fs.readdirSync(path.dirname(dir)).filter((f) => f.startsWith(path.basename(dir) + ".")), []);
  });
});
