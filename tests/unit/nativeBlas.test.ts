// The native BLAS path (lib/native + backend/blasMatMul.ts): AE_BLAS parsing, the kernels called
// directly against the cpu backend (every transpose combination, batches, odd shapes, bias and every
// fused activation), wasm memory growth, thread counts, leaks, and a deliberately broken kernel for
// each check, to show the check can fail. Gradients run through the registered kernels in
// wasmKernels.test.ts, which `npm test` runs with and without this path (AE_BLAS=0).
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { NativeBlas } from "autoencoders-native";
import { blasMode, installWasmFixes } from "../../lib/src/backend";
import { blasBatchMatMulConfig, blasFusedMatMulConfig } from "../../lib/src/backend/blasMatMul";
import { ADAM_KERNEL, adamKernelConfig, NativeAdamOptimizer, useNativeAdam } from "../../lib/src/backend/nativeAdam";
import { loadNativeBlas } from "../../lib/src/backend/nativeBlas";
import { randomTensor, relativeError } from "./helpers";

describe("AE_BLAS", () => {
  it("unset or empty means 'where it loads', 0 off, 1 required; anything else says what is accepted", () => {
    assert.equal(blasMode(""), "auto");
    assert.equal(blasMode(" "), "auto");
    assert.equal(blasMode("0"), "off");
    assert.equal(blasMode("1"), "require");
    assert.throws(() => blasMode("yes"), /AE_BLAS='yes' is not understood; use 0 .*1 .*unset/);
  });

  it("off gives no BLAS and says AE_BLAS=0 turned it off", () => {
    const { blas, status } = loadNativeBlas("off", 1);
    assert.equal(blas, undefined);
    assert.match(status.reason!, /AE_BLAS=0/);
  });
});

const native: { blas?: NativeBlas; reason?: string } = require("autoencoders-native").load();

