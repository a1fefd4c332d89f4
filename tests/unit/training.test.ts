// The training loop: it learns, leaks nothing between epochs, stops on NaN with the weights intact,
// stops with a clear error when the network dies, stops early with the best weights restored, and
// applies learning-rate schedules.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../../lib/src/data";
import { LinearAutoencoder, MlpAutoencoder } from "../../lib/src/models";
import { meanSquaredError } from "../../lib/src/losses";
import { TrainingCollapsedError, TrainingDivergedError, TrainingInterruptedError, cosineDecay, evaluateLoss, train } from "../../lib/src/training";
import { seededRandom } from "../../lib/src/random";

/** n rows of dimension d on a rank-2 affine subspace (plus a little noise): a linear AE with k = 2 can fit it. */
function lowRankData(n: number, d: number, seed: number): ImageDataset {
  const rand = seededRandom(seed);
  const u = [Array.from({ length: d }, () => rand() - 0.5), Array.from({ length: d }, () => rand() - 0.5)];
  const images = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = [rand() - 0.5, rand() - 0.5];
    for (let j = 0; j < d; j++) images[i * d + j] = 0.5 + z[0] * u[0][j] + z[1] * u[1][j] + 0.001 * (rand() - 0.5);
  }
  return new ImageDataset(images, new Int32Array(n), [d, 1, 1], ["x"], "low rank");
}

function columnMean(ds: ImageDataset): Float32Array {
  const mean = new Float32Array(ds.featureSize);
  for (let i = 0; i < ds.size; i++) ds.image(i).forEach((v, j) => (mean[j] += v / ds.size));
  return mean;
}

/** A dataset whose rows do not matter: for losses that depend on the variables only. */
const dummy = new ImageDataset(new Float32Array(10), new Int32Array(10), [1, 1, 1], ["x"], "dummy");

before(async () => {
  await tf.setBackend("cpu");
});

