// The library's wasm kernels (fast transposed BatchMatMul, Conv2DBackpropFilter, Conv2DBackpropInput)
// against the pure-JS
// cpu backend: values, gradients, and no leaked tensors or wasm buffers.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { installWasmFixes } from "../../lib/src/backend";
import { randomTensor, relativeError } from "./helpers";

type Result = { shape: number[]; values: Float32Array };

/** Runs fn on one backend inside tf.tidy and reads every output before the next switch. */
async function runOn(backend: "cpu" | "wasm", fn: () => tf.Tensor[]): Promise<Result[]> {
  assert.equal(await tf.setBackend(backend), true);
  assert.equal(tf.getBackend(), backend);
  const outputs = tf.tidy(fn);
  const results = outputs.map((t) => ({ shape: t.shape, values: (t.dataSync() as Float32Array).slice() }));
  tf.dispose(outputs);
  return results;
}

/** fn must create its inputs itself (from seeded Float32Arrays) so both backends see the same data. */
async function assertSameOnBothBackends(label: string, fn: () => tf.Tensor[], tolerance = 1e-4): Promise<void> {
  const cpu = await runOn("cpu", fn);
  const wasm = await runOn("wasm", fn);
  assert.equal(wasm.length, cpu.length);
  cpu.forEach((expected, i) => {
    assert.deepEqual(wasm[i].shape, expected.shape, `${label}, output ${i}: shape`);
    assert.ok(expected.values.some((v) => v !== 0), `${label}, output ${i}: the cpu result is all zeros, a useless comparison`);
    const err = relativeError(wasm[i].values, expected.values);
    assert.ok(err <= tolerance, `${label}, output ${i}: wasm differs from cpu by ${err.toExponential(2)} (relative)`);
  });
}

function wasmDataIds(): number {
  return (tf.engine().backend as unknown as { numDataIds(): number }).numDataIds();
}

before(async () => {
  installWasmFixes();
  assert.equal(await tf.setBackend("wasm"), true);
});

describe("installWasmFixes", () => {
  it("registers Conv2DBackpropFilter and Conv2DBackpropInput and replaces BatchMatMul for wasm, keeping its setup function", () => {
    assert.ok(tf.getKernel("Conv2DBackpropFilter", "wasm"), "Conv2DBackpropFilter is registered");
    assert.equal(tf.getKernel("Conv2DBackpropInput", "wasm")?.setupFunc, undefined, "Conv2DBackpropInput is the course's (wasm's own has a setupFunc)");
    const matMul = tf.getKernel("BatchMatMul", "wasm");
    assert.ok(matMul && typeof matMul.setupFunc === "function", "BatchMatMul keeps the wasm setupFunc");
    installWasmFixes(); // idempotent: a second call must not throw or double-wrap
    assert.equal(tf.getKernel("BatchMatMul", "wasm"), matMul);
  });
});

// Logical shapes a: [...batchA, m, k], b: [...batchB, k, n]; a transposed operand is stored with
// its last two dimensions swapped.
const matMulCases: { batchA: number[]; batchB: number[]; m: number; k: number; n: number; valuesOnly?: boolean }[] = [
  { batchA: [], batchB: [], m: 3, k: 4, n: 5 },
  { batchA: [], batchB: [], m: 1, k: 7, n: 1 },
  { batchA: [], batchB: [], m: 64, k: 100, n: 33 },
  // a · bᵀ with a small a: computed as (b · aᵀ)ᵀ, the route that never transposes the large b.
  { batchA: [], batchB: [], m: 4, k: 50, n: 60 },
  { batchA: [], batchB: [], m: 16, k: 96, n: 80 },
  { batchA: [2], batchB: [2], m: 3, k: 4, n: 5 },
  { batchA: [2, 3], batchB: [2, 3], m: 5, k: 2, n: 4 },
  // Broadcast batch dimensions: values only, because tfjs-core 4.22's BatchMatMul gradient does not
  // sum a broadcast dimension back (on every backend, so it is not a wasm question).
  { batchA: [3], batchB: [], m: 6, k: 4, n: 5, valuesOnly: true }, // rank 3 x rank 2
  { batchA: [1], batchB: [4], m: 3, k: 5, n: 2, valuesOnly: true }, // batch 1 against 4
];

