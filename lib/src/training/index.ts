export { train, evaluateLoss, evaluateLossTerms, cosineDecay, TrainOptions, LossOutput } from "./train";
export { EpochLog, History } from "./history";
export { TrainingDivergedError } from "./errors";
export { saveCheckpoint, loadCheckpoint, Weighted } from "./checkpoint";
export { lossChartSpec } from "./progress";
