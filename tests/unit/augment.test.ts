// Random affine deformations (data.randomAffine) and the two-view agreement loss (losses.sameClusterLoss)
// that the clustering AAE's consistency phase combines.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { randomAffine } from "../../lib/src/data/augment";
import { sameClusterLoss } from "../../lib/src/losses/sameCluster";
import { randomArray } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

// An 11×11 image with one bright block, and its centre of mass (x, y) and total mass.
const size = 11;
function block(x0: number, y0: number, w: number, h: number): Float32Array {
  const img = new Float32Array(size * size);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) img[y * size + x] = 1;
  return img;
}
function moments(img: ArrayLike<number>): { mass: number; x: number; y: number } {
  let mass = 0, x = 0, y = 0;
  for (let i = 0; i < img.length; i++) { mass += img[i]; x += img[i] * (i % size); y += img[i] * Math.floor(i / size); }
  return { mass, x: x / mass, y: y / mass };
}
const rowsOf = (t: tf.Tensor2D) => { const v = t.arraySync(); t.dispose(); return v; };

describe("randomAffine", () => {
  it("with every range at 0 returns the images unchanged, and leaks nothing", () => {
    const x = tf.tensor2d(Array.from(randomArray(3 * size * size, 4, 0, 1)), [3, size * size]);
    const before = tf.memory().numTensors;
    const out = randomAffine(x, [size, size], 1, { rotationDegrees: 0, scale: 0, shiftPixels: 0 });
    assert.equal(tf.memory().numTensors, before + 1, "only the result is new");
    assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(out, x))).dataSync()[0]) < 1e-6);
    tf.dispose([x, out]);
  });

  it("shifts keep the mass and move the centre by at most shiftPixels along each axis, by different amounts per image", () => {
    const img = block(4, 4, 3, 3), x = tf.tensor2d(Array.from({ length: 8 }, () => Array.from(img)));
    const centre = moments(img), out = rowsOf(randomAffine(x, [size, size], 5, { rotationDegrees: 0, scale: 0, shiftPixels: 2 }));
    const moved = out.map(moments);
    for (const m of moved) {
      assert.ok(Math.abs(m.mass - centre.mass) < 1e-3, `mass ${m.mass} vs ${centre.mass}`);
      assert.ok(Math.abs(m.x - centre.x) <= 2 + 1e-4 && Math.abs(m.y - centre.y) <= 2 + 1e-4, `centre (${m.x}, ${m.y})`);
    }
    assert.ok(new Set(moved.map((m) => m.x.toFixed(3))).size > 4, "each image draws its own shift");
    x.dispose();
  });

  it("rotates about the image centre: a centred block keeps its centre; a bar off-centre swings round it", () => {
    const centred = tf.tensor2d([Array.from(block(4, 4, 3, 3))]);
    const c = moments(rowsOf(randomAffine(centred, [size, size], 2, { rotationDegrees: 30, scale: 0, shiftPixels: 0 }))[0]);
    assert.ok(Math.abs(c.x - 5) < 1e-3 && Math.abs(c.y - 5) < 1e-3, `centre (${c.x}, ${c.y})`);
    // A block right of the centre, rotated up to 90°: it stays at the same distance from the centre.
    const right = tf.tensor2d(Array.from({ length: 6 }, () => Array.from(block(7, 4, 3, 3))));
    for (const m of rowsOf(randomAffine(right, [size, size], 3, { rotationDegrees: 90, scale: 0, shiftPixels: 0 })).map(moments)) {
      assert.ok(Math.abs(Math.hypot(m.x - 5, m.y - 5) - 3) < 0.15, `distance ${Math.hypot(m.x - 5, m.y - 5)} from the centre`);
    }
    tf.dispose([centred, right]);
  });

  it("is repeatable: the same seed gives the same deformations, another seed others", () => {
    const x = tf.tensor2d(Array.from(randomArray(4 * size * size, 6, 0, 1)), [4, size * size]);
    const [a, b, c] = [7, 7, 8].map((s) => rowsOf(randomAffine(x, [size, size], s)));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    x.dispose();
  });

  it("says what is wrong: images that do not match the shape, ranges out of bounds", () => {
    const x = tf.zeros([2, 100]) as tf.Tensor2D;
    assert.throws(() => randomAffine(x, [size, size], 1), /must have shape \[batch, 121\] for 11×11 images, got \[2,100\]/);
    assert.throws(() => randomAffine(x, [10, 10], 1, { rotationDegrees: -1 }), /rotationDegrees must be in \[0, 180\]/);
    assert.throws(() => randomAffine(x, [10, 10], 1, { scale: 1 }), /scale must be in \[0, 0.9\]/);
    x.dispose();
  });
});

