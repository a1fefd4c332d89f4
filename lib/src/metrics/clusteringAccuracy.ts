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

// Scoring with labels the clusterer never saw, read off held-out labelled images (not the test set):
// the cluster's classes are fixed first, then the test images are scored with them.

/**
 * Makhzani et al.'s rule (2015, §6): each cluster takes the label of the held-out image it is most
 * confident about. confidence[n][c] is how sure the clusterer is that held-out image n is in cluster c
 * (q(y = c | xₙ) for the AAE; centroidCloseness for k-means); returns a class per cluster.
 */
export function clusterClassesByMostConfident(confidence: ArrayLike<number>[], labels: ArrayLike<number>): number[] {
  if (confidence.length !== labels.length || confidence.length === 0) throw new RangeError(`clusterClassesByMostConfident: ${confidence.length} rows of confidences for ${labels.length} labels; give one of each per held-out image`);
  const k = confidence[0].length;
  return Array.from({ length: k }, (_, c) => {
    let best = 0;
    for (let n = 1; n < confidence.length; n++) if (confidence[n][c] > confidence[best][c]) best = n;
    return labels[best];
  });
}

/**
 * Each of k clusters takes the majority class of the held-out images that fall in it; a cluster no
 * held-out image falls in takes `fallback[c]` (−1 if none is given: its test images count as wrong).
 */
export function clusterClassesByMajority(clusters: ArrayLike<number>, labels: ArrayLike<number>, k: number, fallback?: number[]): number[] {
  const { assignment } = clusteringAccuracy(clusters, labels, "majority");
  return Array.from({ length: k }, (_, c) => (assignment[c] ?? -1) >= 0 ? assignment[c] : (fallback?.[c] ?? -1));
}

/** Accuracy of test clusters given a class for each cluster (fixed beforehand, e.g. on held-out images). */
export function accuracyWithClusterClasses(clusters: ArrayLike<number>, labels: ArrayLike<number>, classes: number[]): number {
  if (clusters.length !== labels.length || clusters.length === 0) throw new RangeError(`accuracyWithClusterClasses: ${clusters.length} cluster ids for ${labels.length} labels; give one of each per point`);
  let correct = 0;
  for (let i = 0; i < clusters.length; i++) {
    if (!(clusters[i] >= 0 && clusters[i] < classes.length)) throw new RangeError(`accuracyWithClusterClasses: cluster id ${clusters[i]} at index ${i} has no class; give one class per cluster (${classes.length} given)`);
    if (classes[clusters[i]] === labels[i]) correct++;
  }
  return correct / clusters.length;
}
