// Charts as one display bundle (vega-lite v5 + PNG + text) and image grids as PNG.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { PNG } from "pngjs";
import { VEGA_LITE_MIME, chartBundle, imageGridPng, rowLabelWidth, svgToPng, vegaLiteToSvg } from "../../lib/src/plots";
import { ChartError } from "../../lib/src/plots/render";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const spec = {
  title: "loss",
  width: 200,
  height: 100,
  data: { values: [{ epoch: 1, loss: 0.5 }, { epoch: 2, loss: 0.3 }, { epoch: 3, loss: 0.2 }] },
  mark: "line",
  encoding: { x: { field: "epoch", type: "quantitative" }, y: { field: "loss", type: "quantitative" } },
};

before(async () => {
  await tf.setBackend("cpu");
});

describe("chartBundle", () => {
  it("holds the vega-lite spec as a v5 object, a PNG and text", async () => {
    const bundle = await chartBundle(spec);
    assert.deepEqual(Object.keys(bundle).sort(), ["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
    assert.equal(VEGA_LITE_MIME, "application/vnd.vegalite.v5+json");

    const vl = bundle[VEGA_LITE_MIME] as Record<string, unknown>;
    assert.equal(typeof vl, "object", "an object, not a JSON string");
    assert.match(String(vl.$schema), /vega-lite\/v5(\.\d+)*\.json$/);
    assert.deepEqual({ ...vl, $schema: undefined }, { ...spec, $schema: undefined }, "the spec itself is unchanged");
    assert.equal((spec as Record<string, unknown>).$schema, undefined, "the caller's spec is not modified");

    assert.equal(bundle["text/plain"], "[chart: loss]");
    assert.equal((await chartBundle(spec, "training loss by epoch"))["text/plain"], "training loss by epoch");
  });

  it("renders a PNG of the chart's size with something drawn on it", async () => {
    const bundle = await chartBundle(spec);
    const bytes = Buffer.from(bundle["image/png"] as string, "base64");
    assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE);
    const png = PNG.sync.read(bytes);
    assert.ok(png.width > 0 && png.height > 0);
    // The PNG is the SVG rasterised at 1.5x.
    const svg = await vegaLiteToSvg(spec);
    const svgWidth = Number(svg.match(/<svg[^>]*\bwidth="([\d.]+)"/)![1]);
    const svgHeight = Number(svg.match(/<svg[^>]*\bheight="([\d.]+)"/)![1]);
    assert.ok(Math.abs(png.width - 1.5 * svgWidth) <= 1, `PNG width ${png.width} vs SVG width ${svgWidth}`);
    assert.ok(Math.abs(png.height - 1.5 * svgHeight) <= 1, `PNG height ${png.height} vs SVG height ${svgHeight}`);
    let dark = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] < 128) dark++;
    assert.ok(dark > 100, `the chart draws lines and text (${dark} dark pixels)`);
  });
});

describe("charts that cannot silently break", () => {
  // Bars on a log scale stack from zero: vega warns and every bar is drawn at NaN.
  const logBars = {
    title: "eigenvalues",
    data: { values: [{ k: "a", v: 10 }, { k: "b", v: 100 }] },
    mark: "bar",
    encoding: { x: { field: "k", type: "nominal" }, y: { field: "v", type: "quantitative", scale: { type: "log" } } },
  };
  async function withStrict<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
    const saved = process.env.AE_STRICT_CHARTS;
    if (value === undefined) delete process.env.AE_STRICT_CHARTS;
    else process.env.AE_STRICT_CHARTS = value;
    try { return await fn(); } finally {
      if (saved === undefined) delete process.env.AE_STRICT_CHARTS;
      else process.env.AE_STRICT_CHARTS = saved;
    }
  }

  it("under AE_STRICT_CHARTS=1 a vega warning and marks at NaN are a ChartError naming the chart", async () => {
    await withStrict("1", () => assert.rejects(vegaLiteToSvg(logBars), (e: Error) => {
      assert.ok(e instanceof ChartError);
      assert.match(e.message, /chart "eigenvalues": Log scale domain includes zero/);
      assert.match(e.message, /2 mark item\(s\) have no valid coordinates/);
      return true;
    }));
  });

  it("a vega-lite compile warning is caught too", async () => {
    const badScale = { ...spec, encoding: { ...spec.encoding, color: { field: "epoch", type: "nominal", scale: { type: "log" } } } };
    await withStrict("1", () => assert.rejects(vegaLiteToSvg(badScale), /chart "loss": .*"log" scale/));
  });

  it("without strict mode the chart still renders and the warning goes to stderr", async () => {
    const warned: string[] = [];
    const original = console.warn;
    console.warn = (...m: unknown[]) => { warned.push(m.join(" ")); };
    try {
      const svg = await withStrict(undefined, () => vegaLiteToSvg(logBars));
      assert.match(svg, /^<svg/);
    } finally {
      console.warn = original;
    }
    assert.equal(warned.length, 1);
    assert.match(warned[0], /^warning: chart "eigenvalues": Log scale domain includes zero/);
  });

  it("the same bars with stack: null draw cleanly in strict mode", async () => {
    const fixed = { ...logBars, encoding: { ...logBars.encoding, y: { ...logBars.encoding.y, stack: null } } };
    assert.match(await withStrict("1", () => vegaLiteToSvg(fixed)), /^<svg/);
  });
});

