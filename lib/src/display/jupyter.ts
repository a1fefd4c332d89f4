// The one place that talks to the Jupyter frontend. tslab's public display API sends a single MIME
// type per message and only strings; a chart must be one bundle (vega-lite JSON + PNG + text) so that
// JupyterLab draws it interactively and every other viewer still shows the PNG. tslab keeps the
// function that sends a whole bundle in `lastWriteDisplayData`; it exists only when this library runs
// inside the project's own tslab kernel (same module instance), which is why the project registers
// its own kernelspec.

import * as path from "path";

export type MimeBundle = Record<string, unknown>;
type WriteDisplayData = (content: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } }, update: boolean) => void;

function writer(): WriteDisplayData | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const jupyter = require("tslab/dist/jupyter");
    const write = (jupyter.lastWriteDisplayData as WriteDisplayData | null) ?? null;
    if (write) serializeKernelSends();
    return write;
  } catch {
    return null;
  }
}

let sendsSerialized = false;

/**
 * tslab fires zeromq sends without awaiting them, but a zeromq socket allows one send in flight at a
 * time and throws EBUSY otherwise. A large chart update still flushing while the next message goes
 * out (e.g. the "idle" status after a long training cell) then crashes the kernel. Chaining each
 * socket's sends keeps their order and makes them wait their turn.
 */
export function serializeKernelSends(): void {
  if (sendsSerialized) return;
  sendsSerialized = true;
  try {
    const tslabDir = path.dirname(require.resolve("tslab/dist/jupyter"));
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const zmq = require(require.resolve("zeromq", { paths: [tslabDir] }));
    let proto = zmq.Publisher.prototype;
    while (proto && !Object.prototype.hasOwnProperty.call(proto, "send")) proto = Object.getPrototypeOf(proto);
    if (!proto) return;
    const original = proto.send as (this: object, message: unknown) => Promise<void>;
    const queues = new WeakMap<object, Promise<void>>();
    // `send` is a non-writable (but configurable) property of zeromq's native Socket prototype.
    Object.defineProperty(proto, "send", {
      configurable: true, writable: false, enumerable: false,
      value: function (this: object, message: unknown): Promise<void> {
        const sent = (queues.get(this) ?? Promise.resolve()).then(() => original.call(this, message));
        queues.set(this, sent.catch(() => undefined));
        sent.catch((e: Error) => console.error(`kernel message not sent: ${e.message}`));
        return sent;
      },
    });
  } catch {
    // Not inside tslab's zeromq kernel: nothing to protect.
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
