// The area under the ROC curve, for scores where higher means "more likely positive" (for anomaly
// detection: higher reconstruction error means "more likely an anomaly").
function checked(scores: ArrayLike<number>, positive: ArrayLike<boolean>): { nPos: number; nNeg: number } {
  if (scores.length !== positive.length) throw new Error(`auroc: ${scores.length} scores but ${positive.length} labels`);
  let nPos = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new Error(`auroc: score ${i} is ${scores[i]}; every score must be a finite number`);
    if (positive[i]) nPos++;
  }
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error(`auroc needs both classes: got ${nPos} positives and ${nNeg} negatives`);
  return { nPos, nNeg };
}

/**
 * AUROC = P(score of a random positive > score of a random negative), ties counted as one half
 * (the Mann–Whitney U statistic divided by nPos·nNeg). 0.5 is chance, 1 is a perfect ranking.
 */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const { nPos, nNeg } = checked(scores, positive);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  // Sum of the positives' ranks (1-based), tied scores sharing their average rank.
  let rankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) if (positive[order[i]]) rankSum += averageRank;
    start = end + 1;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** The ROC curve: one point per distinct threshold, from (0, 0) to (1, 1). */
export function rocCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean>): { falsePositiveRate: number; truePositiveRate: number }[] {
  const { nPos, nNeg } = checked(scores, positive);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const points = [{ falsePositiveRate: 0, truePositiveRate: 0 }];
  let tp = 0, fp = 0;
  order.forEach((r, i) => {
    if (positive[r]) tp++; else fp++;
    // A threshold sits between distinct scores only: tied scores move the curve in one step.
    if (i === order.length - 1 || scores[order[i + 1]] !== scores[r]) points.push({ falsePositiveRate: fp / nNeg, truePositiveRate: tp / nPos });
  });
  return points;
}
