// Principal angles between subspaces: with orthonormal bases Qa and Qb, the singular values of
// Qa^T Qb are the cosines of the angles (Björck & Golub 1973).
import { Matrix, QrDecomposition, SingularValueDecomposition } from "ml-matrix";

type Columns = ArrayLike<number>[];

/** An orthonormal basis (as columns) of the span of the given vectors. */
export function orthonormalBasis(vectors: Columns): Matrix {
  const a = new Matrix(vectors.map((v) => Array.from(v))).transpose(); // d x k, vectors as columns
  const q = new QrDecomposition(a).orthogonalMatrix; // keep the first k columns
  return q.subMatrix(0, a.rows - 1, 0, Math.min(q.columns, a.columns) - 1);
}

/** Principal angles in degrees, smallest first, between span(a) and span(b). */
export function principalAnglesDeg(a: Columns, b: Columns): number[] {
  const qa = orthonormalBasis(a);
  const qb = orthonormalBasis(b);
  const s = new SingularValueDecomposition(qa.transpose().mmul(qb), { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
  return s.map((c) => (Math.acos(Math.min(1, Math.max(-1, c))) * 180) / Math.PI).sort((x, y) => x - y);
}

/** For each vector u_i (unit length), the angle in degrees between u_i and span(b). */
export function anglesToSubspaceDeg(vectors: Columns, b: Columns): number[] {
  const qb = orthonormalBasis(b);
  return vectors.map((u) => {
    const v = Matrix.columnVector(Array.from(u));
    const norm = v.norm();
    const inside = qb.transpose().mmul(v).norm() / norm;
    return (Math.acos(Math.min(1, inside)) * 180) / Math.PI;
  });
}
