// What a clustering found: a row of images per cluster, the ones it is surest of first.
import { ImageDataset } from "../data/dataset";
import { clusteringAccuracy } from "../metrics/clusteringAccuracy";
import { showImages } from "./images";

/** One row per non-empty cluster, labelled with its size and majority class, its most confident images first. */
export function clusterRows(images: ImageDataset, clusters: ArrayLike<number>, probs: number[][], perCluster = 10): { label: string; images: Float32Array[] }[] {
  if (clusters.length !== images.size || probs.length !== images.size) throw new RangeError(`clusterRows: ${images.size} images, ${clusters.length} cluster ids and ${probs.length} probability rows; give one of each per image`);
  const majority = clusteringAccuracy(clusters, images.labels, "majority").assignment;
  const members: number[][] = majority.map(() => []);
  for (let i = 0; i < clusters.length; i++) members[clusters[i]].push(i);
  return members.flatMap((m, c) => m.length === 0 ? [] : [{
    label: `cluster ${c}: ${m.length} × ${images.classNames[majority[c]]}`,
    images: m.sort((a, b) => probs[b][c] - probs[a][c]).slice(0, perCluster).map((i) => images.image(i)),
  }]);
}

/** Shows clusterRows as a labelled grid. */
export function showClusters(images: ImageDataset, clusters: ArrayLike<number>, probs: number[][], options: { title?: string; perCluster?: number } = {}): void {
  showImages(clusterRows(images, clusters, probs, options.perCluster), { title: options.title });
}
