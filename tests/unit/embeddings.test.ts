// 2-D embeddings by every reduction method (PCA, LDA, t-SNE, UMAP, Isomap, LLE) and the embedding
// chart with image tooltips. The methods run on 150 Fashion-MNIST test images downsampled to 14×14:
// the code is the same for any image size, and the 196×196 eigendecomposition keeps the test fast
// (the 784×784 one takes seconds).
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { PNG } from "pngjs";
import { embed, pcaScores, REDUCTION_METHODS } from "../../lib/src/embeddings/reduce";
import { codesOverPriorSpec, embeddingSpec, imageDataUrl } from "../../lib/src/plots/embedding";
import { vegaLiteToSvg } from "../../lib/src/plots";
import { knnAccuracy, Points } from "../../lib/src/metrics/neighbours";
import { ImageDataset, loadFashionMnist } from "../../lib/src/data";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let full: ImageDataset; // 28×28
let data: ImageDataset; // the same images, 14×14
let reduced: Points;

/** Averages 2×2 blocks of 28×28 images. */
function downsample(d: ImageDataset): ImageDataset {
  const out = new Float32Array(d.size * 196);
  for (let i = 0; i < d.size; i++) {
    const im = d.image(i);
    for (let y = 0; y < 14; y++) for (let x = 0; x < 14; x++) {
      const p = (2 * y) * 28 + 2 * x;
      out[i * 196 + y * 14 + x] = (im[p] + im[p + 1] + im[p + 28] + im[p + 29]) / 4;
    }
  }
  return new ImageDataset(out, d.labels, [14, 14, 1], d.classNames, `${d.name} 14×14`);
}

before(async () => {
  await tf.setBackend("cpu");
  full = loadFashionMnist({ verify: false }).test.take(150);
  data = downsample(full);
  reduced = pcaScores(data, 50);
});

const column = (p: Points, c: number) => Array.from({ length: p.values.length / p.dim }, (_, i) => Number(p.values[i * p.dim + c]));
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const covariance = (a: number[], b: number[]) => {
  const [ma, mb] = [mean(a), mean(b)];
  return a.reduce((s, v, i) => s + (v - ma) * (b[i] - mb), 0) / (a.length - 1);
};

describe("pcaScores", () => {
  it("gives centred, uncorrelated scores with non-increasing variance", () => {
    assert.equal(reduced.dim, 50);
    assert.equal(reduced.values.length, 50 * data.size);
    const cols = [0, 1, 2].map((c) => column(reduced, c));
    const variances = cols.map((c) => covariance(c, c));
    assert.ok(variances[0] >= variances[1] && variances[1] >= variances[2], `variances ${variances}`);
    assert.ok(variances[2] > 0);
    for (const c of cols) assert.ok(Math.abs(mean(c)) < 1e-3 * Math.sqrt(variances[0]), "centred");
    assert.ok(Math.abs(covariance(cols[0], cols[1])) < 1e-3 * variances[0], "principal scores are uncorrelated");
    // The variance captured by the first direction beats that of any single pixel.
    const pixelVariances = Array.from({ length: data.featureSize }, (_, j) => {
      const v = Array.from({ length: data.size }, (_, i) => data.image(i)[j]);
      return covariance(v, v);
    });
    assert.ok(variances[0] >= Math.max(...pixelVariances));
  });
});

describe("embed", () => {
  it("every method returns n finite 2-D points and a non-negative time", () => {
    for (const method of REDUCTION_METHODS) {
      const e = embed(method, data, reduced, { iterations: { tsne: 100, umap: 50 } });
      assert.equal(e.method, method);
      assert.equal(e.dim, 2);
      assert.equal(e.values.length, 2 * data.size, method);
      assert.ok(Array.from(e.values).every(Number.isFinite), `${method} coordinates are finite`);
      assert.ok(e.seconds >= 0 && Number.isFinite(e.seconds), `${method} seconds ${e.seconds}`);
      assert.ok(column(e, 0).some((v) => v !== e.values[0]), `${method} does not collapse every point onto one`);
    }
  });

  it("PCA's embedding is the first two principal scores", () => {
    const e = embed("PCA", data, reduced);
    const expected = pcaScores(data, 2).values;
    assert.ok(Array.from(e.values).every((v, i) => Math.abs(v - expected[i]) < 1e-9));
  });

  it("LDA separates the classes far better than chance (k-NN accuracy)", () => {
    const e = embed("LDA", data, reduced);
    const accuracy = knnAccuracy(e, data.labels, 5);
    assert.ok(accuracy > 0.3, `k-NN accuracy ${accuracy} (chance is about 0.1)`);
  });

  it("rejects an unknown method", () => {
    assert.throws(() => embed("MDS" as never, data, reduced), /embed: unknown method "MDS"; use one of PCA, LDA, t-SNE, UMAP, Isomap, LLE/);
  });
});

