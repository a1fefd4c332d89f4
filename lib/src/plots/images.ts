// Image grids (inputs, reconstructions, samples) as PNG. Rows can carry a label; labelled grids are
// composed as SVG and rasterised, unlabelled ones are written straight to PNG.
import * as tf from "@tensorflow/tfjs";
import { PNG } from "pngjs";
import { displayBundle } from "../display/jupyter";
import { svgToPng } from "./render";

export type ImageSource = Float32Array | number[] | tf.Tensor;

export interface GridOptions {
  /** Height and width of one image; inferred for square images. */
  imageShape?: [number, number];
  /** Images per row (default: all images of the row, or 10 for a flat list). */
  columns?: number;
  /** Screen pixels per image pixel. */
  scale?: number;
  /** Pixel value shown as black and as white (default 0 and 1). */
  range?: [number, number];
}

function toArrays(images: ImageSource[] | tf.Tensor): Float32Array[] {
  if (images instanceof tf.Tensor) {
    const n = images.shape[0];
    const flat = images.dataSync() as Float32Array;
    const d = flat.length / n;
    return Array.from({ length: n }, (_, i) => flat.slice(i * d, (i + 1) * d));
  }
  return images.map((im) => (im instanceof tf.Tensor ? (im.dataSync() as Float32Array) : Float32Array.from(im)));
}

/** Renders rows of greyscale images into one PNG. */
export function imageGridPng(rows: (ImageSource[] | tf.Tensor)[], options: GridOptions = {}): { png: Buffer; width: number; height: number } {
  const arrays = rows.map(toArrays);
  const first = arrays.find((r) => r.length)?.[0];
  if (!first) throw new Error("imageGridPng: no images to draw");
  const side = Math.round(Math.sqrt(first.length));
  const [h, w] = options.imageShape ?? [side, side];
  if (h * w !== first.length) throw new Error(`imageGridPng: images have ${first.length} pixels; pass imageShape for non-square images`);
  const scale = options.scale ?? 2;
  const [lo, hi] = options.range ?? [0, 1];
  const columns = options.columns ?? Math.max(...arrays.map((r) => r.length));
  const gap = 2;
  const lines: Float32Array[][] = [];
  for (const r of arrays) for (let i = 0; i < r.length; i += columns) lines.push(r.slice(i, i + columns));
  const width = columns * (w * scale + gap) + gap;
  const height = lines.length * (h * scale + gap) + gap;
  const png = new PNG({ width, height });
  png.data.fill(255);
  lines.forEach((line, row) => line.forEach((im, col) => {
    if (im.length !== h * w) throw new Error(`imageGridPng: image ${row},${col} has ${im.length} pixels, expected ${h * w}`);
    for (let y = 0; y < h * scale; y++) for (let x = 0; x < w * scale; x++) {
      const v = im[Math.floor(y / scale) * w + Math.floor(x / scale)];
      const g = Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo))));
      const px = gap + col * (w * scale + gap) + x;
      const py = gap + row * (h * scale + gap) + y;
      const o = (py * width + px) * 4;
      png.data[o] = png.data[o + 1] = png.data[o + 2] = 255 - g; // dark strokes on white, like ink
      png.data[o + 3] = 255;
    }
  }));
  return { png: PNG.sync.write(png), width, height };
}

const escapeXml = (s: string) => s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" }[c]!));

/**
 * Width in pixels of the label column: room for the longest label in 12 px DejaVu Sans (about
 * 7.5 px a character for ordinary text) and a margin, never less than 110 px so that most grids line up.
 */
export function rowLabelWidth(labels: string[]): number {
  return Math.max(110, Math.ceil(Math.max(0, ...labels.map((l) => l.length)) * 7.5) + 12);
}

/** Shows rows of images, each row optionally labelled on its left, with an optional title. */
export function showImages(rows: { label?: string; images: ImageSource[] | tf.Tensor }[], options: GridOptions & { title?: string } = {}): void {
  // One row of the grid per labelled row: wrap only when no labels are given.
  const labelled = rows.some((r) => r.label);
  const grid = imageGridPng(rows.map((r) => r.images), labelled ? { ...options, columns: options.columns ?? Math.max(...rows.map((r) => toArrays(r.images).length)) } : options);
  let png = grid.png;
  if (labelled || options.title) {
    const labelWidth = labelled ? rowLabelWidth(rows.map((r) => r.label ?? "")) : 0;
    const titleHeight = options.title ? 24 : 0;
    const rowHeight = (grid.height - 2) / rows.length;
    // A title wider than the grid widens the picture instead of being cut (bold 14 px DejaVu: ~8.8 px a character).
    const width = Math.max(labelWidth + grid.width, options.title ? Math.ceil(options.title.length * 8.8) + 16 : 0);
    const texts = rows.map((r, i) => `<text x="${labelWidth - 6}" y="${titleHeight + 2 + rowHeight * (i + 0.5)}" text-anchor="end" dominant-baseline="middle" font-size="12">${escapeXml(r.label ?? "")}</text>`);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${titleHeight + grid.height}" font-family="DejaVu Sans">` +
      (options.title ? `<text x="${width / 2}" y="16" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>` : "") +
      texts.join("") +
      `<image x="${labelWidth}" y="${titleHeight}" width="${grid.width}" height="${grid.height}" href="data:image/png;base64,${grid.png.toString("base64")}"/></svg>`;
    png = svgToPng(svg, 1);
  }
  const count = rows.reduce((a, r) => a + toArrays(r.images).length, 0);
  displayBundle({ "image/png": png.toString("base64"), "text/plain": `[${count} images${options.title ? `: ${options.title}` : ""}]` });
}
