export { meanSquaredError, squaredErrorPerExample } from "./reconstruction";
export { binaryCrossEntropyFromLogits, binaryCrossEntropyElementwise } from "./binaryCrossEntropy";
export { l1Penalty, klSparsityPenalty } from "./sparsity";
export { contractivePenaltySigmoid, jacobianFrobeniusSquared, stochasticContractivePenalty } from "./contractive";
export { klToStandardNormal, klToStandardNormalPerDimension, gaussianLogDensity } from "./kl";
export { elboTerms, negativeElbo, ElboTerms, DensityPrior } from "./elbo";
export { discriminatorLoss, generatorLoss, minimaxGeneratorLoss, discriminatorAccuracy, ebganDiscriminatorLoss } from "./adversarial";
export { clusterBalanceTerms, clusterBalanceLoss, ClusterBalanceTerms } from "./clusterBalance";
export { virtualAdversarialLoss, adaptiveRadius, VirtualAdversarialOptions } from "./virtualAdversarial";
