// The k-sparse layer, the sparsity penalties (L1, KL) and the contractive penalty (closed form for a
// sigmoid layer, autodiff Jacobian, stochastic estimate).
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { topK } from "../../lib/src/models/kSparse";
import { l1Penalty, klSparsityPenalty } from "../../lib/src/losses/sparsity";
import { contractivePenaltySigmoid, jacobianFrobeniusSquared, stochasticContractivePenalty } from "../../lib/src/losses/contractive";
import { randomArray, randomTensor, relativeError } from "./helpers";

before(async () => {
  await tf.setBackend("cpu");
});

const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));

describe("topK", () => {
  const [batch, units, k] = [4, 10, 3];
  const zValues = randomArray(batch * units, 11); // distinct values in [-1, 1), some rows mostly negative
  /** Column indices of the k largest values of row i, from the plain array. */
  const keptColumns = (i: number) => {
    const row = Array.from(zValues.subarray(i * units, (i + 1) * units));
    return new Set(row.map((v, j) => [v, j]).sort((a, b) => b[0] - a[0]).slice(0, k).map(([, j]) => j));
  };

  it("keeps exactly the k largest values of each row, in place, and zeroes the rest", () => {
    const z = tf.tensor2d(zValues, [batch, units]);
    const out = topK(z, k);
    assert.deepEqual(out.shape, [batch, units]);
    const o = out.dataSync();
    for (let i = 0; i < batch; i++) {
      const kept = keptColumns(i);
      let nonzeros = 0;
      for (let j = 0; j < units; j++) {
        const v = o[i * units + j];
        if (v !== 0) nonzeros++;
        const expected = kept.has(j) ? zValues[i * units + j] : 0;
        assert.ok(v === expected, `row ${i}, unit ${j}: ${v} vs ${expected}`); // === so that -0 counts as 0
      }
      assert.equal(nonzeros, k, `row ${i} has ${nonzeros} nonzeros`);
    }
    tf.dispose([z, out]);
  });

  it("keeps everything when k equals the number of units", () => {
    const z = tf.tensor2d(zValues, [batch, units]);
    const out = topK(z, units);
    assert.deepEqual(Array.from(out.dataSync()), Array.from(zValues));
    tf.dispose([z, out]);
  });

  it("passes gradients only through the kept units", () => {
    const z = tf.tensor2d(zValues, [batch, units]);
    const w = randomTensor([batch, units], 12);
    const wValues = w.dataSync();
    const g = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(topK(input as tf.Tensor2D, k), w)))(z);
    assert.deepEqual(g.shape, [batch, units]);
    const gv = g.dataSync();
    for (let i = 0; i < batch; i++) {
      const kept = keptColumns(i);
      for (let j = 0; j < units; j++) {
        const expected = kept.has(j) ? wValues[i * units + j] : 0;
        assert.ok(Math.abs(gv[i * units + j] - expected) < 1e-6, `row ${i}, unit ${j}: ${gv[i * units + j]} vs ${expected}`);
      }
    }
    tf.dispose([z, w, g]);
  });

  it("rejects a bad k or a bad rank with a clear message", () => {
    const z = tf.tensor2d(zValues, [batch, units]);
    assert.throws(() => topK(z, 0), /topK: k must be an integer in 1\.\.10, got 0/);
    assert.throws(() => topK(z, 11), /k must be an integer in 1\.\.10, got 11/);
    assert.throws(() => topK(z, 2.5), /k must be an integer in 1\.\.10, got 2\.5/);
    const flat = tf.tensor1d([1, 2, 3]);
    assert.throws(() => topK(flat as unknown as tf.Tensor2D, 1), /topK: expected codes of shape \[batch, units\], got \[3\]/);
    tf.dispose([z, flat]);
  });

  it("leaks no tensors, forward or backward", () => {
    const z = tf.tensor2d(zValues, [batch, units]);
    const before = tf.memory().numTensors;
    topK(z, k).dispose();
    tf.grad((input: tf.Tensor) => tf.sum(topK(input as tf.Tensor2D, k)))(z).dispose();
    assert.equal(tf.memory().numTensors, before);
    z.dispose();
  });
});

