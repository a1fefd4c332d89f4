// The tools of notebook 11: AUROC and the ROC curve, Hamming ranking with precision@k and mAP, the
// scalar quantiser with its entropy-coded rate, and the JPEG round trip.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { auroc, rocCurve } from "../../lib/src/metrics/auroc";
import { hammingDistances, hammingRanking, hammingRetrievalScores, packBits, rankingScores } from "../../lib/src/metrics/retrieval";
import { entropyCodedBits, fitUniformQuantizer, quantizeIndices, quantizeRoundTrip } from "../../lib/src/compression/quantize";
import { jpegParts, jpegRoundTrip } from "../../lib/src/compression/jpeg";
import { randomArray, seededRandomInts } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

describe("auroc", () => {
  it("equals the fraction of (positive, negative) pairs ranked correctly, ties counting half", () => {
    // Scores rounded to one decimal so that many tie.
    const scores = Array.from(randomArray(60, 3, 0, 1), (s) => Math.round(s * 10) / 10);
    const positive = Array.from(seededRandomInts(60, 4, 0, 2), (v) => v === 1);
    let pairs = 0, wins = 0;
    scores.forEach((sp, i) => scores.forEach((sn, j) => {
      if (!positive[i] || positive[j]) return;
      pairs++;
      wins += sp > sn ? 1 : sp === sn ? 0.5 : 0;
    }));
    assert.ok(Math.abs(auroc(scores, positive) - wins / pairs) < 1e-12);
  });

  it("is 1 for a perfect ranking, 0 for a reversed one and 0.5 when every score ties", () => {
    const positive = [false, false, true, true];
    assert.equal(auroc([1, 2, 3, 4], positive), 1);
    assert.equal(auroc([4, 3, 2, 1], positive), 0);
    assert.equal(auroc([7, 7, 7, 7], positive), 0.5);
  });

  it("the ROC curve runs from (0,0) to (1,1) and its trapezoid area is the AUROC", () => {
    const scores = Array.from(randomArray(80, 5, 0, 1), (s) => Math.round(s * 20));
    const positive = Array.from(seededRandomInts(80, 6, 0, 2), (v) => v === 1);
    const curve = rocCurve(scores, positive);
    assert.deepEqual(curve[0], { falsePositiveRate: 0, truePositiveRate: 0 });
    assert.deepEqual(curve[curve.length - 1], { falsePositiveRate: 1, truePositiveRate: 1 });
    let area = 0;
    for (let i = 1; i < curve.length; i++) {
      area += (curve[i].falsePositiveRate - curve[i - 1].falsePositiveRate) * (curve[i].truePositiveRate + curve[i - 1].truePositiveRate) / 2;
    }
    assert.ok(Math.abs(area - auroc(scores, positive)) < 1e-12);
  });

  it("says what is wrong with its input", () => {
    assert.throws(() => auroc([1, 2], [true]), /2 scores but 1 labels/);
    assert.throws(() => auroc([1, 2], [true, true]), /needs both classes: got 2 positives and 0 negatives/);
    assert.throws(() => auroc([1, NaN], [true, false]), /score 1 is NaN/);
  });
});

describe("Hamming retrieval", () => {
  it("packs codes longer than one word and counts differing bits", () => {
    const bits = 40;
    const a = Array.from(seededRandomInts(3 * bits, 1, 0, 2)), b = Array.from(seededRandomInts(5 * bits, 2, 0, 2));
    const qa = packBits(a, bits), db = packBits(b, bits);
    assert.equal(qa.wordsPerCode, 2);
    for (let q = 0; q < 3; q++) {
      const dist = hammingDistances(qa, q, db);
      for (let r = 0; r < 5; r++) {
        let naive = 0;
        for (let i = 0; i < bits; i++) naive += a[q * bits + i] !== b[r * bits + i] ? 1 : 0;
        assert.equal(dist[r], naive);
      }
    }
  });

  it("ranks by distance, ties in database order", () => {
    const db = packBits([1, 1, 0, 0, 0, 0, 1, 0, 0, 0], 2); // codes 11, 00, 00, 10, 00 → distances 2, 0, 0, 1, 0
    assert.deepEqual(Array.from(hammingRanking(packBits([0, 0], 2), 0, db)), [1, 2, 4, 3, 0]);
  });

  it("precision@k and average precision of a hand-worked ranking", () => {
    // Query 0000 (label 0) against 0000 (0), 0001 (1), 0011 (0), 1111 (1): relevant at ranks 1 and 3.
    const db = packBits([0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1], 4);
    const s = hammingRetrievalScores(packBits([0, 0, 0, 0], 4), [0], db, [0, 1, 0, 1], [1, 2, 4]);
    assert.deepEqual(s.precisionAt, { 1: 1, 2: 0.5, 4: 0.5 });
    assert.ok(Math.abs(s.meanAveragePrecision - (1 + 2 / 3) / 2) < 1e-12);
    assert.ok(s.millisecondsPerQuery >= 0);
  });

  it("scores any ranking (here a fixed one) and refuses a ranking of the wrong length", () => {
    const s = rankingScores(() => [2, 0, 1], [5], [5, 7, 5], [1, 3]);
    assert.deepEqual(s.precisionAt, { 1: 1, 3: 2 / 3 });
    assert.ok(Math.abs(s.meanAveragePrecision - (1 + 1) / 2) < 1e-12);
    assert.throws(() => rankingScores(() => [0, 1], [5], [5, 7, 5]), /a ranking of 2 rows for a database of 3/);
  });

  it("refuses codes of different lengths and labels that do not match the codes", () => {
    assert.throws(() => hammingDistances(packBits([1, 0], 2), 0, packBits([1, 0, 1], 3)), /2-bit queries against 3-bit/);
    assert.throws(() => hammingRetrievalScores(packBits([1, 0], 2), [0, 1], packBits([1, 0], 2), [0]), /1 queries with 2 labels/);
    assert.throws(() => packBits([1, 0, 1], 2), /not whole codes of 2 bits/);
  });
});

