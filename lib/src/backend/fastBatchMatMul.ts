// The wasm BatchMatMul kernel is fast only when neither operand is transposed (about 12x slower
// otherwise, measured with tfjs-backend-wasm 4.22), yet every dense layer's backward pass asks for a
// transposed operand. This kernel materialises the transposed operand with the wasm Transpose
// kernel and multiplies on the fast untransposed path.
//
// For a · bᵀ (a dense layer's input gradient dy · Wᵀ) it picks the cheaper of two routes. The plain
// route transposes b (the weights) and XNNPACK then packs that copy; both passes are single-threaded
// and cost about as much as the multiply itself for a 512×784 layer (a transpose into rows of a
// power-of-two length is 8× slower still, cache conflicts). The other route computes (b · aᵀ)ᵀ: it
// only transposes and packs the small batch-sized operands.
import * as tf from "@tensorflow/tfjs";

import { KernelArgs, Scratch, TensorInfo } from "./kernelCalls";

function swapLastTwo(x: TensorInfo, s: Scratch): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return s.run("Transpose", { x }, { perm });
}

/** Elements moved (transposed or packed) by each route for a [m, p] · b[q, p]ᵀ, both 2-D. */
function productOfTransposeIsCheaper(a: TensorInfo, b: TensorInfo): boolean {
  if (a.shape.length !== 2 || b.shape.length !== 2) return false;
  const [m, p] = a.shape;
  const q = b.shape[0];
  return 2 * m * p + q * m < 2 * q * p;
}

/** Returns a BatchMatMul kernel config for wasm that keeps the original's setup function. */
export function fastBatchMatMulConfig(original: tf.KernelConfig): tf.KernelConfig {
  const multiply = (a: TensorInfo, b: TensorInfo, backend: unknown, attrs: Record<string, unknown>) =>
    original.kernelFunc({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } } as any) as TensorInfo;
  const kernelFunc = (args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs;
    const { transposeA, transposeB } = attrs;
    if (!transposeA && !transposeB) return original.kernelFunc(args as any);
    const s = new Scratch(backend, "BatchMatMul");
    try {
      if (!transposeA && transposeB && productOfTransposeIsCheaper(a, b)) {
        const productT = multiply(b, swapLastTwo(a, s), backend, attrs); // (a · bᵀ)ᵀ = b · aᵀ
        s.keep(productT);
        return s.result("Transpose", { x: productT }, { perm: [1, 0] });
      }
      return multiply(transposeA ? swapLastTwo(a, s) : a, transposeB ? swapLastTwo(b, s) : b, backend, attrs);
    } finally {
      s.release();
    }
  };
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
