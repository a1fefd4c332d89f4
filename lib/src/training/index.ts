export { train, evaluateLoss, evaluateLossTerms, cosineDecay, TrainOptions, LossOutput, Phase, StepLog } from "./train";
export { EpochLog, History } from "./history";
export { TrainingDivergedError, TrainingCollapsedError } from "./errors";
export { TrainingInterruptedError, ComputationInterruptedError, listenForInterrupt, interruptibly, InterruptListener } from "./interrupt";
export { collapseGuard, CollapseGuardOptions } from "./collapse";
export { saveCheckpoint, loadCheckpoint, Weighted } from "./checkpoint";
export { lossChartSpec } from "./progress";
export { trainClusteringAae, kMeansBaselines, scoreClusters, scoreWithHeldOut, clusteringConsistency, clusteringDeformations, ClusteringSplit, ClusteringSetup, ClusteringRun, HeldOutScores, KMeansBaselines } from "./clustering";
export { trainVqVae, indexGrids, VqVaeTrainingOptions } from "./vqvae";