describe("train", () => {
  it("reduces the loss of a linear autoencoder and keeps the tensor count stable across epochs", async () => {
    const data = lowRankData(256, 8, 1);
    const model = new LinearAutoencoder(8, 2, columnMean(data), { seed: 2 });
    const counts: number[] = [];
    const epochs = 8;
    const history = await train({
      train: data, loss: (b) => model.loss(b.x), variables: model.variables, optimizer: tf.train.adam(0.02),
      epochs, batchSize: 32, progress: "none", onEpochEnd: () => { counts.push(tf.memory().numTensors); },
    });
    assert.equal(history.epochs.length, epochs);
    assert.deepEqual(history.epochs.map((e) => e.epoch), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(history.bestEpoch, epochs);
    assert.equal(history.stoppedEarly, false);
    const first = history.epochs[0].loss;
    const last = history.epochs[epochs - 1].loss;
    assert.ok(last < 0.2 * first, `loss fell from ${first} to ${last}`);
    // The final weights really are better: evaluate them independently of the training loop.
    assert.ok(evaluateLoss(data, (b) => model.loss(b.x)) < 0.2 * first);
    assert.equal(counts[counts.length - 1], counts[0], `tensors after each epoch: ${counts}`);
    model.dispose();
  });

  it("with phases, leaves nothing behind once their optimisers are disposed, and refuses a loop-wide optimiser", async () => {
    const w = tf.variable(tf.tensor1d([0.5, -0.5]), true, "phases/w");
    const before = tf.memory().numTensors;
    const optimizer = tf.train.adam(0.1);
    const phase = { name: "square", variables: [w], optimizer, loss: () => tf.sum(tf.square(w)) as tf.Scalar };
    await train({ train: dummy, phases: [phase], epochs: 2, batchSize: 5, progress: "none" });
    optimizer.dispose();
    assert.equal(tf.memory().numTensors, before, "the loop made no optimiser of its own");
    await assert.rejects(train({ train: dummy, phases: [phase], learningRate: () => 0.1, epochs: 1, progress: "none" }), /each phase brings its own optimiser/);
    const sgd = tf.train.sgd(0.1);
    await assert.rejects(train({ train: dummy, phases: [phase], optimizer: sgd, epochs: 1, progress: "none" }), /each phase brings its own optimiser/);
    sgd.dispose();
    w.dispose();
  });

  it("disposes the optimiser it makes itself when given a loss without one", async () => {
    const w = tf.variable(tf.tensor1d([0.5, -0.5]), true, "default-optimiser/w");
    const before = tf.memory().numTensors;
    await train({ train: dummy, variables: [w], loss: () => tf.sum(tf.square(w)) as tf.Scalar, epochs: 2, batchSize: 5, progress: "none" });
    assert.equal(tf.memory().numTensors, before, "its moments are gone after training");
    assert.ok(Math.abs(w.dataSync()[0]) < 0.5, "and it did train");
    w.dispose();
  });

  it("throws TrainingDivergedError when the loss explodes without becoming NaN (Adam at a learning rate of 1e6)", async () => {
    const data = lowRankData(256, 16, 5);
    const model = new LinearAutoencoder(16, 2, columnMean(data), { seed: 1 });
    const tensors = tf.memory().numTensors;
    const optimizer = tf.train.adam(1e6);
    await assert.rejects(
      train({ train: data, variables: model.variables, optimizer, epochs: 5, batchSize: 16, progress: "none", loss: (b) => model.loss(b.x) }),
      (e: unknown) => {
        assert.ok(e instanceof TrainingDivergedError);
        assert.ok(Number.isFinite(e.loss) && e.loss > 1e5 * ((e.from ?? 0) + 1), `loss ${e.loss} from ${e.from}`);
        assert.match(e.message, /The loss exploded to \S+ \(from about \S+ in its first steps\) at epoch \d+, batch \d+; training stopped.*learning rate that is too high/);
        return true;
      });
    optimizer.dispose();
    assert.equal(tf.memory().numTensors, tensors, "nothing leaked");
    model.dispose();
  });

  it("stops at the next step after a SIGINT, with the weights of the last completed step, and stops listening", async () => {
    const data = lowRankData(256, 8, 6);
    const model = new LinearAutoencoder(8, 2, columnMean(data), { seed: 3 });
    const kernel = () => {}; // what tslab does in a kernel: without a listener, Node would end the process
    process.on("SIGINT", kernel);
    const listeners = process.listenerCount("SIGINT");
    const tensors = tf.memory().numTensors;
    const weightsAfter = new Map<string, Float32Array>();
    const errors: string[] = [];
    const error = console.error;
    console.error = (...a: unknown[]) => { errors.push(a.join(" ")); };
    let thrown: TrainingInterruptedError | undefined;
    try {
      await train({
        train: data, variables: model.variables, epochs: 3, batchSize: 32, progress: "none",
        // 40 ms a step, as a real batch takes: the loop gives the event loop a turn every few steps.
        loss: (b) => { const until = Date.now() + 40; while (Date.now() < until) { /* a slow step */ } return model.loss(b.x); },
        onStep: ({ epoch, batch }) => {
          weightsAfter.set(`epoch ${epoch}, batch ${batch} of 8`, (model.variables[0].dataSync() as Float32Array).slice());
          // As JupyterLab's stop button does: the signal arrives whenever the event loop next gets a turn.
          if (epoch === 1 && batch === 3) setImmediate(() => process.emit("SIGINT", "SIGINT"));
        },
      });
    } catch (e) {
      thrown = e as TrainingInterruptedError;
    } finally {
      console.error = error;
      process.removeListener("SIGINT", kernel);
    }
    assert.ok(thrown instanceof TrainingInterruptedError, `training was not interrupted: ${thrown}`);
    assert.match(thrown.message, /^interrupted at epoch 1, batch [3-8] of 8: the weights are those of the last completed step$/);
    assert.deepEqual(errors, [thrown.message], "said at once, while the cell still runs");
    assert.deepEqual(model.variables[0].dataSync(), weightsAfter.get(thrown.where), "no step after the one it names");
    assert.equal(process.listenerCount("SIGINT"), listeners - 1, "the listener is gone");
    assert.equal(tf.memory().numTensors, tensors, "nothing leaked");
    model.dispose();
  });

  it("throws TrainingCollapsedError when no gradient reaches the weights any more (SGD at 1e6 kills every unit; the loss stays flat)", async () => {
    const data = lowRankData(256, 16, 5);
    const model = new MlpAutoencoder({ inputSize: 16, hidden: [32], codeSize: 4, seed: 1 });
    const optimizer = tf.train.sgd(1e6);
    const tensors = tf.memory().numTensors;
    await assert.rejects(
      train({ train: data, variables: model.variables, optimizer, epochs: 6, batchSize: 16, progress: "none", loss: (b) => meanSquaredError(model.reconstruct(b.x), b.x) }),
      (e: unknown) => e instanceof TrainingCollapsedError && /at epoch 2, batch 1: no gradient reaches the weights: every unit is inactive or saturated.*learning rate far too high/.test(e.message));
    assert.equal(tf.memory().numTensors, tensors, "nothing leaked");
    optimizer.dispose();
    model.dispose();
  });

  it("throws TrainingDivergedError on a NaN loss and leaves the weights as they were before that step", async () => {
    const w = tf.variable(tf.tensor1d([0.5, -0.5]), true, "diverge/w");
    const optimizer = tf.train.sgd(0.1);
    let calls = 0;
    let beforeFailingStep: Float32Array | undefined;
    const tensors = tf.memory().numTensors;
    await assert.rejects(
      train({
        train: dummy, variables: [w], optimizer, epochs: 3, batchSize: 4, progress: "none",
        loss: () => {
          calls++;
          const loss = tf.sum(tf.square(tf.sub(w, 1))) as tf.Scalar;
          if (calls < 3) return loss;
          beforeFailingStep = (w.dataSync() as Float32Array).slice();
          return tf.mul(loss, NaN) as tf.Scalar;
        },
      }),
      (e: unknown) => {
        assert.ok(e instanceof TrainingDivergedError);
        assert.equal(e.epoch, 1);
        assert.equal(e.batch, 3);
        assert.ok(Number.isNaN(e.loss));
        assert.match(e.message, /The loss became NaN at epoch 1, batch 3/);
        assert.match(e.message, /learning rate/);
        return true;
      });
    const after = w.dataSync();
    assert.ok(after.every(Number.isFinite));
    assert.deepEqual(Array.from(after), Array.from(beforeFailingStep!));
    assert.notDeepEqual(Array.from(after), [0.5, -0.5], "the two good steps were applied");
    assert.equal(tf.memory().numTensors, tensors, "nothing leaked on the way out");
    w.dispose();
  });

  it("stops early and restores the weights of the best validation epoch", async () => {
    // Training pulls w from 0 towards 1; the validation loss wants w = 0.3, so it improves, then worsens.
    const w = tf.variable(tf.tensor1d([0]), true, "early/w");
    const recorded: { valLoss: number; w: number }[] = [];
    const patience = 2;
    const history = await train({
      train: dummy, validation: dummy, variables: [w], optimizer: tf.train.sgd(0.1), epochs: 30, batchSize: 10, progress: "none",
      loss: () => tf.sum(tf.square(tf.sub(w, 1))) as tf.Scalar,
      validationLoss: () => tf.sum(tf.square(tf.sub(w, 0.3))) as tf.Scalar,
      earlyStopping: { patience },
      onEpochEnd: (log) => { recorded.push({ valLoss: log.valLoss!, w: w.dataSync()[0] }); },
    });
    // Where the best epoch is follows from the recorded validation losses, not from a constant.
    const best = 1 + recorded.reduce((b, r, i) => (r.valLoss < recorded[b].valLoss ? i : b), 0);
    assert.ok(best > 1, "the validation loss improved at first");
    assert.equal(history.stoppedEarly, true);
    assert.equal(history.bestEpoch, best);
    assert.equal(history.epochs.length, best + patience);
    assert.equal(w.dataSync()[0], recorded[best - 1].w, "the best epoch's weight is back");
    assert.notEqual(recorded[recorded.length - 1].w, recorded[best - 1].w);
    w.dispose();
  });

  it("refuses early stopping without a validation set", async () => {
    await assert.rejects(train({ train: dummy, loss: () => tf.scalar(0), epochs: 1, progress: "none", earlyStopping: { patience: 1 } }),
      /earlyStopping needs a validation set/);
  });

  const optimizers: Record<string, () => tf.Optimizer> = {
    sgd: () => tf.train.sgd(0.5),
    momentum: () => tf.train.momentum(0.5, 0.9),
    adam: () => tf.train.adam(0.5),
  };
  for (const [name, make] of Object.entries(optimizers)) {
    it(`applies the learningRate schedule to ${name}: only the epoch with a non-zero rate moves the weights`, async () => {
      const w = tf.variable(tf.tensor1d([0.25]), true, `schedule-${name}/w`);
      const after: number[] = [];
      await train({
        train: dummy, variables: [w], optimizer: make(), epochs: 3, batchSize: 5, progress: "none",
        loss: () => tf.sum(tf.square(w)) as tf.Scalar,
        learningRate: (epoch) => (epoch === 2 ? 0.01 : 0),
        onEpochEnd: () => { after.push(w.dataSync()[0]); },
      });
      assert.equal(after[0], 0.25, "epoch 1 (rate 0) leaves w alone");
      assert.ok(after[1] < 0.25, "epoch 2 (rate 0.01) moves w towards 0");
      assert.equal(after[2], after[1], "epoch 3 (rate 0) leaves w alone");
      w.dispose();
    });
  }
});

describe("evaluateLoss", () => {
  it("averages a per-batch mean over the rows, weighting the short last batch correctly", () => {
    const values = [1, 2, 3, 4, 5, 6, 7];
    const ds = new ImageDataset(Float32Array.from(values), new Int32Array(7), [1, 1, 1], ["x"], "seven");
    const mean = evaluateLoss(ds, (b) => tf.mean(b.x) as tf.Scalar, 3); // batches of 3, 3, 1
    assert.ok(Math.abs(mean - 4) < 1e-6, `got ${mean}`);
  });
});

describe("cosineDecay", () => {
  it("starts at the initial rate, ends at initial * floor, and passes the midpoint halfway", () => {
    const f = cosineDecay(0.01, 11, 0.1);
    assert.ok(Math.abs(f(1) - 0.01) < 1e-12);
    assert.ok(Math.abs(f(11) - 0.001) < 1e-12);
    assert.ok(Math.abs(f(6) - 0.01 * (0.1 + 0.9 * 0.5)) < 1e-12);
    for (let e = 1; e < 11; e++) assert.ok(f(e + 1) < f(e), "decreasing");
  });

  it("uses a 1 % floor by default and handles a single epoch", () => {
    assert.ok(Math.abs(cosineDecay(1, 5)(5) - 0.01) < 1e-12);
    assert.equal(cosineDecay(0.3, 1)(1), 0.3);
  });
});
