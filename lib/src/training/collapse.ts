// A guard for adversarial training: when the discriminator wins (nearly) every comparison for many
// steps in a row, its gradients to the generator vanish and the run only wastes time.
import { StepLog } from "./train";
import { TrainingCollapsedError } from "./errors";

export interface CollapseGuardOptions {
  /** The step value to watch (default "discriminator accuracy"). */
  term?: string;
  /** The value at or above which a step counts as collapsed (default 0.99). */
  threshold?: number;
  /** How many collapsed steps in a row stop training (default 300). */
  steps?: number;
}

/** An `onStep` for train() that throws TrainingCollapsedError after `steps` collapsed steps in a row. */
export function collapseGuard(options: CollapseGuardOptions = {}): (step: StepLog) => void {
  const { term = "discriminator accuracy", threshold = 0.99, steps = 300 } = options;
  let run = 0;
  return (step) => {
    const v = step.values[term];
    if (v === undefined) throw new Error(`collapseGuard: the step has no value "${term}"; it has ${Object.keys(step.values).join(", ")}`);
    run = v >= threshold ? run + 1 : 0;
    if (run >= steps) {
      throw new TrainingCollapsedError(step.epoch, step.batch, `${term} has been ≥ ${threshold} for ${steps} steps in a row`,
        "The discriminator wins every time, so the generator gets no useful gradient: lower the discriminator's learning rate, " +
        "make it smaller, or raise the generator's learning rate.");
    }
  };
}
