// One executed cell's outputs as HTML. A vega-lite chart becomes a placeholder that the page's
// script draws with vega-embed, holding the PNG the kernel saved, which is what a reader without
// scripts sees. Images are written as files next to the page rather than inlined.
const { escapeHtml } = require("./markdown");

const VEGA_LITE = /^application\/vnd\.vegalite\.v\d\+json$/;

const stripAnsi = (s) => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
const joined = (v) => (Array.isArray(v) ? v.join("") : String(v ?? ""));

/** What a terminal would show: a carriage return lets the rest of the line overwrite its start. */
function terminalText(text) {
  return stripAnsi(text).split("\n").map((line) => line.slice(line.lastIndexOf("\r") + 1)).join("\n");
}

/** Streams of the same kind that follow each other are one block, as in Jupyter. */
function mergeStreams(outputs) {
  const merged = [];
  for (const o of outputs) {
    const last = merged[merged.length - 1];
    if (o.output_type === "stream" && last?.output_type === "stream" && last.name === o.name) {
      last.text += joined(o.text);
    } else merged.push(o.output_type === "stream" ? { ...o, text: joined(o.text) } : o);
  }
  return merged;
}

/**
 * @param outputs  the cell's nbformat outputs
 * @param page     { figure(pngBase64) -> relative url, chart(spec) -> element id }
 */
function renderOutputs(outputs, page) {
  return mergeStreams(outputs ?? []).map((o) => {
    if (o.output_type === "stream") {
      return `<pre class="output stream ${o.name === "stderr" ? "stderr" : "stdout"}">${escapeHtml(terminalText(o.text))}</pre>`;
    }
    if (o.output_type === "error") {
      const text = [`${o.ename ?? "Error"}: ${o.evalue ?? ""}`, ...(o.traceback ?? [])].join("\n");
      return `<pre class="output error">${escapeHtml(stripAnsi(text))}</pre>`;
    }
    const data = o.data ?? {};
    const vl = Object.keys(data).find((k) => VEGA_LITE.test(k));
    if (vl) {
      const png = data["image/png"] ? `<img class="chart-png" src="${page.figure(joined(data["image/png"]))}" alt="chart">` : "";
      const spec = typeof data[vl] === "string" ? JSON.parse(data[vl]) : data[vl];
      // Image maps (a picture per point in the tooltip) are marked, so tests know where to hover.
      const imageMap = JSON.stringify(spec).includes("data:image/png;base64,") ? " data-image-tooltips" : "";
      return `<figure class="output chart" data-spec="${page.chart(spec)}"${imageMap}><div class="chart-target"></div>${png}</figure>`;
    }
    if (data["text/html"]) return `<div class="output html">${joined(data["text/html"])}</div>`;
    if (data["image/png"]) return `<figure class="output image"><img src="${page.figure(joined(data["image/png"]))}" alt="figure"></figure>`;
    if (data["text/plain"]) return `<pre class="output text">${escapeHtml(stripAnsi(joined(data["text/plain"])))}</pre>`;
    return "";
  }).join("\n");
}

module.exports = { renderOutputs, joined };
