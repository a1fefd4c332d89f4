export interface EpochLog {
  epoch: number;
  loss: number;
  valLoss?: number;
  /** Named parts of the loss (e.g. reconstruction and KL), epoch means on the training and validation sets. */
  terms?: Record<string, number>;
  valTerms?: Record<string, number>;
  seconds: number;
}

export interface History {
  epochs: EpochLog[];
  /** The epoch whose weights the model holds at the end (the best one with early stopping). */
  bestEpoch: number;
  stoppedEarly: boolean;
  seconds: number;
}