function operand(batch: number[], rows: number, cols: number, transposed: boolean, seed: number): tf.Tensor {
  return randomTensor([...batch, ...(transposed ? [cols, rows] : [rows, cols])], seed);
}

describe("BatchMatMul on wasm matches cpu", () => {
  for (const [i, c] of matMulCases.entries()) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const label = `a [${[...c.batchA, c.m, c.k]}] b [${[...c.batchB, c.k, c.n]}] transposeA=${transposeA} transposeB=${transposeB}`;
        it(`values and gradients: ${label}`, async () => {
          await assertSameOnBothBackends(label, () => {
            const a = operand(c.batchA, c.m, c.k, transposeA, 100 + i);
            const b = operand(c.batchB, c.k, c.n, transposeB, 200 + i);
            const product = tf.matMul(a, b, transposeA, transposeB);
            const expectedShape = [...(c.batchA.length >= c.batchB.length ? c.batchA : c.batchB).map((d, j) =>
              Math.max(d, c.batchA[j] ?? 1, c.batchB[j] ?? 1)), c.m, c.n];
            assert.deepEqual(product.shape, expectedShape);
            if (c.valuesOnly) return [product];
            // A scalar function of the product, so that both gradients are non-trivial.
            const r = randomTensor(product.shape, 300 + i);
            const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, transposeA, transposeB), r)))([a, b]);
            assert.deepEqual(da.shape, a.shape);
            assert.deepEqual(db.shape, b.shape);
            return [product, da, db];
          });
        });
      }
    }
  }
});

type Pad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase { x: [number, number, number, number]; kernel: [number, number]; outChannels: number; strides: number | [number, number]; pad: Pad }

const convCases: ConvCase[] = [
  { x: [2, 5, 5, 3], kernel: [3, 3], outChannels: 4, strides: 1, pad: "same" },
  { x: [2, 7, 7, 2], kernel: [3, 3], outChannels: 3, strides: 2, pad: "same" },
  { x: [2, 8, 8, 2], kernel: [4, 4], outChannels: 2, strides: 2, pad: "same" },
  { x: [1, 10, 10, 2], kernel: [3, 3], outChannels: 2, strides: 3, pad: "same" },
  { x: [1, 9, 10, 2], kernel: [3, 2], outChannels: 3, strides: 3, pad: "valid" }, // last input column unused
  { x: [2, 12, 11, 1], kernel: [5, 5], outChannels: 2, strides: 2, pad: "valid" }, // last row unused
  { x: [2, 7, 6, 3], kernel: [3, 3], outChannels: 2, strides: [2, 1], pad: "same" },
  { x: [2, 8, 7, 1], kernel: [2, 3], outChannels: 4, strides: [1, 2], pad: "valid" },
  { x: [2, 5, 5, 3], kernel: [1, 1], outChannels: 2, strides: 2, pad: "same" },
  { x: [1, 5, 5, 2], kernel: [1, 1], outChannels: 2, strides: 3, pad: "same" }, // filter smaller than stride
  { x: [2, 7, 7, 3], kernel: [3, 3], outChannels: 4, strides: 2, pad: 1 },
  { x: [1, 6, 6, 2], kernel: [3, 3], outChannels: 2, strides: 1, pad: 2 },
  { x: [2, 6, 7, 2], kernel: [3, 3], outChannels: 3, strides: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [1, 9, 9, 1], kernel: [3, 3], outChannels: 2, strides: 2, pad: [[0, 0], [2, 0], [0, 2], [0, 0]] },
];
// Not covered: a numeric pad with unequal strides. tfjs-core 4.22 then computes the output width with
// the height stride (conv_util computeOutputShape2D), so the forward conv itself is inconsistent.

const show = (c: ConvCase) => `x [${c.x}] kernel ${c.kernel.join("x")}→${c.outChannels} strides ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}`;

