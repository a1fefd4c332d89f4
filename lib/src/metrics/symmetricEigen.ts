// The eigendecomposition of a real symmetric matrix: Householder reduction to tridiagonal form,
// then the QL algorithm with implicit shifts (the EISPACK routines tred2 and tql2, as in JAMA).
//
// Why our own: the general-purpose libraries keep a matrix as an array of rows and reach it
// through method calls, and both phases walk down columns; for PCA on 784 pixels that took about
// 5 s. Here the transforms are kept transposed in one flat Float64Array, so every O(n³) loop reads
// memory in order, and the same 784 × 784 decomposition takes a fraction of that.

export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Unit eigenvectors as rows, in the order of `values`: vectors[i * n + k] is component k of vector i. */
  vectors: Float64Array;
}

/**
 * Eigenvalues and eigenvectors of the symmetric n × n matrix `a` (row-major; only its lower
 * triangle is read). `a` is not modified.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  const { w, d } = reduceAndDiagonalise(a, n, true, "symmetricEigen");
  const order = Array.from(d, (_, i) => i).sort((x, y) => d[y] - d[x]);
  const values = Float64Array.from(order, (i) => d[i]);
  const vectors = new Float64Array(n * n);
  order.forEach((i, r) => vectors.set(w.subarray(i * n, i * n + n), r * n));
  return { values, vectors };
}

/**
 * The eigenvalues alone, largest first: the same reduction without accumulating the transform, and
 * QL sweeps that rotate no eigenvectors, the two O(n³) parts a Fréchet distance's bootstrap does not need.
 */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number): Float64Array {
  return reduceAndDiagonalise(a, n, false, "symmetricEigenvalues").d.sort().reverse();
}

/** Both phases on a copy of a's lower triangle: d the eigenvalues, w (with vectors) Vᵀ's rows the eigenvectors. */
function reduceAndDiagonalise(a: ArrayLike<number>, n: number, vectors: boolean, caller: string): { w: Float64Array; d: Float64Array } {
  if (a.length !== n * n) throw new Error(`${caller}: expected ${n} × ${n} = ${n * n} entries, got ${a.length}`);
  // w holds Vᵀ: row j of w is column j of the transform V, so the inner loops run along rows.
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) w[j * n + i] = a[i * n + j]; // V[i][j] = a[i][j], lower triangle
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    tridiagonalize(w, d, e, n, vectors);
    diagonalize(w, d, e, n, vectors);
  }
  return { w, d };
}

/** Householder reduction of V to tridiagonal form (diagonal d, subdiagonal e), accumulating the transform in V. */
function tridiagonalize(w: Float64Array, d: Float64Array, e: Float64Array, n: number, accumulate = true): void {
  // V[r][c] is w[c * n + r] throughout.
  for (let j = 0; j < n; j++) d[j] = w[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1];
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // e = A u (the lower triangle of the working block is column j of V below the diagonal).
      for (let j = 0; j < i; j++) {
        const col = j * n;
        f = d[j];
        w[i * n + j] = f;
        g = e[j] + w[col + j] * f;
        for (let k = j + 1; k < i; k++) {
          g += w[col + k] * d[k];
          e[k] += w[col + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        const col = j * n;
        f = d[j];
        g = e[j];
        for (let k = j; k < i; k++) w[col + k] -= f * e[k] + g * d[k];
        d[j] = w[col + i - 1];
        w[col + i] = 0;
      }
    }
    d[i] = h;
  }
  if (!accumulate) {
    // Without the transform, the reduced diagonal is all that is needed: V[j][j] after the loop above.
    for (let j = 0; j < n; j++) d[j] = w[j * n + j];
    e[0] = 0;
    return;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    w[i * n + n - 1] = w[i * n + i];
    w[i * n + i] = 1;
    const next = (i + 1) * n;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = w[next + k] / h;
      for (let j = 0; j <= i; j++) {
        const col = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += w[next + k] * w[col + k];
        for (let k = 0; k <= i; k++) w[col + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) w[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1];
    w[j * n + n - 1] = 0;
  }
  w[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** QL iterations with implicit shifts on the tridiagonal (d, e), rotating the rows of w (the columns of V). */
function diagonalize(w: Float64Array, d: Float64Array, e: Float64Array, n: number, rotateVectors = true): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      for (let iter = 0; ; iter++) {
        if (iter > 60) throw new Error(`symmetricEigen: no convergence at eigenvalue ${l} of ${n}`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (!rotateVectors) continue;
          const a = i * n;
          const b = a + n;
          for (let k = 0; k < n; k++) {
            const t = w[b + k];
            w[b + k] = s * w[a + k] + c * t;
            w[a + k] = c * w[a + k] - s * t;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (Math.abs(e[l]) <= eps * tst1) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
}
