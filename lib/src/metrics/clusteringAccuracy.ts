// Clustering accuracy: how well unsupervised clusters line up with classes the clusterer never saw.
// Each cluster is given one class, then accuracy is counted as for a classifier.
//  - More clusters than classes (Makhzani et al. 2015): each cluster takes its majority class.
//  - As many clusters as classes: the one-to-one assignment with the most agreements (Hungarian
//    algorithm), so that two clusters cannot both claim the same class.

export interface ClusteringAccuracy {
  accuracy: number;
  /** assignment[c] = the class given to cluster c (−1 for an empty cluster). */
  assignment: number[];
  method: "majority" | "hungarian";
}

function countTable(clusters: ArrayLike<number>, labels: ArrayLike<number>): { counts: number[][]; k: number; classes: number } {
  if (clusters.length !== labels.length) throw new RangeError(`clusteringAccuracy: ${clusters.length} cluster ids for ${labels.length} labels; give one of each per point`);
  if (clusters.length === 0) throw new RangeError("clusteringAccuracy: no points");
  let k = 0, classes = 0;
  for (let i = 0; i < clusters.length; i++) {
    for (const [what, v] of [["cluster id", clusters[i]], ["label", labels[i]]] as [string, number][]) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`clusteringAccuracy: ${what} ${v} at index ${i} is not a whole number ≥ 0`);
    }
    k = Math.max(k, clusters[i] + 1);
    classes = Math.max(classes, labels[i] + 1);
  }
  const counts = Array.from({ length: k }, () => new Array(classes).fill(0));
  for (let i = 0; i < clusters.length; i++) counts[clusters[i]][labels[i]]++;
  return { counts, k, classes };
}

/**
 * The minimum-cost assignment of rows to columns of a cost matrix with rows ≤ columns (Hungarian
 * algorithm with potentials, O(rows² · columns)). Returns the column of each row.
 */
export function minimumCostAssignment(cost: number[][]): number[] {
  const n = cost.length, m = cost[0]?.length ?? 0;
  if (n === 0 || n > m) throw new RangeError(`minimumCostAssignment: need 1 ≤ rows ≤ columns, got ${n} × ${m}`);
  // 1-based arrays; u, v are the row and column potentials, match[j] the row assigned to column j.
  const u = new Array(n + 1).fill(0), v = new Array(m + 1).fill(0), match = new Array(m + 1).fill(0), way = new Array(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    match[0] = i;
    let j0 = 0;
    const minv = new Array(m + 1).fill(Infinity), used = new Array(m + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = match[j0];
      let delta = Infinity, j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const reduced = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (reduced < minv[j]) { minv[j] = reduced; way[j] = j0; }
        if (minv[j] < delta) { delta = minv[j]; j1 = j; }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) { u[match[j]] += delta; v[j] -= delta; } else minv[j] -= delta;
      }
      j0 = j1;
    } while (match[j0] !== 0);
    // Flip the augmenting path back to its start.
    do { const j1 = way[j0]; match[j0] = match[j1]; j0 = j1; } while (j0 !== 0);
  }
  const rowToColumn = new Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (match[j] > 0) rowToColumn[match[j] - 1] = j - 1;
  return rowToColumn;
}

/** Accuracy of clusters against labels; method "auto" is Hungarian when the counts match, else majority vote. */
export function clusteringAccuracy(clusters: ArrayLike<number>, labels: ArrayLike<number>, method: "auto" | "majority" | "hungarian" = "auto"): ClusteringAccuracy {
  const { counts, k, classes } = countTable(clusters, labels);
  const use = method === "auto" ? (k <= classes ? "hungarian" : "majority") : method;
  let assignment: number[];
  if (use === "majority") {
    assignment = counts.map((row) => (row.some((c) => c > 0) ? row.indexOf(Math.max(...row)) : -1));
  } else {
    if (k > classes) throw new RangeError(`clusteringAccuracy: a one-to-one (Hungarian) assignment needs at most as many clusters as classes; got ${k} clusters for ${classes} classes — use "majority"`);
    assignment = minimumCostAssignment(counts.map((row) => row.map((c) => -c)));
  }
  const correct = assignment.reduce((sum, cls, c) => sum + (cls >= 0 ? counts[c][cls] : 0), 0);
  return { accuracy: correct / clusters.length, assignment, method: use };
}