describe("Conv2DBackpropFilter on wasm matches cpu", () => {
  for (const [i, c] of convCases.entries()) {
    it(`conv2d gradients: ${show(c)}`, async () => {
      await assertSameOnBothBackends(show(c), () => {
        const x = randomTensor(c.x, 400 + i) as tf.Tensor4D;
        const w = randomTensor([...c.kernel, c.x[3], c.outChannels], 500 + i) as tf.Tensor4D;
        const y = tf.conv2d(x, w, c.strides, c.pad);
        const r = randomTensor(y.shape, 600 + i);
        const loss = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.strides, c.pad), r));
        const dw = tf.grad((ww: tf.Tensor) => loss(x, ww))(w);
        const [dx, dw2] = tf.grads(loss)([x, w]);
        assert.deepEqual(dw.shape, w.shape);
        return [y, dw, dx, dw2];
      });
    });
  }

  const transposeCases: { x: [number, number, number, number]; kernel: [number, number]; outChannels: number; outHW: [number, number]; strides: number | [number, number]; pad: "same" | "valid" | number }[] = [
    { x: [2, 4, 4, 3], kernel: [3, 3], outChannels: 2, outHW: [8, 8], strides: 2, pad: "same" },
    { x: [2, 7, 7, 4], kernel: [3, 3], outChannels: 1, outHW: [14, 14], strides: 2, pad: "same" }, // the course's conv AE decoder
    { x: [2, 3, 3, 4], kernel: [3, 3], outChannels: 1, outHW: [7, 7], strides: 2, pad: "valid" },
    { x: [2, 5, 5, 2], kernel: [3, 3], outChannels: 3, outHW: [5, 5], strides: 1, pad: "same" },
    { x: [2, 4, 7, 2], kernel: [3, 3], outChannels: 3, outHW: [7, 7], strides: [2, 1], pad: "same" },
    { x: [1, 4, 4, 2], kernel: [3, 3], outChannels: 2, outHW: [7, 7], strides: 2, pad: 1 },
    { x: [1, 3, 3, 2], kernel: [3, 3], outChannels: 2, outHW: [9, 9], strides: 3, pad: "valid" },
  ];
  for (const [i, c] of transposeCases.entries()) {
    const label = `conv2dTranspose gradients: x [${c.x}] kernel ${c.kernel.join("x")} → [${c.outHW}]x${c.outChannels} strides ${JSON.stringify(c.strides)} pad ${c.pad}`;
    it(label, async () => {
      await assertSameOnBothBackends(label, () => {
        const x = randomTensor(c.x, 700 + i) as tf.Tensor4D;
        const w = randomTensor([...c.kernel, c.outChannels, c.x[3]], 800 + i) as tf.Tensor4D;
        const outShape: [number, number, number, number] = [c.x[0], ...c.outHW, c.outChannels];
        const y = tf.conv2dTranspose(x, w, outShape, c.strides, c.pad);
        assert.deepEqual(y.shape, outShape);
        const r = randomTensor(outShape, 900 + i);
        const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2dTranspose(xx as tf.Tensor4D, ww as tf.Tensor4D, outShape, c.strides, c.pad), r)))([x, w]);
        return [y, dx, dw];
      });
    });
  }

  it("the kernel called directly matches cpu", async () => {
    await assertSameOnBothBackends("runKernel Conv2DBackpropFilter", () => {
      const x = randomTensor([2, 9, 8, 3], 1000);
      const dy = randomTensor([2, 5, 4, 5], 1001); // 'same', stride 2: ceil(9/2) x ceil(8/2)
      const dw = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
        strides: [2, 2], pad: "same", dataFormat: "NHWC", dimRoundingMode: undefined, filterShape: [3, 2, 3, 5],
      } as any) as tf.Tensor;
      assert.deepEqual(dw.shape, [3, 2, 3, 5]);
      return [dw];
    });
  });

  it("rejects NCHW data with a message naming the supported format", async () => {
    assert.equal(await tf.setBackend("wasm"), true);
    const x = randomTensor([1, 2, 5, 5], 1);
    const dy = randomTensor([1, 2, 5, 5], 2);
    assert.throws(
      () => tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, { strides: [1, 1], pad: "same", dataFormat: "NCHW", filterShape: [3, 3, 2, 2] } as any),
      /NHWC/);
    tf.dispose([x, dy]);
  });
});

