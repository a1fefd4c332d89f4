// The wasm BatchMatMul kernel is fast only when neither operand is transposed (about 12x slower
// otherwise, see shared/notes/wasm-backend.md), yet every dense layer's backward pass asks for a
// transposed operand. This kernel materialises the transposed operand with the wasm Transpose
// kernel and multiplies on the fast untransposed path.
import * as tf from "@tensorflow/tfjs";

import { KernelArgs, Scratch, TensorInfo } from "./kernelCalls";

/** Returns a BatchMatMul kernel config for wasm that keeps the original's setup function. */
export function fastBatchMatMulConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs;
    const { transposeA, transposeB } = attrs;
    if (!transposeA && !transposeB) return original.kernelFunc(args as any);
    const s = new Scratch(backend, "BatchMatMul");
    const plain = (x: TensorInfo, transposed: boolean) => {
      if (!transposed) return x;
      const rank = x.shape.length;
      const perm = [...Array(rank).keys()];
      [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
      return s.run("Transpose", { x }, { perm });
    };
    try {
      return original.kernelFunc({
        inputs: { a: plain(a, transposeA), b: plain(b, transposeB) },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      } as any);
    } finally {
      s.release();
    }
  };
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
