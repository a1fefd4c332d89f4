// Scatter charts of 2-D embeddings and latent codes, coloured by class. With `images`, hovering a point
// shows the image it stands for (vega-tooltip draws a tooltip field named "image" as a picture).
import { Points } from "../metrics/neighbours";
import { imageGridPng, ImageSource } from "./images";
import { VegaLiteSpec } from "./render";

/** One small greyscale image as a PNG data URL, e.g. for a tooltip. */
export function imageDataUrl(pixels: ImageSource, scale = 2): string {
  return "data:image/png;base64," + imageGridPng([[pixels]], { scale }).png.toString("base64");
}

export interface EmbeddingChartOptions {
  title?: string;
  width?: number;
  height?: number;
  /** Pixels of point i, to show on hover (keep it to about a thousand points: each is a small PNG). */
  image?: (i: number) => ImageSource;
  /** Extra tooltip fields of point i. */
  extra?: (i: number) => Record<string, string | number>;
  pointSize?: number;
  axisTitles?: [string, string];
}

export function embeddingSpec(points: Points, labels: ArrayLike<number>, classNames: string[], options: EmbeddingChartOptions = {}): VegaLiteSpec {
  if (points.dim !== 2) throw new Error(`embeddingSpec: points must be 2-D, got dim ${points.dim}`);
  if (points.values.length !== 2 * labels.length) throw new Error(`embeddingSpec: ${points.values.length / 2} points but ${labels.length} labels`);
  const [xTitle, yTitle] = options.axisTitles ?? ["dimension 1", "dimension 2"];
  const values = Array.from({ length: labels.length }, (_, i) => ({
    x: points.values[2 * i], y: points.values[2 * i + 1], class: classNames[labels[i]] ?? String(labels[i]), index: i,
    ...(options.image ? { image: imageDataUrl(options.image(i)) } : {}),
    ...(options.extra ? options.extra(i) : {}),
  }));
  const tooltip: Record<string, unknown>[] = [{ field: "class" }, { field: "index" }];
  if (options.image) tooltip.unshift({ field: "image" });
  if (options.extra && labels.length) for (const key of Object.keys(options.extra(0))) tooltip.push({ field: key });
  return {
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 240, height: options.height ?? 240,
    data: { values },
    mark: { type: "circle", size: options.pointSize ?? 12, opacity: 0.75 },
    // With images, the tooltip follows the point nearest the pointer (vega-lite adds an invisible
    // voronoi layer), so a reader need not aim at a few-pixel dot.
    ...(options.image ? { params: [{ name: "nearest", select: { type: "point", on: "mouseover", nearest: true, clear: "mouseout" } }] } : {}),
    encoding: {
      x: { field: "x", type: "quantitative", title: xTitle, axis: { labels: false, ticks: false } },
      y: { field: "y", type: "quantitative", title: yTitle, axis: { labels: false, ticks: false } },
      color: { field: "class", type: "nominal", scale: { scheme: "tableau10", domain: classNames }, legend: { title: null } },
      tooltip,
    },
  };
}

/**
 * Codes coloured by class over samples of the prior they should match (faint black): the picture of an
 * adversarial or variational autoencoder's latent space against its prior. Axes keep their numbers,
 * since here the scale is part of the story.
 */
export function codesOverPriorSpec(codes: Points, labels: ArrayLike<number>, classNames: string[], prior: Points, options: EmbeddingChartOptions = {}): VegaLiteSpec {
  if (prior.dim !== 2) throw new Error(`codesOverPriorSpec: prior samples must be 2-D, got dim ${prior.dim}`);
  const codeLayer = embeddingSpec(codes, labels, classNames, { ...options, title: undefined });
  const axis = (title: string) => ({ title });
  codeLayer.encoding.x.axis = axis("z₁");
  codeLayer.encoding.y.axis = axis("z₂");
  const priorValues = Array.from({ length: prior.values.length / 2 }, (_, i) => ({ x: prior.values[2 * i], y: prior.values[2 * i + 1] }));
  const { width, height, ...codeOnly } = codeLayer;
  return {
    ...(options.title ? { title: options.title } : {}),
    width, height,
    layer: [
      { data: { values: priorValues }, mark: { type: "circle", size: 5, color: "black", opacity: 0.12 }, encoding: { x: { field: "x", type: "quantitative", title: "z₁" }, y: { field: "y", type: "quantitative", title: "z₂" } } },
      codeOnly,
    ],
  };
}
