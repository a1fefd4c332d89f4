// Feedback while a model trains: in Jupyter a progress bar and a loss chart redrawn in place; in a
// terminal one plain line per epoch.
import { displayBundle, inJupyter } from "../display/jupyter";
import { LiveChart } from "../plots/chart";
import { EpochLog } from "./history";

export interface ProgressReporter {
  batch(epoch: number, batch: number, batches: number, loss: number): void;
  epoch(log: EpochLog, epochs: number): Promise<void>;
  done(message: string): void;
}

function fmt(x: number | undefined): string {
  return x === undefined ? "-" : x < 1e-3 || x >= 1e4 ? x.toExponential(3) : x.toFixed(4);
}

export function lossChartSpec(logs: EpochLog[], title: string): Record<string, any> {
  const hasTerms = logs.some((l) => l.terms);
  const rows = (l: EpochLog, split: string, loss: number | undefined, terms?: Record<string, number>) =>
    loss === undefined ? [] : [{ epoch: l.epoch, split, quantity: "loss", loss }, ...Object.entries(terms ?? {}).map(([quantity, v]) => ({ epoch: l.epoch, split, quantity, loss: v }))];
  const values = logs.flatMap((l) => [...rows(l, "train", l.loss, l.terms), ...rows(l, "validation", l.valLoss, l.valTerms)]);
  const line = {
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "epoch", type: "quantitative", axis: { tickMinStep: 1, format: "d" } },
      y: { field: "loss", type: "quantitative", scale: { zero: false }, title: hasTerms ? null : "loss" },
      color: { field: "split", type: "nominal" },
      tooltip: [{ field: "epoch" }, { field: "split" }, ...(hasTerms ? [{ field: "quantity" }] : []), { field: "loss", format: ".5f" }],
    },
  };
  if (!hasTerms) return { title, width: 360, height: 180, data: { values }, ...line };
  // The loss and each of its parts side by side, each on its own scale.
  return {
    title, data: { values },
    facet: { column: { field: "quantity", type: "nominal", sort: null, title: null } },
    spec: { width: 200, height: 160, ...line },
    resolve: { scale: { y: "independent" } },
  };
}

function termsText(terms?: Record<string, number>): string {
  return terms ? ` (${Object.entries(terms).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")})` : "";
}

let progressCounter = 0;

class JupyterProgress implements ProgressReporter {
  // Marks this bar in the page, so a browser test can tell an update in place from a new output.
  private readonly id = `ae-progress-${process.pid}-${++progressCounter}`;
  private bar: ReturnType<typeof displayBundle>;
  private chart = new LiveChart();
  private logs: EpochLog[] = [];
  private lastDraw = 0;
  constructor(private title: string, private epochs: number) {
    this.bar = displayBundle(this.bundle(0, 1, "starting…"));
  }

  private bundle(done: number, total: number, text: string) {
    const pct = Math.round((100 * done) / total);
    const escaped = text.replace(/[<&]/g, (c) => (c === "<" ? "&lt;" : "&amp;"));
    return {
      "text/html": `<div style="font-family:monospace" data-ae-progress="${this.id}"><progress value="${done}" max="${total}" style="width:300px"></progress> ${pct}% ${escaped}</div>`,
      "text/plain": `${this.title}: ${pct}% ${text}`,
    };
  }

  batch(epoch: number, batch: number, batches: number, loss: number) {
    const now = Date.now();
    if (now - this.lastDraw < 400 && batch < batches) return; // redrawing costs more than a batch
    this.lastDraw = now;
    this.bar.update(this.bundle(epoch - 1 + batch / batches, this.epochs, `epoch ${epoch}/${this.epochs}, batch ${batch}/${batches}, loss ${fmt(loss)}`));
  }

  async epoch(log: EpochLog) {
    this.logs.push(log);
    this.bar.update(this.bundle(log.epoch, this.epochs, `epoch ${log.epoch}/${this.epochs}: loss ${fmt(log.loss)}${termsText(log.terms)}, validation ${fmt(log.valLoss)}${termsText(log.valTerms)} (${log.seconds.toFixed(1)} s)`));
    await this.chart.draw(lossChartSpec(this.logs, this.title), `${this.title}: epoch ${log.epoch} loss ${fmt(log.loss)} validation ${fmt(log.valLoss)}`);
  }

  done(message: string) {
    const last = this.logs[this.logs.length - 1];
    this.bar.update(this.bundle(last ? last.epoch : 0, last ? last.epoch : 1, message));
  }
}

class TextProgress implements ProgressReporter {
  constructor(private title: string) {}
  batch() {}
  async epoch(log: EpochLog, epochs: number) {
    console.log(`${this.title} epoch ${log.epoch}/${epochs}: loss ${fmt(log.loss)}${termsText(log.terms)} validation ${fmt(log.valLoss)}${termsText(log.valTerms)} (${log.seconds.toFixed(1)} s)`);
  }
  done(message: string) {
    console.log(`${this.title}: ${message}`);
  }
}

class SilentProgress implements ProgressReporter {
  batch() {}
  async epoch() {}
  done() {}
}

export function progressReporter(kind: "auto" | "text" | "none", title: string, epochs: number): ProgressReporter {
  if (kind === "none") return new SilentProgress();
  if (kind === "auto" && inJupyter()) return new JupyterProgress(title, epochs);
  return new TextProgress(title);
}
