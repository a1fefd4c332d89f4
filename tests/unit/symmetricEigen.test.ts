import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { symmetricEigen, symmetricEigenvalues } from "../../lib/src/metrics/symmetricEigen";
import { seededRandom } from "../../lib/src/random";

/** A random symmetric n × n matrix of rank at most `rank` (B Bᵀ), row-major. */
function randomSymmetric(n: number, rank: number, seed: number): Float64Array {
  const rand = seededRandom(seed);
  const b = Float64Array.from({ length: n * rank }, () => rand() - 0.5);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += b[i * rank + k] * b[j * rank + k];
      a[i * n + j] = a[j * n + i] = s;
    }
  }
  return a;
}

/** Largest |A v − λ v| over all pairs, and largest |VᵀV − I|. */
function errors(a: ArrayLike<number>, n: number, values: Float64Array, vectors: Float64Array): { residual: number; orthogonality: number } {
  let residual = 0;
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    const v = vectors.subarray(i * n, i * n + n);
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[r * n + k] * v[k];
      residual = Math.max(residual, Math.abs(s - values[i] * v[r]));
    }
    for (let j = 0; j <= i; j++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += v[k] * vectors[j * n + k];
      orthogonality = Math.max(orthogonality, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return { residual, orthogonality };
}

describe("symmetricEigen", () => {
  it("decomposes random symmetric matrices (full and low rank) to double precision, largest eigenvalue first", () => {
    for (const [n, rank] of [[1, 1], [2, 2], [7, 7], [60, 60], [60, 12]]) {
      const a = randomSymmetric(n, rank, n + rank);
      const { values, vectors } = symmetricEigen(a, n);
      const { residual, orthogonality } = errors(a, n, values, vectors);
      assert.ok(residual < 1e-12 * Math.max(1, values[0]), `n=${n} rank=${rank}: residual ${residual}`);
      assert.ok(orthogonality < 1e-12, `n=${n} rank=${rank}: VᵀV − I up to ${orthogonality}`);
      for (let i = 1; i < n; i++) assert.ok(values[i] <= values[i - 1], `n=${n}: values not in decreasing order at ${i}`);
      // The same eigenvalues as ml-matrix's decomposition.
      const ref = Array.from(new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, r) => Array.from(a.subarray(r * n, r * n + n)))), { assumeSymmetric: true }).realEigenvalues).sort((x, y) => y - x);
      ref.forEach((v, i) => assert.ok(Math.abs(v - values[i]) < 1e-12 * Math.max(1, Math.abs(ref[0])), `n=${n}: eigenvalue ${i} ${values[i]} vs ${v}`));
      // The values alone, without rotating the vectors, are the same numbers.
      assert.deepEqual(Array.from(symmetricEigenvalues(a, n)), Array.from(values), `n=${n}: symmetricEigenvalues`);
    }
  });

  it("handles repeated eigenvalues, a zero matrix and a diagonal one", () => {
    const n = 5;
    const identity = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 3 : 0));
    const id = symmetricEigen(identity, n);
    assert.deepEqual(Array.from(id.values), [3, 3, 3, 3, 3]);
    assert.ok(errors(identity, n, id.values, id.vectors).orthogonality < 1e-15);
    const zero = symmetricEigen(new Float64Array(n * n), n);
    assert.deepEqual(Array.from(zero.values), [0, 0, 0, 0, 0]);
    assert.ok(errors(new Float64Array(n * n), n, zero.values, zero.vectors).orthogonality < 1e-15);
    const diag = Float64Array.from({ length: 9 }, (_, k) => [1, 0, 0, 0, -2, 0, 0, 0, 5][k]);
    const dd = symmetricEigen(diag, 3);
    assert.deepEqual(Array.from(dd.values), [5, 1, -2]);
    assert.deepEqual(Array.from(dd.vectors, Math.abs), [0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });

  it("reads only the lower triangle and leaves its input alone", () => {
    const n = 6;
    const a = randomSymmetric(n, n, 3);
    const lower = a.map((v, k) => (k % n <= Math.floor(k / n) ? v : 999));
    const copy = lower.slice();
    const x = symmetricEigen(a, n);
    const y = symmetricEigen(lower, n);
    assert.deepEqual(Array.from(y.values), Array.from(x.values));
    assert.deepEqual(lower, copy);
  });

  it("refuses an input of the wrong size, saying what it expected", () => {
    assert.throws(() => symmetricEigen(new Float64Array(8), 3), /expected 3 × 3 = 9 entries, got 8/);
  });
});
