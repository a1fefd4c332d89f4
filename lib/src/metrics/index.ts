export { fitPca, pcaReconstruct, Pca } from "./pca";
export { principalAnglesDeg, anglesToSubspaceDeg, orthonormalBasis } from "./subspace";
