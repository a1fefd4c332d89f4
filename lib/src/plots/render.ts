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

export async function vegaLiteToSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = vl.compile(withSchema(spec) as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
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