describe("l1Penalty", () => {
  it("is the batch mean of the rows' sums of absolute values", () => {
    const rows = [[1, -2, 0.5], [0, 3, -1.25]];
    const expected = rows.reduce((s, r) => s + r.reduce((a, v) => a + Math.abs(v), 0), 0) / rows.length;
    const h = tf.tensor2d(rows);
    const got = l1Penalty(h);
    assert.deepEqual(got.shape, []);
    assert.ok(Math.abs(got.dataSync()[0] - expected) < 1e-6, `${got.dataSync()[0]} vs ${expected}`);
    tf.dispose([h, got]);
  });

  it("has gradient sign(h) / batch, checked against finite differences", () => {
    const [b, u] = [3, 4];
    const values = Array.from(randomArray(b * u, 21)).map((v) => (Math.abs(v) < 0.05 ? v + 0.2 : v)); // away from the kink at 0
    const f = (vs: number[]) => {
      let s = 0;
      for (const v of vs) s += Math.abs(v);
      return s / b;
    };
    const h = tf.tensor2d(values, [b, u]);
    const g = tf.grad((x: tf.Tensor) => l1Penalty(x as tf.Tensor2D))(h).dataSync();
    const eps = 1e-4;
    values.forEach((v, i) => {
      const plus = [...values]; plus[i] += eps;
      const minus = [...values]; minus[i] -= eps;
      const numeric = (f(plus) - f(minus)) / (2 * eps);
      assert.ok(Math.abs(g[i] - numeric) < 1e-5, `entry ${i}: autodiff ${g[i]} vs finite difference ${numeric}`);
      assert.ok(Math.abs(g[i] - Math.sign(v) / b) < 1e-6);
    });
    h.dispose();
  });

  it("rejects codes that are not [batch, units] and leaks no tensors", () => {
    const flat = tf.tensor1d([1, 2]);
    assert.throws(() => l1Penalty(flat as unknown as tf.Tensor2D), /l1Penalty: expected codes of shape \[batch, units\], got \[2\]/);
    const h = tf.tensor2d([[0.1, -0.2]]);
    const before = tf.memory().numTensors;
    l1Penalty(h).dispose();
    tf.grad((x: tf.Tensor) => l1Penalty(x as tf.Tensor2D))(h).dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([flat, h]);
  });
});

describe("klSparsityPenalty", () => {
  const [b, u] = [5, 4];
  const rho = 0.1;
  const values = Array.from(randomArray(b * u, 31, 0.02, 0.9));
  /** Σ_j KL(ρ ‖ ρ̂_j) in float64, ρ̂_j the column means of a row-major [b, u] array. */
  const klJs = (vs: number[], r: number) => {
    let total = 0;
    for (let j = 0; j < u; j++) {
      let m = 0;
      for (let i = 0; i < b; i++) m += vs[i * u + j] / b;
      total += r * Math.log(r / m) + (1 - r) * Math.log((1 - r) / (1 - m));
    }
    return total;
  };

  it("equals Σ_j KL(ρ ‖ mean activation of unit j), computed by hand", () => {
    const h = tf.tensor2d(values, [b, u]);
    for (const r of [0.05, rho, 0.5]) {
      const got = klSparsityPenalty(h, r);
      const expected = klJs(values, r);
      assert.ok(Math.abs(got.dataSync()[0] - expected) < 1e-5 * Math.max(1, expected), `rho ${r}: ${got.dataSync()[0]} vs ${expected}`);
      got.dispose();
    }
    h.dispose();
  });

  it("is zero when every unit's mean activation equals rho", () => {
    const h = tf.tensor2d([[0.05, 0.3], [0.15, -0.1]]); // column means 0.1, 0.1
    const got = klSparsityPenalty(h, 0.1);
    assert.ok(Math.abs(got.dataSync()[0]) < 1e-6, `${got.dataSync()[0]}`);
    tf.dispose([h, got]);
  });

  it("has the gradient of the formula, checked against float64 finite differences", () => {
    const h = tf.tensor2d(values, [b, u]);
    const g = tf.grad((x: tf.Tensor) => klSparsityPenalty(x as tf.Tensor2D, rho))(h).dataSync();
    const eps = 1e-6;
    const numeric = values.map((_, i) => {
      const plus = [...values]; plus[i] += eps;
      const minus = [...values]; minus[i] -= eps;
      return (klJs(plus, rho) - klJs(minus, rho)) / (2 * eps);
    });
    assert.ok(relativeError(g, numeric) < 1e-4, `relative error ${relativeError(g, numeric)}`);
    h.dispose();
  });

  it("stays finite for dead (all-zero) and saturated (all-one) units", () => {
    const dead = tf.zeros([3, 2]) as tf.Tensor2D;
    const full = tf.ones([3, 2]) as tf.Tensor2D;
    for (const h of [dead, full]) {
      const got = klSparsityPenalty(h, rho).dataSync()[0];
      assert.ok(Number.isFinite(got) && got > 1, `${got}`);
    }
    // A dead unit is clipped to a rate of 1e-6: KL(ρ ‖ 1e-6) per unit.
    const expectedDead = 2 * (rho * Math.log(rho / 1e-6) + (1 - rho) * Math.log((1 - rho) / (1 - 1e-6)));
    const gotDead = klSparsityPenalty(dead, rho).dataSync()[0];
    assert.ok(Math.abs(gotDead - expectedDead) < 1e-3 * expectedDead, `${gotDead} vs ${expectedDead}`);
    tf.dispose([dead, full]);
  });

  it("rejects a bad target rate or rank and leaks no tensors", () => {
    const h = tf.tensor2d(values, [b, u]);
    for (const bad of [0, 1, -0.1, 1.5, NaN]) {
      assert.throws(() => klSparsityPenalty(h, bad), /klSparsityPenalty: the target rate rho must be in \(0, 1\)/);
    }
    const flat = tf.tensor1d([0.1, 0.2]);
    assert.throws(() => klSparsityPenalty(flat as unknown as tf.Tensor2D, rho), /klSparsityPenalty: expected codes of shape \[batch, units\], got \[2\]/);
    const before = tf.memory().numTensors;
    klSparsityPenalty(h, rho).dispose();
    tf.grad((x: tf.Tensor) => klSparsityPenalty(x as tf.Tensor2D, rho))(h).dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([h, flat]);
  });
});

