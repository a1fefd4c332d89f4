// Charts are rendered in Node as well as in the browser: vega draws the vega-lite spec to SVG
// (no canvas needed) and resvg rasterises it to PNG, the one image type every notebook viewer shows.
import { Resvg } from "@resvg/resvg-js";
// vega 5 and vega-lite 5 ship CommonJS; vega 6 is ESM with top-level await, which tslab cannot require.
import * as vega from "vega";
import * as vl from "vega-lite";

export type VegaLiteSpec = Record<string, any>;

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** Adds the v5 $schema so that Jupyter picks the right renderer. */
export function withSchema(spec: VegaLiteSpec): VegaLiteSpec {
  return { $schema: VEGA_LITE_SCHEMA, ...spec };
}

/** A chart that vega could not draw as specified (a warning, or marks at NaN coordinates). */
export class ChartError extends Error {}

/** AE_STRICT_CHARTS=1 (set by the course's test runs) turns chart warnings into errors. */
export function strictCharts(): boolean {
  return process.env.AE_STRICT_CHARTS === "1";
}

/** Collects what vega-lite and vega would print, instead of printing it. */
function collectingLogger(warnings: string[]): any {
  let level = 2; // vega.Warn
  const logger: any = {
    level(l?: number) { if (l === undefined) return level; level = l; return logger; },
    error(...m: unknown[]) { warnings.push(m.map(String).join(" ")); return logger; },
    warn(...m: unknown[]) { if (level >= 2) warnings.push(m.map(String).join(" ")); return logger; },
    info() { return logger; },
    debug() { return logger; },
  };
  return logger;
}

const COORDINATES = ["x", "y", "x2", "y2", "width", "height"];

/** Counts the drawn items with a coordinate that is present but not a finite number. */
function itemsAtInvalidCoordinates(node: any): number {
  let bad = 0;
  for (const item of node?.items ?? []) {
    if (COORDINATES.some((k) => item[k] !== undefined && !Number.isFinite(item[k]))) bad++;
    if (item.items) bad += itemsAtInvalidCoordinates(item);
  }
  return bad;
}

/**
 * Renders to SVG. Every vega-lite or vega warning, and every mark at NaN coordinates (an empty bar,
 * a point off the chart), is reported: as a ChartError under AE_STRICT_CHARTS=1, else on stderr.
 */
export async function vegaLiteToSvg(spec: VegaLiteSpec): Promise<string> {
  const warnings: string[] = [];
  const compiled = vl.compile(withSchema(spec) as any, { logger: collectingLogger(warnings) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logger: collectingLogger(warnings) } as any);
  try {
    const svg = await view.toSVG();
    const invalid = itemsAtInvalidCoordinates((view.scenegraph() as any).root);
    if (invalid) warnings.push(`${invalid} mark item(s) have no valid coordinates (NaN or infinite)`);
    if (warnings.length) {
      const title = typeof spec.title === "string" ? spec.title : spec.title?.text ?? "untitled";
      const message = `chart "${title}": ${[...new Set(warnings)].join("; ")}`;
      if (strictCharts()) throw new ChartError(message);
      console.warn(`warning: ${message}`);
    }
    return svg;
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale = 1.5): Buffer {
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}

export async function vegaLiteToPng(spec: VegaLiteSpec, scale = 1.5): Promise<Buffer> {
  return svgToPng(await vegaLiteToSvg(spec), scale);
}
