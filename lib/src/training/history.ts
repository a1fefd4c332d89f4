export interface EpochLog {
  epoch: number;
  loss: number;
  valLoss?: number;
  seconds: number;
}

export interface History {
  epochs: EpochLog[];
  /** The epoch whose weights the model holds at the end (the best one with early stopping). */
  bestEpoch: number;
  stoppedEarly: boolean;
  seconds: number;
}