describe("contractive penalty", () => {
  const [n, d, u] = [6, 5, 4];
  const xValues = randomArray(n * d, 41, 0, 1);
  const wValues = randomArray(d * u, 42, -1.5, 1.5);
  const bValues = randomArray(u, 43, -0.5, 0.5);
  const setup = () => {
    const x = tf.tensor2d(xValues, [n, d]);
    const w = tf.tensor2d(wValues, [d, u]);
    const bias = tf.tensor1d(bValues);
    const encode = (input: tf.Tensor2D) => tf.sigmoid(tf.add(tf.matMul(input, w), bias)) as tf.Tensor2D;
    return { x, w, bias, encode };
  };
  /** ‖J‖²_F averaged over the batch, with plain loops in float64: J_ji = h_j (1 − h_j) W_ij. */
  const handPenalty = () => {
    let total = 0;
    for (let e = 0; e < n; e++) {
      for (let j = 0; j < u; j++) {
        let pre = bValues[j];
        for (let i = 0; i < d; i++) pre += xValues[e * d + i] * wValues[i * u + j];
        const h = sigmoid(pre);
        for (let i = 0; i < d; i++) total += (h * (1 - h) * wValues[i * u + j]) ** 2;
      }
    }
    return total / n;
  };

  it("closed form for a sigmoid layer equals the autodiff Jacobian norm and a hand loop", () => {
    const { x, w, bias, encode } = setup();
    const h = encode(x);
    const analytic = contractivePenaltySigmoid(h, w).dataSync()[0];
    const autodiff = jacobianFrobeniusSquared(encode, x).dataSync()[0];
    const hand = handPenalty();
    assert.ok(hand > 0);
    assert.ok(Math.abs(analytic - autodiff) < 1e-5 * hand, `closed form ${analytic} vs autodiff ${autodiff}`);
    assert.ok(Math.abs(analytic - hand) < 1e-5 * hand, `closed form ${analytic} vs hand loop ${hand}`);
    tf.dispose([x, w, bias, h]);
  });

  it("autodiff Jacobian norm of a linear encoder is ‖W‖²_F whatever the input", () => {
    const { x, w, bias } = setup();
    const expected = Array.from(wValues).reduce((s, v) => s + v * v, 0);
    const got = jacobianFrobeniusSquared((input) => tf.matMul(input, w), x).dataSync()[0];
    assert.ok(Math.abs(got - expected) < 1e-5 * expected, `${got} vs ${expected}`);
    tf.dispose([x, w, bias]);
  });

  it("stochastic estimate with small sigma and many samples is within 10% of the exact value", () => {
    const { x, w, bias, encode } = setup();
    const exact = handPenalty();
    const estimate = stochasticContractivePenalty(encode, x, 0.01, 400, 7).dataSync()[0];
    assert.ok(Math.abs(estimate - exact) < 0.1 * exact, `estimate ${estimate} vs exact ${exact}`);
    // Same seed, same estimate.
    const again = stochasticContractivePenalty(encode, x, 0.01, 400, 7).dataSync()[0];
    assert.equal(again, estimate);
    tf.dispose([x, w, bias]);
  });

  it("rejects mismatched shapes and a non-positive sigma", () => {
    const { x, w, bias, encode } = setup();
    const h = encode(x);
    const wrongKernel = tf.zeros([d, u + 1]) as tf.Tensor2D;
    assert.throws(() => contractivePenaltySigmoid(h, wrongKernel), /contractivePenaltySigmoid: codes \[6,4\] and kernel \[5,5\] do not fit/);
    const flat = tf.zeros([u]);
    assert.throws(() => contractivePenaltySigmoid(flat as unknown as tf.Tensor2D, w), /do not fit/);
    assert.throws(() => stochasticContractivePenalty(encode, x, 0), /sigma must be positive, got 0/);
    assert.throws(() => stochasticContractivePenalty(encode, x, -0.1), /sigma must be positive/);
    tf.dispose([x, w, bias, h, wrongKernel, flat]);
  });

  it("leaks no tensors (each of the three, and the closed form's gradient)", () => {
    const { x, w, bias, encode } = setup();
    const h = encode(x);
    const before = tf.memory().numTensors;
    contractivePenaltySigmoid(h, w).dispose();
    tf.grad((k: tf.Tensor) => contractivePenaltySigmoid(h, k as tf.Tensor2D))(w).dispose();
    assert.equal(tf.memory().numTensors, before, "contractivePenaltySigmoid");
    jacobianFrobeniusSquared(encode, x).dispose();
    assert.equal(tf.memory().numTensors, before, "jacobianFrobeniusSquared");
    stochasticContractivePenalty(encode, x, 0.01, 3, 1).dispose();
    stochasticContractivePenalty(encode, x).dispose();
    assert.equal(tf.memory().numTensors, before, "stochasticContractivePenalty");
    tf.dispose([x, w, bias, h]);
  });
});