// Conv2DBackpropInput called directly: the input gradient of a convolution of an `input`-shaped x.
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];
interface BackpropInputCase { input: [number, number, number, number]; kernel: [number, number]; outChannels: number; strides: number | [number, number]; pad: "same" | "valid" | number | ExplicitPad }
const backpropInputCases: BackpropInputCase[] = [
  { input: [2, 6, 6, 3], kernel: [3, 3], outChannels: 4, strides: 1, pad: "same" },
  { input: [2, 7, 5, 2], kernel: [3, 3], outChannels: 3, strides: 1, pad: "valid" },
  { input: [2, 14, 14, 16], kernel: [3, 3], outChannels: 32, strides: 2, pad: "same" }, // the course's conv AE
  { input: [2, 28, 28, 1], kernel: [3, 3], outChannels: 16, strides: 2, pad: "same" },
  { input: [2, 9, 9, 3], kernel: [3, 3], outChannels: 2, strides: 2, pad: "same" }, // odd size
  { input: [1, 9, 11, 2], kernel: [4, 4], outChannels: 3, strides: 2, pad: "same" }, // even filter
  { input: [2, 11, 10, 2], kernel: [5, 3], outChannels: 2, strides: 2, pad: "valid" }, // last rows unused
  { input: [1, 10, 10, 3], kernel: [3, 3], outChannels: 2, strides: 3, pad: "same" },
  { input: [1, 11, 13, 1], kernel: [5, 4], outChannels: 5, strides: 3, pad: "valid" },
  { input: [2, 8, 7, 3], kernel: [3, 3], outChannels: 2, strides: [2, 1], pad: "same" }, // unequal strides
  { input: [2, 7, 9, 2], kernel: [2, 3], outChannels: 4, strides: [1, 3], pad: "valid" },
  { input: [1, 7, 7, 2], kernel: [1, 1], outChannels: 3, strides: 3, pad: "same" }, // filter smaller than stride
  { input: [1, 8, 8, 2], kernel: [2, 2], outChannels: 2, strides: 3, pad: "valid" }, // phases with no taps
  { input: [2, 7, 7, 3], kernel: [3, 3], outChannels: 4, strides: 2, pad: 1 },
  { input: [1, 6, 6, 2], kernel: [3, 3], outChannels: 2, strides: 1, pad: 2 },
  { input: [1, 6, 7, 2], kernel: [3, 3], outChannels: 3, strides: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { input: [1, 5, 5, 2], kernel: [3, 3], outChannels: 2, strides: 1, pad: [[0, 0], [4, 0], [0, 4], [0, 0]] }, // dy cropped
  { input: [1, 6, 6, 1], kernel: [3, 3], outChannels: 2, strides: 2, pad: [[0, 0], [4, 1], [1, 5], [0, 0]] }, // cropped, stride 2
];
const showBackpropInput = (c: BackpropInputCase) =>
  `dx [${c.input}] kernel ${c.kernel.join("x")}, ${c.input[3]}→${c.outChannels} strides ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}`;

function backpropInput(dy: tf.Tensor, filter: tf.Tensor, c: BackpropInputCase): tf.Tensor {
  return tf.engine().runKernel("Conv2DBackpropInput", { dy, filter }, {
    strides: c.strides, pad: c.pad, dataFormat: "NHWC", dimRoundingMode: undefined, inputShape: c.input,
  } as any) as tf.Tensor;
}

function dyShape(c: BackpropInputCase): number[] {
  return tf.backend_util.computeConv2DInfo(c.input, [...c.kernel, c.input[3], c.outChannels] as [number, number, number, number],
    c.strides, 1, c.pad as any, undefined, false, "channelsLast").outShape;
}

describe("Conv2DBackpropInput on wasm matches cpu", () => {
  for (const [i, c] of backpropInputCases.entries()) {
    it(`values and gradients: ${showBackpropInput(c)}`, async () => {
      await assertSameOnBothBackends(showBackpropInput(c), () => {
        const dy = randomTensor(dyShape(c), 1100 + i);
        const filter = randomTensor([...c.kernel, c.input[3], c.outChannels], 1200 + i);
        const dx = backpropInput(dy, filter, c);
        assert.deepEqual(dx.shape, c.input);
        const r = randomTensor(c.input, 1300 + i);
        const [dDy, dFilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(backpropInput(a, b, c), r)))([dy, filter]);
        return [dx, dDy, dFilter];
      });
    });
  }

  it("says what is wrong when dy does not fit the input shape", async () => {
    assert.equal(await tf.setBackend("wasm"), true);
    const c = backpropInputCases[2];
    const dy = randomTensor([2, 6, 6, 32], 1);
    const filter = randomTensor([3, 3, 16, 32], 2);
    assert.throws(() => backpropInput(dy, filter, c), /dy has shape \[2,6,6,32\].*gives \[2,7,7,32\]/);
    tf.dispose([dy, filter]);
  });

  it("rejects NCHW data with a message naming the supported format", async () => {
    assert.equal(await tf.setBackend("wasm"), true);
    const dy = randomTensor([1, 2, 5, 5], 1);
    const filter = randomTensor([3, 3, 2, 2], 2);
    assert.throws(() => tf.engine().runKernel("Conv2DBackpropInput", { dy, filter },
      { strides: [1, 1], pad: "same", dataFormat: "NCHW", inputShape: [1, 2, 5, 5] } as any), /NHWC/);
    tf.dispose([dy, filter]);
  });
});

