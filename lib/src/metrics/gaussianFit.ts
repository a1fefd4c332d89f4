// How far a cloud of codes is from the standard normal prior: fit a Gaussian N(m, C) to the codes
// and take KL(N(m, C) ‖ N(0, I)) = ½ (tr C + ‖m‖² − d − log det C). Zero only for mean 0 and
// covariance I; it grows when codes drift, spread too far, or squeeze into a lower-dimensional set.
import { CholeskyDecomposition, Matrix } from "ml-matrix";
import { Points } from "./neighbours";

export function fittedGaussianKlToStandardNormal(points: Points): { kl: number; meanNorm: number; variances: number[] } {
  const { values, dim } = points;
  const n = values.length / dim;
  if (!Number.isInteger(n) || n <= dim) throw new Error(`fittedGaussianKlToStandardNormal: need more points (${n}) than dimensions (${dim})`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += values[i * dim + j] / n;
  const cov = Matrix.zeros(dim, dim);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dim; a++) {
      const da = values[i * dim + a] - mean[a];
      for (let b = a; b < dim; b++) cov.set(a, b, cov.get(a, b) + (da * (values[i * dim + b] - mean[b])) / (n - 1));
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov.set(a, b, cov.get(b, a));
  const chol = new CholeskyDecomposition(cov);
  // A singular covariance (codes on a lower-dimensional set) is infinitely far from N(0, I).
  const logDet = chol.isPositiveDefinite() ? 2 * Array.from({ length: dim }, (_, j) => Math.log(chol.lowerTriangularMatrix.get(j, j))).reduce((s, v) => s + v, 0) : -Infinity;
  const trace = Array.from({ length: dim }, (_, j) => cov.get(j, j));
  const meanSq = mean.reduce((s, v) => s + v * v, 0);
  return { kl: 0.5 * (trace.reduce((s, v) => s + v, 0) + meanSq - dim - logDet), meanNorm: Math.sqrt(meanSq), variances: trace };
}
