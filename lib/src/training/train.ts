// The one training loop every model in the course uses: seeded shuffling, mini-batches, an optimiser,
// validation loss, early stopping with the best weights restored, and a guard against NaN/Inf losses.
import * as tf from "@tensorflow/tfjs";
import { Batch, ImageDataset } from "../data/dataset";
import { TrainingDivergedError } from "./errors";
import { EpochLog, History } from "./history";
import { progressReporter } from "./progress";

export interface TrainOptions {
  /** The scalar loss of one batch; called inside the optimiser's gradient tape. */
  loss: (batch: Batch) => tf.Scalar;
  train: ImageDataset;
  validation?: ImageDataset;
  /** Loss used on validation batches (default: `loss`). */
  validationLoss?: (batch: Batch) => tf.Scalar;
  /** Variables to optimise (default: every trainable variable created so far). */
  variables?: tf.Variable[];
  optimizer?: tf.Optimizer;
  /** Learning rate for each epoch (1-based), e.g. cosineDecay(1e-3, epochs); default: the optimiser's own. */
  learningRate?: (epoch: number) => number;
  epochs: number;
  batchSize?: number;
  /** Seed of the per-epoch shuffles (epoch e uses seed + e). */
  seed?: number;
  /** Stop when the validation loss has not improved by minDelta for `patience` epochs. */
  earlyStopping?: { patience: number; minDelta?: number };
  /** "auto": bar and live chart in Jupyter, a line per epoch elsewhere. */
  progress?: "auto" | "text" | "none";
  title?: string;
  onEpochEnd?: (log: EpochLog) => void | Promise<void>;
}

/** Cosine decay from `initial` at epoch 1 to `initial * floor` at the last epoch. */
export function cosineDecay(initial: number, epochs: number, floor = 0.01): (epoch: number) => number {
  return (epoch) => initial * (floor + (1 - floor) * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / Math.max(1, epochs - 1))));
}

/** Mean loss over a dataset, batch by batch, with no gradients. */
export function evaluateLoss(data: ImageDataset, loss: (batch: Batch) => tf.Scalar, batchSize = 1000): number {
  let total = 0;
  for (const batch of data.batches(batchSize)) {
    total += tf.tidy(() => loss(batch).dataSync()[0]) * batch.labels.length;
    batch.x.dispose();
  }
  return total / data.size;
}

export async function train(options: TrainOptions): Promise<History> {
  const { train: data, validation, epochs } = options;
  const batchSize = options.batchSize ?? 128;
  const seed = options.seed ?? 0;
  const optimizer = options.optimizer ?? tf.train.adam(1e-3);
  const variables = options.variables;
  const valLoss = options.validationLoss ?? options.loss;
  const title = options.title ?? "training";
  const progress = progressReporter(options.progress ?? "auto", title, epochs);
  const batches = Math.ceil(data.size / batchSize);
  const patience = options.earlyStopping?.patience;
  const minDelta = options.earlyStopping?.minDelta ?? 0;
  if (patience !== undefined && !validation) throw new Error("train: earlyStopping needs a validation set");

  const logs: EpochLog[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | undefined;
  let stoppedEarly = false;
  const started = Date.now();
  const trainable = () => variables ?? (Object.values(tf.engine().registeredVariables).filter((v) => v.trainable) as tf.Variable[]);

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = Date.now();
      // Most tfjs optimisers read their (protected) learningRate field on each step; SGD and momentum
      // cache -learningRate in a tensor that only their setLearningRate updates.
      if (options.learningRate) {
        const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
        const lr = options.learningRate(epoch);
        if (typeof o.setLearningRate === "function") o.setLearningRate(lr);
        else o.learningRate = lr;
      }
      let sum = 0;
      let b = 0;
      for (const batch of data.batches(batchSize, { seed: seed + epoch })) {
        b++;
        // computeGradients + applyGradients (rather than minimize) so that a non-finite loss is caught
        // before it reaches the weights.
        let computed: { value: tf.Scalar; grads: tf.NamedTensorMap };
        try {
          computed = optimizer.computeGradients(() => options.loss(batch), variables);
        } finally {
          batch.x.dispose(); // also when the loss function throws
        }
        const { value, grads } = computed;
        const lossValue = value.dataSync()[0];
        value.dispose();
        if (!Number.isFinite(lossValue)) {
          tf.dispose(grads);
          throw new TrainingDivergedError(epoch, b, lossValue);
        }
        optimizer.applyGradients(grads);
        tf.dispose(grads);
        sum += lossValue * batch.labels.length;
        progress.batch(epoch, b, batches, sum / Math.min(b * batchSize, data.size));
      }
      const log: EpochLog = { epoch, loss: sum / data.size, seconds: (Date.now() - t0) / 1000 };
      if (validation) log.valLoss = evaluateLoss(validation, valLoss);
      logs.push(log);
      await progress.epoch(log, epochs);
      await options.onEpochEnd?.(log);

      const monitored = log.valLoss ?? log.loss;
      if (monitored < best - minDelta) {
        best = monitored;
        bestEpoch = epoch;
        if (patience !== undefined) {
          tf.dispose(bestWeights);
          bestWeights = trainable().map((v) => tf.keep(v.clone()));
        }
      } else if (patience !== undefined && epoch - bestEpoch >= patience) {
        stoppedEarly = true;
        break;
      }
    }
    if (bestWeights) trainable().forEach((v, i) => v.assign(bestWeights![i]));
    else bestEpoch = logs.length;
    progress.done(stoppedEarly ? `stopped early after epoch ${logs.length}; kept the weights of epoch ${bestEpoch}` : `done: ${logs.length} epochs`);
    return { epochs: logs, bestEpoch, stoppedEarly, seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    progress.done(`stopped: ${(e as Error).message.split(";")[0]}`);
    throw e;
  } finally {
    tf.dispose(bestWeights);
  }
}
