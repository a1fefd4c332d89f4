export class TrainingDivergedError extends Error {
  /** `from`: for a loss that exploded without becoming NaN, the size of its first values. */
  constructor(public readonly epoch: number, public readonly batch: number, public readonly loss: number, public readonly phase?: string, public readonly from?: number) {
    super(
      `The ${phase ? `${phase} phase's ` : ""}loss ${from === undefined ? "became" : "exploded to"} ${loss}${from === undefined ? "" : ` (from about ${Number(from.toPrecision(3))} in its first steps)`} at epoch ${epoch}, batch ${batch}; training stopped and the weights were left as they were ` +
      `before that step. Usual causes: a learning rate that is too high (try 10x lower), inputs outside the range the loss ` +
      `expects (binary cross-entropy needs targets in [0, 1]), or log(0) in a hand-written loss (compute it from logits).`);
    this.name = "TrainingDivergedError";
  }
}

/** A run that still computes numbers but has stopped learning anything useful (e.g. a GAN's discriminator always wins). */
export class TrainingCollapsedError extends Error {
  constructor(public readonly epoch: number, public readonly batch: number, why: string, advice: string) {
    super(`Training collapsed at epoch ${epoch}, batch ${batch}: ${why}. Training stopped; the weights are those of that step. ${advice}`);
    this.name = "TrainingCollapsedError";
  }
}
