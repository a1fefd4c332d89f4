// Reconstruction losses, PCA, principal angles and the linear autoencoder, each checked against values
// worked out by hand or from a construction whose answer is known.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ImageDataset } from "../../lib/src/data";
import { meanSquaredError, squaredErrorPerExample } from "../../lib/src/losses";
import { anglesToSubspaceDeg, fitPca, pcaProject, pcaReconstruct, principalAnglesDeg } from "../../lib/src/metrics";
import { LinearAutoencoder } from "../../lib/src/models";

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} is not within ${tol} of ${expected}`);

before(async () => {
  await tf.setBackend("cpu");
});

describe("reconstruction losses", () => {
  const prediction = () => tf.tensor2d([[1, 2], [3, 4]]);
  const target = () => tf.tensor2d([[0, 2], [5, 1]]);

  it("meanSquaredError is the mean of the squared differences", () => {
    // Differences 1, 0, -2, 3 -> squares 1, 0, 4, 9 -> mean 14 / 4.
    const before = tf.memory().numTensors;
    const [p, t] = [prediction(), target()];
    const mse = meanSquaredError(p, t);
    assert.deepEqual(mse.shape, []);
    close(mse.dataSync()[0], 3.5, 1e-6, "mse");
    tf.dispose([p, t, mse]);
    assert.equal(tf.memory().numTensors, before, "no tensor leaked");
  });

  it("squaredErrorPerExample sums over features, one value per row", () => {
    const [p, t] = [prediction(), target()];
    const per = squaredErrorPerExample(p, t);
    assert.deepEqual(Array.from(per.dataSync()), [1, 13]);
    tf.dispose([p, t, per]);
  });

  it("both refuse tensors of different shapes, naming both shapes", () => {
    const [p, t] = [tf.zeros([2, 3]), tf.zeros([3, 2])];
    const before = tf.memory().numTensors;
    assert.throws(() => meanSquaredError(p, t), /meanSquaredError: prediction has shape \[2,3\] but target has shape \[3,2\]/);
    assert.throws(() => squaredErrorPerExample(p as tf.Tensor2D, t as tf.Tensor2D), /squaredErrorPerExample: .*\[2,3\].*\[3,2\]/);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([p, t]);
  });
});

// Data with a known covariance: n = 16 rows x_r = mean + sum_i sigma_i h_r,i q_i, where h_.,i are columns
// of a 16x16 Sylvester-Hadamard matrix (entries ±1, zero sum, mutually orthogonal) and q_i are
// orthonormal (columns of a Householder reflection). The sample covariance (divisor n - 1) is then
// exactly sum_i sigma_i^2 n/(n-1) q_i q_i^T.
const n = 16;
const d = 6;
const sigmas = [2, Math.SQRT2, 1, 0.5];
const hadamardColumns = [1, 2, 4, 8];
const mean = [0.5, 0.4, 0.3, 0.6, 0.5, 0.2];
const hadamard = (r: number, c: number) => {
  let bits = r & c;
  let parity = 0;
  while (bits) { parity ^= bits & 1; bits >>= 1; }
  return parity ? -1 : 1;
};
const householder = (() => {
  const v = [1, 2, -1, 0.5, 3, -2];
  const vv = v.reduce((a, x) => a + x * x, 0);
  return (i: number) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0) - (2 * v[i] * v[j]) / vv); // column i
})();
const directions = sigmas.map((_, i) => householder(i));
const expectedEigenvalues = sigmas.map((s) => (s * s * n) / (n - 1));

function knownCovarianceData(): ImageDataset {
  const images = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < d; j++) {
      images[r * d + j] = mean[j] + sigmas.reduce((a, s, i) => a + s * hadamard(r, hadamardColumns[i]) * directions[i][j], 0);
    }
  }
  return new ImageDataset(images, new Int32Array(n), [d, 1, 1], ["x"], "known covariance");
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);

describe("fitPca", () => {
  it("recovers the mean, eigenvalues and directions of a known covariance", () => {
    const pca = fitPca(knownCovarianceData(), 5); // chunks of 5 rows: the scatter is accumulated over 4 batches
    mean.forEach((m, j) => close(pca.mean[j], m, 1e-6, `mean[${j}]`));
    assert.equal(pca.eigenvalues.length, d);
    expectedEigenvalues.forEach((l, i) => close(pca.eigenvalues[i], l, 1e-4 * l, `eigenvalue ${i}`));
    for (let i = sigmas.length; i < d; i++) close(pca.eigenvalues[i], 0, 1e-5, `eigenvalue ${i}`);
    directions.forEach((q, i) => {
      close(Math.abs(dot(pca.components[i], q)), 1, 1e-5, `|<component ${i}, q_${i}>|`);
      close(dot(pca.components[i], pca.components[i]), 1, 1e-5, `|component ${i}|`);
    });
  });

  it("pcaReconstruct is exact with every direction, loses the trailing variance with fewer, and leaks nothing", () => {
    const data = knownCovarianceData();
    const pca = fitPca(data);
    const x = data.toTensor();
    const before = tf.memory().numTensors;
    const full = pcaReconstruct(pca, x, 4);
    const two = pcaReconstruct(pca, x, 2);
    assert.equal(tf.memory().numTensors, before + 2, "only the two results are new");
    assert.deepEqual(two.shape, [n, d]);
    close(tf.tidy(() => meanSquaredError(full, x).dataSync()[0]), 0, 1e-10, "k = 4 reconstruction error");
    // Dropping directions 3 and 4 leaves sigma_3^2 + sigma_4^2 of squared error per row, spread over d values.
    close(tf.tidy(() => meanSquaredError(two, x).dataSync()[0]), (sigmas[2] ** 2 + sigmas[3] ** 2) / d, 1e-5, "k = 2 reconstruction error");
    tf.dispose([full, two, x]);
    assert.equal(tf.memory().numTensors, before - 1);
  });

  it("pcaProject gives each row's coordinates (x - mean) · u_i on the first k directions, leaking nothing", () => {
    const data = knownCovarianceData();
    const pca = fitPca(data);
    const x = data.toTensor();
    const before = tf.memory().numTensors;
    const scores = pcaProject(pca, x, 2);
    assert.equal(tf.memory().numTensors, before + 1);
    assert.deepEqual(scores.shape, [n, 2]);
    const s = scores.arraySync() as number[][];
    for (let r = 0; r < n; r++) for (let i = 0; i < 2; i++) {
      const centred = Array.from(data.image(r), (v, j) => v - pca.mean[j]);
      close(s[r][i], dot(centred, pca.components[i]), 1e-5, `score ${r},${i}`);
    }
    tf.dispose([scores, x]);
  });
});

describe("principal angles", () => {
  const e = (i: number) => Array.from({ length: 5 }, (_, j) => (j === i ? 1 : 0));

  it("are 0 for the same subspace, whatever basis spans it", () => {
    principalAnglesDeg([e(0), e(1)], [[1, 1, 0, 0, 0], [2, -3, 0, 0, 0]]).forEach((a) => close(a, 0, 1e-5, "angle"));
  });

  it("are 90 for orthogonal subspaces", () => {
    principalAnglesDeg([e(0), e(1)], [e(2), e(3)]).forEach((a) => close(a, 90, 1e-6, "angle"));
  });

  it("recover a rotation by a known angle, smallest first", () => {
    const theta = 30;
    const c = Math.cos((theta * Math.PI) / 180);
    const s = Math.sin((theta * Math.PI) / 180);
    // span(e0, e1) against span(e0, cos θ e1 + sin θ e2): one shared direction, one rotated by θ.
    const angles = principalAnglesDeg([e(0), e(1)], [e(0), [0, c, s, 0, 0]]);
    assert.equal(angles.length, 2);
    close(angles[0], 0, 1e-5, "shared direction");
    close(angles[1], theta, 1e-5, "rotated direction");
    const [toPlane] = anglesToSubspaceDeg([[c, s, 0, 0, 0]], [e(0), e(2)]);
    close(toPlane, theta, 1e-5, "vector at θ from span(e0, e2)");
  });
});

describe("LinearAutoencoder", () => {
  const mu = Float32Array.from([0.1, 0.2, 0.3]);
  const rows = [[1, 0, 2], [0.5, -1, 0]];

  it("encodes to (x - mean) W_enc and decodes to z W_dec + mean, with the right shapes", () => {
    const model = new LinearAutoencoder(3, 2, mu, { seed: 4 });
    const wEnc = model.encoderWeights.arraySync();
    const wDec = model.decoderWeights.arraySync();
    const x = tf.tensor2d(rows);
    const z = model.encode(x);
    const y = model.decode(z);
    assert.deepEqual(z.shape, [2, 2]);
    assert.deepEqual(y.shape, [2, 3]);
    const zz = z.arraySync();
    rows.forEach((row, r) => {
      for (let k = 0; k < 2; k++) close(zz[r][k], row.reduce((a, v, j) => a + (v - mu[j]) * wEnc[j][k], 0), 1e-5, `z[${r}][${k}]`);
    });
    const yy = y.arraySync();
    zz.forEach((code, r) => {
      for (let j = 0; j < 3; j++) close(yy[r][j], mu[j] + code.reduce((a, v, k) => a + v * wDec[k][j], 0), 1e-5, `y[${r}][${j}]`);
    });
    assert.deepEqual(model.decoderBasis().map((b) => Array.from(b)), wDec.map((row) => Array.from(Float32Array.from(row))));
    tf.dispose([x, z, y]);
    model.dispose();
  });

  it("draws the same weights from the same seed and different ones from another", () => {
    const [a, b, c] = [4, 4, 5].map((seed) => new LinearAutoencoder(3, 2, mu, { seed }));
    assert.deepEqual(a.encoderWeights.arraySync(), b.encoderWeights.arraySync());
    assert.notDeepEqual(a.encoderWeights.arraySync(), c.encoderWeights.arraySync());
    [a, b, c].forEach((m) => m.dispose());
  });

  it("rejects inputs and means of the wrong size with the shapes in the message", () => {
    assert.throws(() => new LinearAutoencoder(3, 2, new Float32Array(4)), /mean has 4 entries, expected inputSize = 3/);
    const model = new LinearAutoencoder(3, 2, mu);
    const x = tf.zeros([2, 4]) as tf.Tensor2D;
    assert.throws(() => model.encode(x), /input has shape \[2,4\], expected \[batch, 3\]/);
    assert.throws(() => model.loss(x), /input has shape \[2,4\]/);
    tf.dispose(x);
    model.dispose();
  });

  it("leaks no tensor in encode, decode, reconstruct and loss, and dispose frees its own", () => {
    const model = new LinearAutoencoder(3, 2, mu);
    const x = tf.tensor2d(rows);
    const before = tf.memory().numTensors;
    const outputs = [model.encode(x), model.reconstruct(x), model.loss(x)];
    outputs.push(model.decode(outputs[0] as tf.Tensor2D));
    assert.equal(tf.memory().numTensors, before + 4, "only the four results are new");
    close(outputs[2].dataSync()[0], tf.tidy(() => tf.mean(tf.square(tf.sub(outputs[1], x))).dataSync()[0]), 1e-6, "loss is the MSE of the reconstruction");
    tf.dispose(outputs);
    assert.equal(tf.memory().numTensors, before);
    model.dispose();
    assert.equal(tf.memory().numTensors, before - 3, "the two weight variables and the mean are freed");
    x.dispose();
  });

  it("construction followed by dispose leaves the tensor count unchanged", () => {
    const before = tf.memory().numTensors;
    new LinearAutoencoder(3, 2, mu, { seed: 4 }).dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