describe("imageDataUrl", () => {
  it("is a base64 PNG data URL of the image, scaled", () => {
    const decode = (url: string) => {
      assert.ok(url.startsWith("data:image/png;base64,"), url.slice(0, 40));
      const bytes = Buffer.from(url.slice("data:image/png;base64,".length), "base64");
      assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE);
      return PNG.sync.read(bytes);
    };
    const two = decode(imageDataUrl(full.image(0)));
    const three = decode(imageDataUrl(full.image(0), 3));
    assert.ok(two.width >= 56 && two.height >= 56, `${two.width}×${two.height}`);
    assert.equal(three.width - two.width, 28, "one more scale step adds one image width");
    assert.equal(three.height - two.height, 28);
    // Ink is dark: a blank image draws no dark pixel, a full one many.
    const dark = (png: PNG) => { let n = 0; for (let i = 0; i < png.data.length; i += 4) if (png.data[i] < 128) n++; return n; };
    assert.equal(dark(decode(imageDataUrl(new Float32Array(784)))), 0);
    assert.ok(dark(decode(imageDataUrl(new Float32Array(784).fill(1)))) >= 56 * 56);
  });
});

describe("embeddingSpec", () => {
  const points = { values: [0.5, 1, -2, 3, 4, -0.25, 1.5, 2.5], dim: 2 };
  const labels = [0, 2, 1, 2];
  const classNames = ["shirt", "bag", "boot"];

  it("has one data value per point with its class name and no image without `image`", async () => {
    const spec = embeddingSpec(points, labels, classNames, { title: "codes" });
    const values = spec.data.values as Record<string, unknown>[];
    assert.equal(values.length, 4);
    values.forEach((v, i) => {
      assert.equal(v.x, points.values[2 * i]);
      assert.equal(v.y, points.values[2 * i + 1]);
      assert.equal(v.class, classNames[labels[i]]);
      assert.equal(v.index, i);
      assert.equal("image" in v, false);
    });
    const tooltipFields = (spec.encoding.tooltip as { field: string }[]).map((t) => t.field);
    assert.ok(!tooltipFields.includes("image"));
    assert.deepEqual(spec.encoding.color.scale.domain, classNames);
    assert.equal(spec.title, "codes");
    assert.match(await vegaLiteToSvg(spec), /<svg/);
  });

  it("adds an image tooltip field, and extra fields, when asked", () => {
    const seen: number[] = [];
    const spec = embeddingSpec(points, labels, classNames, {
      image: (i) => { seen.push(i); return full.image(i); },
      extra: (i) => ({ error: i / 10 }),
    });
    assert.deepEqual(seen, [0, 1, 2, 3], "one image per point, in order");
    const values = spec.data.values as Record<string, unknown>[];
    for (const v of values) assert.match(String(v.image), /^data:image\/png;base64,/);
    assert.equal(values[3].error, 0.3);
    assert.equal(values[0].image, imageDataUrl(full.image(0)));
    assert.notEqual(values[0].image, values[1].image);
    const tooltipFields = (spec.encoding.tooltip as { field: string }[]).map((t) => t.field);
    assert.ok(tooltipFields.includes("image"));
    assert.ok(tooltipFields.includes("error"));
  });

  it("rejects non-2-D points and mismatched lengths", () => {
    assert.throws(() => embeddingSpec({ values: [1, 2, 3, 4, 5, 6], dim: 3 }, [0, 1], classNames), /embeddingSpec: points must be 2-D, got dim 3/);
    assert.throws(() => embeddingSpec(points, [0, 1, 2], classNames), /embeddingSpec: 4 points but 3 labels/);
  });
});

describe("codesOverPriorSpec", () => {
  it("layers every prior sample under the coloured codes, with numbered axes, and renders", async () => {
    const codes = { values: [0, 1, 2, 3], dim: 2 }, prior = { values: [0.5, 0.5, -1, 2, 3, 3], dim: 2 };
    const spec = codesOverPriorSpec(codes, [0, 1], ["a", "b"], prior, { title: "codes vs prior" });
    assert.equal(spec.layer.length, 2);
    assert.deepEqual(spec.layer[0].data.values, [{ x: 0.5, y: 0.5 }, { x: -1, y: 2 }, { x: 3, y: 3 }]);
    assert.deepEqual((spec.layer[1].data.values as { class: string }[]).map((v) => v.class), ["a", "b"]);
    assert.equal(spec.layer[1].encoding.x.axis.labels, undefined, "axis numbers are shown: the scale matters");
    assert.equal(spec.title, "codes vs prior");
    assert.match(await vegaLiteToSvg(spec), /<svg/);
    assert.throws(() => codesOverPriorSpec(codes, [0, 1], ["a", "b"], { values: [1, 2, 3], dim: 3 }), /prior samples must be 2-D/);
  });
});
