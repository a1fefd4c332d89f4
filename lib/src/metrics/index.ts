export { fitPca, pcaReconstruct, Pca } from "./pca";
export { principalAnglesDeg, anglesToSubspaceDeg } from "./subspace";