describe("uniform quantiser", () => {
  it("keeps every in-range value within half a cell, clips the rest, and leaks nothing", () => {
    const codes = tf.tensor2d(randomArray(400, 7, -2, 3), [200, 2]);
    const q = fitUniformQuantizer(codes, 3, 0);
    const before = tf.memory().numTensors;
    const back = quantizeRoundTrip(q, codes), idx = quantizeIndices(q, codes);
    const cell = [(q.high[0] - q.low[0]) / 8, (q.high[1] - q.low[1]) / 8];
    const x = codes.dataSync(), y = back.dataSync(), ix = idx.dataSync();
    for (let i = 0; i < x.length; i++) {
      assert.ok(Math.abs(x[i] - y[i]) <= cell[i % 2] / 2 + 1e-5, `value ${x[i]} came back as ${y[i]}`);
      assert.ok(ix[i] >= 0 && ix[i] < 8);
    }
    const far = tf.tensor2d([[100, -100]]);
    const farBack = quantizeRoundTrip(q, far);
    const clipped = farBack.dataSync();
    assert.ok(Math.abs(clipped[0] - (q.high[0] - cell[0] / 2)) < 1e-4 && Math.abs(clipped[1] - (q.low[1] + cell[1] / 2)) < 1e-4);
    tf.dispose([back, idx, farBack]);
    assert.equal(tf.memory().numTensors, before + 1); // only `far`
    tf.dispose([codes, far]);
  });

  it("entropy-coded rate: near dims·bits for uniform codes, far below it for concentrated ones", () => {
    const uniform = tf.tensor2d(randomArray(4000 * 2, 8, 0, 1), [4000, 2]);
    const q = fitUniformQuantizer(uniform, 4, 0);
    const idx = quantizeIndices(q, uniform);
    const rate = entropyCodedBits(q, idx, idx);
    assert.ok(rate > 7.9 && rate <= 8.01, `uniform: ${rate} bits, expected about 8`);
    // Mostly one value: most symbols fall in one cell.
    const peaked = tf.tensor2d(Array.from(randomArray(4000 * 2, 9, 0, 1), (v, i) => (i % 50 === 0 ? v : 0.5)), [4000, 2]);
    const pIdx = quantizeIndices(q, peaked);
    assert.ok(entropyCodedBits(q, pIdx, pIdx) < 1, "a code that hardly varies costs under a bit");
    tf.dispose([uniform, idx, peaked, pIdx]);
  });

  it("refuses a code of the wrong width and an impossible bit depth", () => {
    const codes = tf.tensor2d(randomArray(20, 1), [10, 2]);
    const q = fitUniformQuantizer(codes, 2);
    assert.throws(() => quantizeIndices(q, tf.zeros([3, 5]) as tf.Tensor2D), /fitted to 2 dimensions got a tensor of shape \[3,5\]/);
    assert.throws(() => fitUniformQuantizer(codes, 0), /bits must be an integer in 1..16/);
  });
});

describe("JPEG round trip", () => {
  // A smooth 28×28 gradient and a noisy one: JPEG codes the smooth one in fewer bytes.
  const smooth = Float32Array.from({ length: 784 }, (_, p) => ((p % 28) + Math.floor(p / 28)) / 54);
  const noisy = randomArray(784, 4, 0, 1);

  it("more quality costs more bytes and gives a closer image; only the Huffman tables and the scan differ between images", async () => {
    const both = new Float32Array([...smooth, ...noisy]);
    const low = await jpegRoundTrip(both, 28, 28, 20), high = await jpegRoundTrip(both, 28, 28, 95);
    const mse = (r: Float32Array) => r.reduce((s, v, i) => s + (v - both[i]) ** 2, 0) / r.length;
    assert.ok(high.scanBytesPerImage > low.scanBytesPerImage);
    assert.ok(mse(high.decoded) < mse(low.decoded));
    assert.ok(mse(high.decoded) < 0.01, `quality 95 should be close: MSE ${mse(high.decoded)}`);
    const single = await jpegRoundTrip(smooth, 28, 28, 20), other = await jpegRoundTrip(noisy, 28, 28, 20);
    assert.equal(single.sharedBytes, other.sharedBytes);
    assert.ok(single.huffmanTableBytesPerImage > 0 && single.sharedBytes > 0);
    assert.ok(single.scanBytesPerImage < other.scanBytesPerImage, "the smooth image is cheaper");
  });

  it("says what is wrong with its input", async () => {
    await assert.rejects(jpegRoundTrip(smooth, 28, 28, 0), /quality must be in 1..100/);
    await assert.rejects(jpegRoundTrip(smooth.subarray(0, 700), 28, 28, 50), /700 values are not whole 28×28 images/);
    assert.throws(() => jpegParts(new Uint8Array([0x89, 0x50, 0x4e, 0x47])), /does not start with the SOI marker/);
    assert.throws(() => jpegParts(new Uint8Array([0xff, 0xd8, 0x00, 0x01, 0x02, 0x03])), /expected a marker at byte 2/);
  });
});
