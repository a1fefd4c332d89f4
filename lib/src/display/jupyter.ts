// The one place that talks to the Jupyter frontend. tslab's public display API sends a single MIME
// type per message and only strings; a chart must be one bundle (vega-lite JSON + PNG + text) so that
// JupyterLab draws it interactively and every other viewer still shows the PNG. tslab keeps the
// function that sends a whole bundle in `lastWriteDisplayData`; it exists only when this library runs
// inside the project's own tslab kernel (same module instance), which is why the project registers
// its own kernelspec.

export type MimeBundle = Record<string, unknown>;
type WriteDisplayData = (content: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } }, update: boolean) => void;

function writer(): WriteDisplayData | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const jupyter = require("tslab/dist/jupyter");
    return (jupyter.lastWriteDisplayData as WriteDisplayData) ?? null;
  } catch {
    return null;
  }
}

/** True when running inside a Jupyter kernel that can receive display bundles. */
export function inJupyter(): boolean {
  return writer() !== null;
}

let displayCounter = 0;

/**
 * Shows a MIME bundle. Outside Jupyter it prints the text/plain part. Returns a handle whose
 * `update` replaces the same output in place (update_display_data), for live charts.
 */
export function displayBundle(data: MimeBundle, metadata: Record<string, unknown> = {}): { update(data: MimeBundle, metadata?: Record<string, unknown>): void; id: string } {
  const id = `ae-${process.pid}-${++displayCounter}`;
  const send = (d: MimeBundle, m: Record<string, unknown>, update: boolean) => {
    const write = writer();
    if (write) write({ data: d, metadata: m, transient: { display_id: id } }, update);
    else if (!update && typeof d["text/plain"] === "string") console.log(d["text/plain"]);
  };
  send(data, metadata, false);
  return { id, update: (d, m = {}) => send(d, m, true) };
}
