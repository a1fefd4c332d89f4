export class TrainingDivergedError extends Error {
  constructor(public readonly epoch: number, public readonly batch: number, public readonly loss: number) {
    super(
      `The loss became ${loss} at epoch ${epoch}, batch ${batch}; training stopped and the weights were left as they were ` +
      `before that step. Usual causes: a learning rate that is too high (try 10x lower), inputs outside the range the loss ` +
      `expects (binary cross-entropy needs targets in [0, 1]), or log(0) in a hand-written loss (compute it from logits).`);
    this.name = "TrainingDivergedError";
  }
}
