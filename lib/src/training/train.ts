// The one training loop every model in the course uses: seeded shuffling, mini-batches, an optimiser,
// validation loss, early stopping with the best weights restored, and a guard against NaN/Inf losses.
import * as tf from "@tensorflow/tfjs";
import { Batch, ImageDataset } from "../data/dataset";
import { TrainingCollapsedError, TrainingDivergedError } from "./errors";
import { listenForInterrupt } from "./interrupt";
import { EpochLog, History } from "./history";
import { progressReporter } from "./progress";
import { mixSeeds, setNoiseSeed } from "../random";

/** A batch loss: a scalar, or a scalar with named parts to chart beside it (e.g. reconstruction and KL). */
export type LossOutput = tf.Scalar | { loss: tf.Scalar; terms: Record<string, tf.Scalar> };

/**
 * One phase of an alternating step (e.g. an adversarial autoencoder's reconstruction, discriminator
 * and generator phases): its own loss, variables and optimiser, run on every batch in order.
 */
export interface Phase {
  name: string;
  loss: (batch: Batch) => LossOutput;
  variables: tf.Variable[];
  optimizer: tf.Optimizer;
}

/** What one step measured, for a guard that stops a run going wrong (see collapseGuard). */
export interface StepLog {
  epoch: number;
  batch: number;
  /** Each phase's loss under its name (or "loss" with a single loss) and every named term. */
  values: Record<string, number>;
}

export interface TrainOptions {
  /** The loss of one batch; called inside the optimiser's gradient tape. Give this or `phases`. */
  loss?: (batch: Batch) => LossOutput;
  /**
   * Alternating phases instead of one loss: each batch runs every phase in turn, each phase a
   * gradient step of its own loss on its own variables with its own optimiser. The epoch's `loss`
   * is the first phase's; every phase's loss (and terms) goes to the chart under its name.
   */
  phases?: Phase[];
  /** Called after every step with its numbers; throw to stop training (the weights stay as they are). */
  onStep?: (step: StepLog) => void;
  train: ImageDataset;
  validation?: ImageDataset;
  /** Loss used on validation batches (default: `loss`, or the first phase's). */
  validationLoss?: (batch: Batch) => LossOutput;
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

/** Reads a loss output's numbers and disposes its tensors. */
function lossValues(out: LossOutput): { loss: number; terms?: Record<string, number> } {
  if (out instanceof tf.Tensor) {
    const loss = out.dataSync()[0];
    out.dispose();
    return { loss };
  }
  const terms = Object.fromEntries(Object.entries(out.terms).map(([k, t]) => [k, t.dataSync()[0]]));
  const loss = out.loss.dataSync()[0];
  tf.dispose([out.loss, ...Object.values(out.terms)]);
  return { loss, terms };
}

/** Running sums of a loss and its parts, weighted by batch size. */
class Means {
  private n = 0;
  private sums: Record<string, number> = {};
  add(v: { loss: number; terms?: Record<string, number> }, count: number) {
    this.n += count;
    for (const [k, x] of Object.entries({ loss: v.loss, ...v.terms })) this.sums[k] = (this.sums[k] ?? 0) + x * count;
  }
  get loss() { return this.sums.loss / this.n; }
  get terms(): Record<string, number> | undefined {
    const keys = Object.keys(this.sums).filter((k) => k !== "loss");
    return keys.length ? Object.fromEntries(keys.map((k) => [k, this.sums[k] / this.n])) : undefined;
  }
}

/** Mean loss (and its parts) over a dataset, batch by batch, with no gradients. */
export function evaluateLossTerms(data: ImageDataset, loss: (batch: Batch) => LossOutput, batchSize = 1000): { loss: number; terms?: Record<string, number> } {
  const means = new Means();
  for (const batch of data.batches(batchSize)) {
    try {
      means.add(lossValues(tf.tidy(() => loss(batch))), batch.labels.length);
    } finally {
      batch.x.dispose();
    }
  }
  return { loss: means.loss, terms: means.terms };
}

/** Mean loss over a dataset, batch by batch, with no gradients. */
export function evaluateLoss(data: ImageDataset, loss: (batch: Batch) => LossOutput, batchSize = 1000): number {
  return evaluateLossTerms(data, loss, batchSize).loss;
}

/** How many times its first loss a phase's loss may grow before it counts as exploded. */
const EXPLODED = 1e5;

/**
 * A step whose loss is NaN or infinite, or that has grown by orders of magnitude, has gone wrong: the
 * second kind never becomes NaN (a learning rate far too high under Adam "trains" to 1e27). Each
 * phase's first loss, computed before any update, sets its scale: an untrained model's loss is about
 * as large as a sane run's ever gets.
 */
class DivergenceGuard {
  private readonly first = new Map<string, number>();

  /** The error to stop training with, or undefined when the step's loss is sane. */
  diverged(phase: string, loss: number, epoch: number, b: number): TrainingDivergedError | undefined {
    const name = phase === "loss" ? undefined : phase;
    if (!Number.isFinite(loss)) return new TrainingDivergedError(epoch, b, loss, name);
    const first = this.first.get(phase);
    if (first === undefined) this.first.set(phase, Math.abs(loss));
    else if (loss > EXPLODED * (first + 1)) return new TrainingDivergedError(epoch, b, loss, name, first);
    return undefined;
  }

