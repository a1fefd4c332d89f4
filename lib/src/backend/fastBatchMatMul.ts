// The wasm BatchMatMul kernel is fast only when neither operand is transposed (about 12x slower
// otherwise, see shared/notes/wasm-backend.md), yet every dense layer's backward pass asks for a
// transposed operand. This kernel materialises the transposed operand with the wasm Transpose
// kernel and multiplies on the fast untransposed path.
import * as tf from "@tensorflow/tfjs";

type TensorInfo = tf.TensorInfo;
type KernelArgs = { inputs: Record<string, TensorInfo>; backend: any; attrs: Record<string, any> };

function transposeLastTwo(x: TensorInfo, backend: any, transpose: tf.KernelFunc): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return transpose({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

/** Returns a BatchMatMul kernel config for wasm that keeps the original's setup function. */
export function fastBatchMatMulConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs;
    const { transposeA, transposeB } = attrs;
    if (!transposeA && !transposeB) return original.kernelFunc(args as any);
    const transpose = tf.getKernel("Transpose", "wasm")!.kernelFunc;
    const temporaries: TensorInfo[] = [];
    const plain = (x: TensorInfo, transposed: boolean) => {
      if (!transposed) return x;
      const t = transposeLastTwo(x, backend, transpose);
      temporaries.push(t);
      return t;
    };
    try {
      return original.kernelFunc({
        inputs: { a: plain(a, transposeA), b: plain(b, transposeB) },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      } as any);
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
