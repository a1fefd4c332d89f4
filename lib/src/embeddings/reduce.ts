// Two-dimensional embeddings of images by the classic dimensionality-reduction methods. PCA comes from
// the course's symmetric eigensolver (metrics/pca); LDA, t-SNE, UMAP, Isomap and LLE from DruidJS.
// The nonlinear methods and LDA run on the first 50 principal components, as is standard practice
// (van der Maaten & Hinton 2008): it removes pixel noise, makes LDA's within-class scatter invertible
// (border pixels are always 0) and makes every method several times faster.
import * as druid from "@saehrimnir/druidjs";
import { ImageDataset } from "../data/dataset";
import * as tf from "@tensorflow/tfjs";
import { fitPca, pcaProject } from "../metrics/pca";
import { Points } from "../metrics/neighbours";
import { interruptibly } from "../training/interrupt";

export const REDUCTION_METHODS = ["PCA", "LDA", "t-SNE", "UMAP", "Isomap", "LLE"] as const;
export type ReductionMethod = (typeof REDUCTION_METHODS)[number];

export interface Embedding extends Points {
  method: ReductionMethod;
  /** Wall-clock seconds of this method alone (the shared PCA preprocessing is timed separately). */
  seconds: number;
}

export interface EmbedOptions {
  /** Principal components fed to the methods other than PCA (default 50). */
  pcaDims?: number;
  /** Neighbourhood size of Isomap and LLE (default 10) and UMAP (default 15). */
  neighbours?: number;
  perplexity?: number;
  /** Gradient steps of t-SNE (default 500) and UMAP (default 350). */
  iterations?: { tsne?: number; umap?: number };
  seed?: number;
}

/** Scores of every image on the first k principal directions of the dataset itself: [n, k] row-major. */
export function pcaScores(data: ImageDataset, k: number): Points {
  const pca = fitPca(data);
  const x = data.toTensor();
  const scores = pcaProject(pca, x, k);
  const values = Float64Array.from(scores.dataSync());
  tf.dispose([x, scores]);
  return { values, dim: k };
}

function rows(points: Points): number[][] {
  const n = points.values.length / points.dim;
  return Array.from({ length: n }, (_, i) => Array.from(points.values.slice(i * points.dim, (i + 1) * points.dim)));
}

function timed(method: ReductionMethod, run: () => druid.Matrix | number[][] | Float64Array[]): Embedding {
  const t0 = performance.now();
  const result = run();
  const seconds = (performance.now() - t0) / 1000;
  const table = result instanceof druid.Matrix ? result.to2dArray() : (result as ArrayLike<number>[]);
  const values = new Float64Array(table.length * 2);
  table.forEach((r, i) => { values[2 * i] = r[0]; values[2 * i + 1] = r[1]; });
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`${method} produced non-finite coordinates; try more neighbours or a different seed`);
  return { method, values, dim: 2, seconds };
}

/** One method's 2-D embedding; `reduced` is the PCA preprocessing (pcaScores(data, 50)). */
export function embed(method: ReductionMethod, data: ImageDataset, reduced: Points, options: EmbedOptions = {}): Embedding {
  return interruptibly("the embedding", () => computeEmbedding(method, data, reduced, options));
}

function computeEmbedding(method: ReductionMethod, data: ImageDataset, reduced: Points, options: EmbedOptions = {}): Embedding {
  const seed = options.seed ?? 1;
  const k = options.neighbours ?? 10;
  const input = () => druid.Matrix.from(rows(reduced));
  switch (method) {
    case "PCA": return timed(method, () => rows(pcaScores(data, 2)));
    case "LDA": return timed(method, () => new druid.LDA(input(), { d: 2, labels: Array.from(data.labels), seed }).transform());
    case "t-SNE": return timed(method, () => new druid.TSNE(input(), { d: 2, perplexity: options.perplexity ?? 30, seed }).transform(options.iterations?.tsne ?? 500));
    case "UMAP": return timed(method, () => new druid.UMAP(input(), { d: 2, n_neighbors: options.neighbours ?? 15, seed }).transform(options.iterations?.umap ?? 350));
    case "Isomap": return timed(method, () => new druid.ISOMAP(input(), { d: 2, neighbors: k, seed }).transform());
    case "LLE": return timed(method, () => new druid.LLE(input(), { d: 2, neighbors: k, seed }).transform());
    default: throw new Error(`embed: unknown method "${method}"; use one of ${REDUCTION_METHODS.join(", ")}`);
  }
}
