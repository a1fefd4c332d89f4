export { fitPca, pcaProject, pcaReconstruct, Pca } from "./pca";
export { principalAnglesDeg, anglesToSubspaceDeg } from "./subspace";
export { psnr } from "./psnr";
export { pairwiseSquaredDistances, knnAccuracy, trustworthiness, Points } from "./neighbours";
export { linearProbeAccuracy, ProbeData, ProbeOptions } from "./linearProbe";
export { encodeDataset } from "./codes";
export { iwaeBound, logMeanExp, logImportanceWeights, activeUnits, IwaeOptions } from "./iwae";
export { fittedGaussianKlToStandardNormal } from "./gaussianFit";
