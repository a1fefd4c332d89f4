import { displayBundle, MimeBundle } from "../display/jupyter";
import { vegaLiteToPng, VegaLiteSpec, withSchema } from "./render";

export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

function describe(spec: VegaLiteSpec): string {
  const title = typeof spec.title === "string" ? spec.title : spec.title?.text;
  return `[chart${title ? `: ${title}` : ""}]`;
}

/** One display bundle: the vega-lite spec (interactive in JupyterLab), a PNG copy, and text. */
export async function chartBundle(spec: VegaLiteSpec, text?: string): Promise<MimeBundle> {
  const png = await vegaLiteToPng(spec);
  return {
    [VEGA_LITE_MIME]: withSchema(spec),
    "image/png": png.toString("base64"),
    "text/plain": text ?? describe(spec),
  };
}

/** Shows a vega-lite chart in the notebook (or its text outside Jupyter). */
export async function showChart(spec: VegaLiteSpec, text?: string): Promise<void> {
  displayBundle(await chartBundle(spec, text));
}

/** A chart that can be redrawn in place, e.g. a loss curve during training. */
export class LiveChart {
  private handle?: ReturnType<typeof displayBundle>;
  async draw(spec: VegaLiteSpec, text?: string): Promise<void> {
    const bundle = await chartBundle(spec, text);
    if (this.handle) this.handle.update(bundle);
    else this.handle = displayBundle(bundle);
  }
}