  /**
   * A network whose units never fire any more (ReLUs pushed below zero for every input, after a step
   * far too large) has a flat loss and no gradient: it is not NaN and it is not growing, so the checks
   * above pass while nothing is learnt. Checked on each epoch's first batch after the first epoch: no
   * gradient at all on any weight matrix (biases aside) of the phase.
   */
  dead(phase: string, grads: tf.NamedTensorMap, epoch: number, b: number): TrainingCollapsedError | undefined {
    if (epoch < 2 || b !== 1) return undefined;
    const weights = Object.values(grads).filter((g) => g && g.rank >= 2);
    if (!weights.length) return undefined;
    const largest = tf.tidy(() => tf.max(tf.stack(weights.map((g) => tf.max(tf.abs(g))))).dataSync()[0]);
    if (largest !== 0) return undefined;
    return new TrainingCollapsedError(epoch, b, `no gradient reaches the weights${phase === "loss" ? "" : ` of the ${phase} phase`}: every unit is inactive or saturated (ReLUs that no input turns on, sigmoids pinned at 0 or 1), so the loss stays flat and no later step can change it`,
      "This follows a learning rate far too high for the optimiser (sgd or adam at 1e6, say). Make a new model and train it with a smaller one (1e-3 for Adam, 0.1 for SGD).");
  }
}

/**
 * One optimiser step of one phase. computeGradients + applyGradients (rather than minimize) so that a
 * non-finite loss is caught before it reaches the weights.
 */
function gradientStep(phase: Phase, batch: Batch, epoch: number, b: number, guard: DivergenceGuard): { loss: number; terms?: Record<string, number> } {
  const kept: { terms?: Record<string, tf.Scalar> } = {};
  let computed: { value: tf.Scalar; grads: tf.NamedTensorMap };
  try {
    computed = phase.optimizer.computeGradients(() => {
      const out = phase.loss(batch);
      if (out instanceof tf.Tensor) return out;
      Object.values(out.terms).forEach((t) => tf.keep(t)); // outlive the tape, for the chart
      kept.terms = out.terms;
      return out.loss;
    }, phase.variables);
  } catch (e) {
    if (kept.terms) tf.dispose(Object.values(kept.terms));
    throw e;
  }
  const { value, grads } = computed;
  const values = lossValues(kept.terms ? { loss: value, terms: kept.terms } : value);
  const diverged = guard.diverged(phase.name, values.loss, epoch, b) ?? guard.dead(phase.name, grads, epoch, b);
  if (diverged) {
    tf.dispose(grads);
    throw diverged;
  }
  phase.optimizer.applyGradients(grads);
  tf.dispose(grads);
  return values;
}

export async function train(options: TrainOptions): Promise<History> {
  const { train: data, validation, epochs } = options;
  const batchSize = options.batchSize ?? 128;
  const seed = options.seed ?? 0;
  if (!options.loss === !options.phases) throw new Error("train: give either `loss` (one optimiser) or `phases` (alternating steps), not both or neither");
  if (options.phases?.length === 0) throw new Error("train: `phases` is empty; give at least one phase");
  if (options.phases && (options.optimizer || options.learningRate)) throw new Error("train: `optimizer` and `learningRate` are for a single `loss`; with `phases`, each phase brings its own optimiser: set its learning rate where that optimiser is made (e.g. `learningRates` of `model.phases`)");
  const variables = options.variables;
  // A default optimiser only for a single loss (phases bring their own), disposed when training ends.
  const ownOptimizer = !options.phases && !options.optimizer ? tf.train.adam(1e-3) : undefined;
  const optimizer = options.optimizer ?? ownOptimizer!;
  const phases: Phase[] = options.phases ?? [{ name: "loss", loss: options.loss!, variables: variables!, optimizer }];
  const valLoss = options.validationLoss ?? phases[0].loss;
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
  const guard = new DivergenceGuard();
  const interrupts = listenForInterrupt();
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
      const means = new Means();
      let b = 0;
      for (const batch of data.batches(batchSize, { seed: seed + epoch })) {
        b++;
        let step: { loss: number; terms?: Record<string, number> };
        try {
          const perPhase = phases.map((phase, i) => {
            setNoiseSeed(mixSeeds(seed, epoch, b, i)); // the step's unseeded noise repeats run to run
            return gradientStep(phase, batch, epoch, b, guard);
          });
          step = phases.length === 1 ? perPhase[0]
            : { loss: perPhase[0].loss, terms: Object.assign({}, ...perPhase.map((p, i) => ({ [phases[i].name]: p.loss, ...p.terms }))) };
        } finally {
          batch.x.dispose(); // also when a loss function throws
        }
        options.onStep?.({ epoch, batch: b, values: phases.length === 1 ? { [phases[0].name]: step.loss, ...step.terms } : step.terms! });
        means.add(step, batch.labels.length);
        progress.batch(epoch, b, batches, means.loss);
        await interrupts.check(`epoch ${epoch}, batch ${b} of ${batches}`);
      }
      const log: EpochLog = { epoch, loss: means.loss, seconds: (Date.now() - t0) / 1000 };
      if (means.terms) log.terms = means.terms;
      if (validation) {
        setNoiseSeed(mixSeeds(seed, epoch, 0x7a11d));
        const v = evaluateLossTerms(validation, valLoss);
        log.valLoss = v.loss;
        if (v.terms) log.valTerms = v.terms;
      }
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
    interrupts.stop();
    tf.dispose(bestWeights);
    ownOptimizer?.dispose();
  }
}