if (!native.blas) {
  describe("without the native BLAS", () => {
    it("says why and what to do, and AE_BLAS=1 turns that into an error", () => {
      assert.notEqual(process.env.AE_BLAS, "1", `AE_BLAS=1 but the addon did not load: ${native.reason}`);
      assert.match(native.reason!, /apt-get install|npm rebuild|did not (build|load)|not built/);
      assert.throws(() => loadNativeBlas("require", 1), /AE_BLAS=1 asks for the native BLAS, but .*Unset AE_BLAS/);
    });
  });
} else {
  const blas = native.blas;
  type Inputs = Record<string, tf.Tensor>;
  type Attrs = Record<string, unknown>;
  /** Stands in for the wasm kernels: every case below must be handled on BLAS. */
  const noFallback = (name: string): tf.KernelConfig => ({
    kernelName: name, backendName: "wasm",
    kernelFunc: (() => { throw new Error(`${name}: the BLAS path handed this case to the fallback`); }) as unknown as tf.KernelFunc,
  });

  const backend = () => tf.engine().backend as any;
  const dataIds = (): number => backend().numDataIds();

  /** Runs a kernel config directly on the wasm backend and reads its output. */
  function runKernel(config: tf.KernelConfig, inputs: Inputs, attrs: Attrs): { shape: number[]; values: Float32Array } {
    const infos = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, { dataId: t.dataId, shape: t.shape, dtype: t.dtype }]));
    const out = config.kernelFunc({ inputs: infos, backend: backend(), attrs } as any) as tf.TensorInfo;
    const values = (backend().readSync(out.dataId) as Float32Array).slice();
    backend().disposeData(out.dataId);
    return { shape: out.shape, values };
  }

  interface Case { label: string; make: () => Inputs; attrs: Attrs; reference: (x: Inputs) => tf.Tensor }
  const shape = (batch: number[], rows: number, cols: number, transposed: boolean) => [...batch, ...(transposed ? [cols, rows] : [rows, cols])];

  const products: [number[], number[], number, number, number][] = [
    [[], [], 3, 4, 5], [[], [], 1, 1, 1], [[], [], 1, 7, 1], [[], [], 33, 65, 17], [[], [], 128, 784, 64],
    [[1], [1], 5, 3, 2], [[4], [4], 6, 5, 7], [[2, 3], [2, 3], 5, 2, 4], [[3], [], 6, 4, 5], [[1], [4], 3, 5, 2], [[], [2], 4, 3, 6],
  ];
  const matMulCases: Case[] = products.flatMap(([batchA, batchB, m, k, n], i) =>
    [[false, false], [true, false], [false, true], [true, true]].map(([transposeA, transposeB]) => ({
      label: `a [${[...batchA, m, k]}] b [${[...batchB, k, n]}] transposeA=${transposeA} transposeB=${transposeB}`,
      make: () => ({ a: randomTensor(shape(batchA, m, k, transposeA), 10 + i), b: randomTensor(shape(batchB, k, n, transposeB), 40 + i) }),
      attrs: { transposeA, transposeB },
      reference: ({ a, b }: Inputs) => tf.matMul(a, b, transposeA, transposeB),
    })));

  const activations: [string, number?][] = [["linear"], ["relu"], ["relu6"], ["leakyrelu", 0.1], ["sigmoid"], ["elu"], ["prelu"]];
  const fusedCases: Case[] = [];
  for (const [batch, m, k, n] of [[1, 9, 12, 7], [3, 4, 6, 5]] as const) {
    for (const [transposeA, transposeB] of [[false, false], [true, true], [false, true]]) {
      for (const biasShape of [[n], [1], undefined]) {
        for (const [activation, leakyreluAlpha] of activations) {
          const preluShape = activation === "prelu" ? (biasShape?.[0] === 1 ? [1] : [n]) : undefined;
          fusedCases.push({
            label: `[${batch}, ${m}, ${k}]·[${batch}, ${k}, ${n}] transposeA=${transposeA} transposeB=${transposeB} bias ${biasShape ? `[${biasShape}]` : "none"} ${activation}`,
            make: () => ({
              a: randomTensor(shape([batch], m, k, transposeA), 70 + m), b: randomTensor(shape([batch], k, n, transposeB), 80 + n),
              ...(biasShape ? { bias: randomTensor(biasShape, 90) } : {}), ...(preluShape ? { preluActivationWeights: randomTensor(preluShape, 91) } : {}),
            }),
            attrs: { transposeA, transposeB, activation, leakyreluAlpha: leakyreluAlpha ?? 0.2 },
            reference: ({ a, b, bias, preluActivationWeights }: Inputs) => tf.fused.matMul({
              a, b, transposeA, transposeB, bias, activation: activation as any, preluActivationWeights, leakyreluAlpha: leakyreluAlpha ?? 0.2,
            }),
          });
        }
      }
    }
  }

  /** Each case's failure (shape, values beyond 1e-5 relative, or a throw) against cpu; [] when all agree. */
  async function failures(config: tf.KernelConfig, cases: Case[]): Promise<string[]> {
    const found: string[] = [];
    for (const c of cases) {
      await tf.setBackend("cpu");
      const expected = tf.tidy(() => { const t = c.reference(c.make()); return { shape: t.shape, values: (t.dataSync() as Float32Array).slice() }; });
      await tf.setBackend("wasm");
      const inputs = c.make();
      try {
        const actual = runKernel(config, inputs, c.attrs);
        const err = relativeError(actual.values, expected.values);
        if (JSON.stringify(actual.shape) !== JSON.stringify(expected.shape)) found.push(`${c.label}: shape [${actual.shape}], cpu [${expected.shape}]`);
        else if (!(err <= 1e-5)) found.push(`${c.label}: differs from cpu by ${err.toExponential(2)}`);
      } catch (e) {
        found.push(`${c.label}: ${(e as Error).message}`);
      } finally {
        tf.dispose(Object.values(inputs));
      }
    }
    return found;
  }

  /** The addon with one behaviour changed, for the checks that must catch it. */
  const broken = (change: Partial<NativeBlas>): NativeBlas => ({
    sgemm: blas.sgemm, epilogue: blas.epilogue, adam: blas.adam, setThreads: blas.setThreads, getThreads: blas.getThreads, library: blas.library, ...change,
  });

  before(async () => {
    installWasmFixes();
    assert.equal(await tf.setBackend("wasm"), true);
  });

  describe("native BLAS kernels against cpu", () => {
    const matMul = blasBatchMatMulConfig(blas, noFallback("BatchMatMul"));
    const fused = blasFusedMatMulConfig(blas, noFallback("_FusedMatMul"));

    it(`BatchMatMul: ${matMulCases.length} cases (every transpose pair; batch 1, > 1, broadcast; odd shapes) agree to 1e-5`, async () => {
      assert.deepEqual(await failures(matMul, matMulCases), []);
    });

    it(`_FusedMatMul: ${fusedCases.length} cases (bias per column, shared, none; all 7 activations) agree to 1e-5`, async () => {
      assert.deepEqual(await failures(fused, fusedCases), []);
    });

    it("the comparison catches a kernel that ignores a transpose, a batch stride, the bias or the activation", async () => {
      const ignoreTransposeB = blasBatchMatMulConfig(broken({ sgemm: (h, bt, m, n, k, ta, _tb, ...rest) => blas.sgemm(h, bt, m, n, k, ta, 0, ...rest) }), noFallback("BatchMatMul"));
      assert.ok((await failures(ignoreTransposeB, matMulCases.filter((c) => c.attrs.transposeB && c.label.includes("[33,")))).length > 0);
      const firstBatchOnly = blasBatchMatMulConfig(broken({ sgemm: (h, _bt, m, n, k, ta, tb, ao, as, bo, bs, co) => blas.sgemm(h, 1, m, n, k, ta, tb, ao, as, bo, bs, co) }), noFallback("BatchMatMul"));
      assert.ok((await failures(firstBatchOnly, matMulCases.filter((c) => c.label.startsWith("a [4,")))).length > 0);
      const noBias = blasFusedMatMulConfig(broken({ epilogue: (h, co, r, n, _bo, _bs, ...rest) => blas.epilogue(h, co, r, n, -1, 0, ...rest) }), noFallback("_FusedMatMul"));
      assert.ok((await failures(noBias, fusedCases.filter((c) => c.label.includes("bias [7] linear")))).length > 0);
      const noActivation = blasFusedMatMulConfig(broken({ epilogue: (h, co, r, n, bo, bs, _act, ...rest) => blas.epilogue(h, co, r, n, bo, bs, 0, ...rest) }), noFallback("_FusedMatMul"));
      assert.equal((await failures(noActivation, fusedCases.filter((c) => c.label.endsWith("bias [7] sigmoid")))).length, 3);
    });

    it("hands what it does not handle (int32, a general batch broadcast, an unknown activation) to the wasm kernel", () => {
      const a = tf.ones([2, 1, 3, 4]), b = tf.ones([1, 3, 4, 5]); // batches 2 and 3: neither is 1
      assert.throws(() => runKernel(matMul, { a, b }, { transposeA: false, transposeB: false }), /handed this case to the fallback/);
      const ai = tf.ones([3, 4], "int32"), bi = tf.ones([4, 5], "int32");
      assert.throws(() => runKernel(matMul, { a: ai, b: bi }, {}), /handed this case to the fallback/);
      const a3 = tf.ones([1, 3, 4]), b3 = tf.ones([1, 4, 5]);
      assert.throws(() => runKernel(fused, { a: a3, b: b3 }, { activation: "swish" }), /handed this case to the fallback/);
      assert.throws(() => runKernel(fused, { a: a3, b: b3, bias: tf.ones([3, 1]) }, { activation: "linear" }), /handed this case to the fallback/); // a column bias
      tf.dispose([a, b, ai, bi, a3, b3]);
    });
  });

  describe("native BLAS and wasm memory growth", () => {
    it("an output that grows the wasm memory is written through a view taken after the growth", () => {
      const matMul = blasBatchMatMulConfig(blas, noFallback("BatchMatMul"));
      const before = backend().wasm.HEAPU8.buffer.byteLength;
      const m = 4096, n = Math.ceil(before / 4 / m) + 1024; // the output alone is larger than the whole memory
      const a = tf.tensor2d(Float32Array.from({ length: m }, (_, i) => i % 7), [m, 1]);
      const b = tf.tensor2d(Float32Array.from({ length: n }, (_, j) => (j % 5) - 2), [1, n]);
      const outInfo = matMul.kernelFunc({ inputs: { a, b }, backend: backend(), attrs: { transposeA: false, transposeB: false } } as any) as tf.TensorInfo;
      assert.ok(backend().wasm.HEAPU8.buffer.byteLength > before, "the memory grew");
      const out = backend().typedArrayFromHeap(outInfo) as Float32Array;
      for (const [i, j] of [[0, 0], [m - 1, n - 1], [1234, Math.floor(n / 2) + 1], [m - 1, 3]]) assert.equal(out[i * n + j], (i % 7) * ((j % 5) - 2) + 0, `C[${i}, ${j}]`); // + 0: -0 is 0
      backend().disposeData(outInfo.dataId);

      // A kernel that takes its view before allocating the output must not get away with it.
      let stale: Float32Array | undefined;
      const staleView = blasBatchMatMulConfig(broken({ sgemm: (_h, ...rest) => blas.sgemm(stale!, ...rest) }), noFallback("BatchMatMul"));
      stale = new Float32Array(backend().wasm.HEAPU8.buffer);
      const bigger = tf.tensor2d(new Float32Array(2 * n), [1, 2 * n]);
      const grown = backend().wasm.HEAPU8.buffer.byteLength;
      assert.throws(() => staleView.kernelFunc({ inputs: { a, b: bigger }, backend: backend(), attrs: {} } as any), /outside the Float32Array/);
      assert.ok(backend().wasm.HEAPU8.buffer.byteLength > grown, "the second output grew the memory again");
      tf.dispose([a, b, bigger]);
    });
  });

  describe("native BLAS threads", () => {
    it("1 and 2 threads agree to float32 rounding (relative 2e-6) on a 512×784×512 product", async () => {
      const matMul = blasBatchMatMulConfig(blas, noFallback("BatchMatMul"));
      const threads = blas.getThreads();
      const a = randomTensor([512, 784], 1), b = randomTensor([784, 512], 2);
      try {
        blas.setThreads(1);
        const one = runKernel(matMul, { a, b }, {}).values;
        blas.setThreads(2);
        const two = runKernel(matMul, { a, b }, {}).values;
        assert.ok(relativeError(two, one) <= 2e-6, `1 vs 2 threads: ${relativeError(two, one).toExponential(2)}`);
        assert.deepEqual(runKernel(matMul, { a, b }, {}).values, two, "the same thread count repeats bit for bit");
      } finally {
        blas.setThreads(Math.max(1, threads));
        tf.dispose([a, b]);
      }
    });

    it("setThreads rejects a count below 1 with a clear error", () => {
      assert.throws(() => blas.setThreads(0), /positive number of threads/);
    });
  });

  describe("native BLAS leaks nothing", () => {
    const run = (kernels: { matMul: tf.KernelConfig; fused: tf.KernelConfig }) => {
      const a = randomTensor([3, 6, 4], 1), b = randomTensor([3, 5, 4], 2), bias = randomTensor([5], 3);
      for (const c of [runKernel(kernels.matMul, { a, b }, { transposeB: true }), runKernel(kernels.fused, { a, b, bias }, { transposeB: true, activation: "relu" })]) {
        assert.deepEqual(c.shape, [3, 6, 5]);
      }
      tf.dispose([a, b, bias]);
    };

    it("the kernels make their output only; a kernel that leaves a buffer behind is caught", () => {
      const kernels = { matMul: blasBatchMatMulConfig(blas, noFallback("BatchMatMul")), fused: blasFusedMatMulConfig(blas, noFallback("_FusedMatMul")) };
      const before = { tensors: tf.memory().numTensors, buffers: dataIds() };
      run(kernels);
      assert.deepEqual({ tensors: tf.memory().numTensors, buffers: dataIds() }, before);
      const leaky = broken({ epilogue: (...args) => { backend().makeOutput([4], "float32"); blas.epilogue(...args); } });
      run({ ...kernels, fused: blasFusedMatMulConfig(leaky, noFallback("_FusedMatMul")) });
      assert.equal(dataIds(), before.buffers + 1, "the leak check sees one stray buffer");
    });

    it("registered for wasm, dense layers' products and gradients return every tensor and buffer", () => {
      assert.equal(tf.getBackend(), "wasm");
      const before = { tensors: tf.memory().numTensors, buffers: dataIds() };
      tf.tidy(() => {
        const x = randomTensor([8, 12], 4), w = randomTensor([12, 6], 5), bias = randomTensor([6], 6);
        tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias, activation: "relu" })))([x, w]);
        tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.matMul(xx, ww, true, false)))([x.transpose(), w]);
      });
      assert.deepEqual({ tensors: tf.memory().numTensors, buffers: dataIds() }, before);
    });
  });

  describe("native Adam", () => {
    before(() => useNativeAdam(blas)); // also where AE_BLAS=0 left tf.train.adam as shipped
    /** A small regression, trained `steps` Adam steps from fixed weights; returns the weights' values. */
    function trainRegression(optimizer: tf.Optimizer, steps: number, prefix: string): Float32Array[] {
      const w = tf.variable(randomTensor([30, 20], 1), true, `${prefix}/w`);
      const b = tf.variable(tf.zeros([20]), true, `${prefix}/b`);
      const x = randomTensor([16, 30], 2), y = randomTensor([16, 20], 3);
      for (let step = 0; step < steps; step++) {
        tf.dispose(optimizer.minimize(() => tf.sum(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))) as tf.Scalar, false, [w, b]) ?? []);
      }
      const values = [w, b].map((v) => (v.dataSync() as Float32Array).slice());
      tf.dispose([w, b, x, y]);
      return values;
    }
    let run = 0;
    const compare = (a: tf.Optimizer, b: tf.Optimizer, steps: number) => {
      const [left, right] = [trainRegression(a, steps, `adam${run++}`), trainRegression(b, steps, `adam${run++}`)];
      return Math.max(...left.map((l, i) => relativeError(right[i], l)));
    };

    it("tf.train.adam builds the native optimizer on this path, an AdamOptimizer by class and name", () => {
      const o = tf.train.adam(0.01);
      assert.ok(o instanceof NativeAdamOptimizer && o instanceof tf.AdamOptimizer);
      assert.equal(o.getClassName(), "Adam");
      assert.deepEqual(o.getConfig(), new tf.AdamOptimizer(0.01, 0.9, 0.999).getConfig());
      o.dispose();
    });

    it("10 steps match tfjs's own AdamOptimizer bit for bit on wasm, and on cpu it is tfjs's update", async () => {
      assert.equal(compare(new tf.AdamOptimizer(0.01, 0.9, 0.999), new NativeAdamOptimizer(0.01, 0.9, 0.999), 10), 0);
      await tf.setBackend("cpu");
      try {
        assert.equal(compare(new tf.AdamOptimizer(0.02, 0.5, 0.99), new NativeAdamOptimizer(0.02, 0.5, 0.99), 3), 0);
      } finally {
        await tf.setBackend("wasm");
      }
    });

    it("the comparison catches a kernel that mixes up beta1 and beta2", () => {
      tf.unregisterKernel(ADAM_KERNEL, "wasm");
      tf.registerKernel(adamKernelConfig(broken({ adam: (h, n, p, g, m, v, po, mo, vo, lr, b1, b2, ...rest) => blas.adam(h, n, p, g, m, v, po, mo, vo, lr, b2, b1, ...rest) })));
      try {
        assert.ok(compare(new tf.AdamOptimizer(0.01, 0.9, 0.999), new NativeAdamOptimizer(0.01, 0.9, 0.999), 3) > 1e-4);
      } finally {
        tf.unregisterKernel(ADAM_KERNEL, "wasm");
        tf.registerKernel(adamKernelConfig(blas));
      }
    });

    it("its state saves and restores like tfjs's (getWeights, setWeights), and steps leak nothing", async () => {
      const w = tf.variable(randomTensor([5, 4], 7), true, "restore/w");
      const loss = () => tf.sum(tf.square(w)) as tf.Scalar;
      const first = new NativeAdamOptimizer(0.05, 0.9, 0.999);
      for (let i = 0; i < 3; i++) tf.dispose(first.minimize(loss) ?? []);
      const before = { tensors: tf.memory().numTensors, buffers: dataIds() };
      tf.dispose(first.minimize(loss) ?? []);
      assert.deepEqual({ tensors: tf.memory().numTensors, buffers: dataIds() }, before, "a step after the first leaves no tensor or buffer");
      const second = new NativeAdamOptimizer(0.05, 0.9, 0.999);
      await second.setWeights(await first.getWeights());
      const saved = w.clone();
      tf.dispose(first.minimize(loss) ?? []);
      const afterFirst = (w.dataSync() as Float32Array).slice();
      w.assign(saved);
      tf.dispose(second.minimize(loss) ?? []);
      assert.deepEqual(w.dataSync(), afterFirst, "the restored optimizer takes the same next step");
      tf.dispose([w, saved]);
      first.dispose();
      second.dispose();
    });
  });
}