describe("rowLabelWidth", () => {
  it("leaves room for the longest label, drawn right-aligned as showImages draws it", () => {
    for (const label of ["input", "missed anomalies", "query: Ankle boot", "VQ-VAE, 294 bits", "autoencoder, 8 numbers × 4 bits", "EBGAN (margin 0.05)"]) {
      const width = rowLabelWidth(["a", label]);
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" font-family="DejaVu Sans">` +
        `<rect width="100%" height="100%" fill="white"/><text x="${width - 6}" y="10" text-anchor="end" dominant-baseline="middle" font-size="12">${label}</text></svg>`;
      const png = PNG.sync.read(svgToPng(svg, 1));
      let leftmostInk = png.width;
      for (let y = 0; y < png.height; y++) for (let x = 0; x < png.width; x++) if (png.data[4 * (y * png.width + x)] < 128) leftmostInk = Math.min(leftmostInk, x);
      assert.ok(leftmostInk > 0 && leftmostInk < png.width, `"${label}" fits in ${width} px (ink from x = ${leftmostInk})`);
    }
    assert.equal(rowLabelWidth(["a", "b"]), 110, "short labels keep the usual column");
  });
});

describe("imageGridPng", () => {
  const image = (v: number, pixels = 16) => new Float32Array(pixels).fill(v);
  const read = (g: { png: Buffer }) => PNG.sync.read(g.png);
  const grey = (png: PNG, x: number, y: number) => png.data[(y * png.width + x) * 4];

  it("sizes the grid from rows, columns and scale (2-pixel gaps)", () => {
    const rows = [[image(0), image(0.5), image(1)], [image(1), image(1), image(1)]];
    const g = imageGridPng(rows, { scale: 3 });
    // 3 columns of 4*3 pixels plus gaps: 3 * (12 + 2) + 2; 2 rows: 2 * (12 + 2) + 2.
    assert.deepEqual([g.width, g.height], [44, 30]);
    const png = read(g);
    assert.deepEqual([png.width, png.height], [44, 30]);
    // Two columns: each row of three wraps onto two lines.
    const wrapped = imageGridPng(rows, { scale: 3, columns: 2 });
    assert.deepEqual([wrapped.width, wrapped.height], [2 * 14 + 2, 4 * 14 + 2]);
  });

  it("draws 0 as white and 1 as black, and honours the range", () => {
    const png = read(imageGridPng([[image(0), image(0.5), image(1)]], { scale: 1 }));
    // Image c starts at x = 2 + c * (4 + 2), y = 2.
    assert.equal(grey(png, 2, 2), 255);
    assert.equal(grey(png, 8, 2), 255 - Math.round(255 * 0.5));
    assert.equal(grey(png, 14, 2), 0);
    assert.equal(grey(png, 0, 0), 255, "the gap is white");
    const ranged = read(imageGridPng([[image(-1), image(1)]], { scale: 1, range: [-1, 1] }));
    assert.deepEqual([grey(ranged, 2, 2), grey(ranged, 8, 2)], [255, 0]);
  });

  it("accepts non-square images with imageShape, and tensors", () => {
    const g = imageGridPng([[image(1, 6), image(0, 6)]], { imageShape: [2, 3], scale: 2 });
    assert.deepEqual([g.width, g.height], [2 * (6 + 2) + 2, 1 * (4 + 2) + 2]);
    const t = tf.ones([5, 9]);
    const fromTensor = imageGridPng([t], { scale: 1 });
    assert.deepEqual([fromTensor.width, fromTensor.height], [5 * (3 + 2) + 2, 3 + 2 + 2]);
    t.dispose();
  });

  it("rejects images whose pixel count does not fit", () => {
    assert.throws(() => imageGridPng([[image(0, 15)]]), /images have 15 pixels; pass imageShape for non-square images/);
    assert.throws(() => imageGridPng([[image(0), image(0, 9)]]), /image 0,1 has 9 pixels, expected 16/);
    assert.throws(() => imageGridPng([[image(0, 6)]], { imageShape: [2, 2] }), /images have 6 pixels/);
    assert.throws(() => imageGridPng([[]]), /no images to draw/);
  });
});