describe("the wasm kernels leak nothing", () => {
  const workloads: Record<string, () => void> = {
    "transposed matMul and its gradients": () => {
      for (const [tA, tB] of [[true, false], [false, true], [true, true]]) {
        const a = randomTensor(tA ? [2, 6, 4] : [2, 4, 6], 1);
        const b = randomTensor(tB ? [2, 5, 6] : [2, 6, 5], 2);
        tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y, tA, tB)))([a, b]);
      }
      // The (b · aᵀ)ᵀ route for a small a.
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y, false, true)))([randomTensor([4, 50], 3), randomTensor([60, 50], 4)]);
    },
    "Conv2DBackpropInput with every phase layout (strides 1-3, no taps, cropped dy)": () => {
      for (const c of [backpropInputCases[0], backpropInputCases[2], backpropInputCases[9], backpropInputCases[12], backpropInputCases[17]]) {
        const dy = randomTensor(dyShape(c), 7);
        const filter = randomTensor([...c.kernel, c.input[3], c.outChannels], 8);
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(backpropInput(a, b, c)))([dy, filter]);
      }
    },
    "Conv2DBackpropFilter with slicing and padding": () => {
      for (const c of [convCases[4], convCases[5], convCases[12]]) {
        const x = randomTensor(c.x, 3) as tf.Tensor4D;
        const w = randomTensor([...c.kernel, c.x[3], c.outChannels], 4) as tf.Tensor4D;
        tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.strides, c.pad)))([x, w]);
      }
    },
  };
  for (const [name, run] of Object.entries(workloads)) {
    it(`${name}: tensors and wasm buffers return to their count inside tf.tidy`, async () => {
      assert.equal(await tf.setBackend("wasm"), true);
      const tensors = tf.memory().numTensors;
      const buffers = wasmDataIds();
      tf.tidy(run);
      assert.equal(tf.memory().numTensors, tensors, "tensors");
      assert.equal(wasmDataIds(), buffers, "wasm data buffers");
    });
  }

  it("a transposed product disposed by hand leaves no buffer behind", async () => {
    assert.equal(await tf.setBackend("wasm"), true);
    const a = randomTensor([7, 3], 5);
    const b = randomTensor([4, 7], 6);
    const tensors = tf.memory().numTensors;
    const buffers = wasmDataIds();
    const y = tf.matMul(a, b, true, true);
    assert.deepEqual(y.shape, [3, 4]);
    assert.equal(wasmDataIds(), buffers + 1, "only the result is new");
    y.dispose();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(wasmDataIds(), buffers);
    tf.dispose([a, b]);
  });
});