describe("sameClusterLoss", () => {
  const value = (t: tf.Scalar) => { const v = t.dataSync()[0]; t.dispose(); return v; };

  it("is −mean log Σ_y p_a p_b, worked by hand", () => {
    // Row 1: both uniform over 2 → Σ p p = 1/2. Row 2: p_a = softmax(0, ln 3) = (1/4, 3/4), p_b = (1/2, 1/2) → 1/2.
    // Row 3: p_a = (1/4, 3/4), p_b = (3/4, 1/4) → 3/16 + 3/16 = 3/8.
    const a = tf.tensor2d([[0, 0], [0, Math.log(3)], [0, Math.log(3)]]), b = tf.tensor2d([[0, 0], [1, 1], [Math.log(3), 0]]);
    const expected = -(Math.log(0.5) + Math.log(0.5) + Math.log(3 / 8)) / 3;
    assert.ok(Math.abs(value(sameClusterLoss(a, b)) - expected) < 1e-6);
    tf.dispose([a, b]);
  });

  it("is near 0 when both views are sure of the same cluster, large when sure of different ones, finite either way", () => {
    const sure = tf.tensor2d([[40, 0, 0], [0, 40, 0]]), other = tf.tensor2d([[0, 40, 0], [0, 0, 40]]);
    assert.ok(value(sameClusterLoss(sure, sure)) < 1e-6);
    const apart = value(sameClusterLoss(sure, other));
    assert.ok(apart > 30 && Number.isFinite(apart), `sure of different clusters: ${apart}`);
    tf.dispose([sure, other]);
  });

  it("has the gradient finite differences give, for both views, and leaks nothing", () => {
    const a = tf.tensor2d(Array.from(randomArray(12, 31, -2, 2)), [3, 4]), b = tf.tensor2d(Array.from(randomArray(12, 32, -2, 2)), [3, 4]);
    const before = tf.memory().numTensors;
    const [ga, gb] = tf.grads((u: tf.Tensor, v: tf.Tensor) => sameClusterLoss(u as tf.Tensor2D, v as tf.Tensor2D))([a, b]);
    const analytic = [...ga.dataSync(), ...gb.dataSync()];
    tf.dispose([ga, gb]);
    assert.equal(tf.memory().numTensors, before, "no tensors left behind");
    const base = [...a.dataSync(), ...b.dataSync()], h = 1e-2;
    const at = (vals: number[]) => tf.tidy(() => sameClusterLoss(tf.tensor2d(vals.slice(0, 12), [3, 4]), tf.tensor2d(vals.slice(12), [3, 4])).dataSync()[0]);
    base.forEach((_, i) => {
      const up = [...base], down = [...base];
      up[i] += h; down[i] -= h;
      const numeric = (at(up) - at(down)) / (2 * h);
      assert.ok(Math.abs(numeric - analytic[i]) < 2e-3, `entry ${i}: numeric ${numeric} vs ${analytic[i]}`);
    });
    tf.dispose([a, b]);
  });

  it("says what is wrong when the two views do not match", () => {
    const a = tf.zeros([2, 3]) as tf.Tensor2D, b = tf.zeros([2, 4]) as tf.Tensor2D;
    assert.throws(() => sameClusterLoss(a, b), /both views need logits of the same shape.*\[2,3\] and \[2,4\]/);
    tf.dispose([a, b]);
  });
});
