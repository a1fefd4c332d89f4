// BatchMatMul and _FusedMatMul for the wasm backend on the machine's BLAS (lib/native). The wasm
// kernels stay for everything else; the operands never leave the wasm memory: the addon reads and
// writes them in place through one Float32Array over that memory.
//
// The one hazard is memory growth. Allocating the output may grow the wasm memory, which detaches
// (plain memory) or outgrows (shared memory, the threaded build) every view taken before. So the view
// is taken after the output exists and used at once; the addon checks every extent against it.
import * as tf from "@tensorflow/tfjs";
import type { NativeBlas } from "autoencoders-native";

import { KernelArgs, TensorInfo } from "./kernelCalls";

/** The activation codes the addon's epilogue understands (tfjs's names). */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, prelu: 3, leakyrelu: 4, sigmoid: 5, elu: 6 };

interface Product {
  batch: number; m: number; n: number; k: number;
  /** Elements between batch entries of a and b; 0 when one matrix serves every entry. */
  aStride: number; bStride: number;
  outShape: number[];
}

/** The product's sizes, or undefined for what this path leaves to the wasm kernels. */
function plan(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): Product | undefined {
  if (a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const [ra, rb] = [a.shape.length, b.shape.length];
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (k !== kB) return undefined; // the wasm kernel reports the mismatch in tfjs's words
  if (m === 0 || n === 0 || k === 0) return undefined;
  // One batch broadcast against many, or equal batches; anything subtler goes to the wasm kernel.
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return {
    batch: Math.max(batchA, batchB), m, n, k,
    aStride: batchA === 1 ? 0 : m * k, bStride: batchB === 1 ? 0 : k * n,
    outShape: [...outer, m, n],
  };
}

/** The whole wasm memory as float32, as it is now (call after the last allocation). */
function heap(backend: any): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer);
}

/** Where a tensor's data starts in `heap`, in elements. */
function offset(backend: any, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset / 4;
}

function multiply(blas: NativeBlas, backend: any, a: TensorInfo, b: TensorInfo, p: Product, transposeA: boolean, transposeB: boolean): TensorInfo {
  const out = backend.makeOutput(p.outShape, "float32") as TensorInfo;
  try {
    blas.sgemm(heap(backend), p.batch, p.m, p.n, p.k, transposeA ? 1 : 0, transposeB ? 1 : 0,
      offset(backend, a), p.aStride, offset(backend, b), p.bStride, offset(backend, out));
  } catch (e) {
    backend.disposeData(out.dataId);
    throw e;
  }
  return out;
}

/** BatchMatMul on BLAS; `fallback` (the course's wasm kernel) takes the cases BLAS does not. */
export function blasBatchMatMulConfig(blas: NativeBlas, fallback: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { inputs: { a, b }, backend, attrs: { transposeA, transposeB } } = args;
    const p = plan(a, b, !!transposeA, !!transposeB);
    return p ? multiply(blas, backend, a, b, p, !!transposeA, !!transposeB) : fallback.kernelFunc(args as any);
  };
  return { ...fallback, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** A bias or PReLU weight tensor the epilogue can apply: one value, or one per output column. */
function perColumn(t: TensorInfo | undefined, n: number): boolean {
  if (!t) return true;
  const size = tf.util.sizeFromShape(t.shape);
  return t.dtype === "float32" && (size === 1 || (size === n && t.shape[t.shape.length - 1] === n));
}

/** _FusedMatMul (the matMul + bias + activation that tf.layers.dense runs) on BLAS. */
export function blasFusedMatMulConfig(blas: NativeBlas, fallback: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { inputs: { a, b, bias, preluActivationWeights: prelu }, backend, attrs } = args;
    const { transposeA, transposeB, activation, leakyreluAlpha } = attrs;
    const p = plan(a, b, !!transposeA, !!transposeB);
    const code = ACTIVATIONS[activation ?? "linear"];
    if (!p || code === undefined || !perColumn(bias, p.n) || (code === ACTIVATIONS.prelu && !perColumn(prelu, p.n))) {
      return fallback.kernelFunc(args as any);
    }
    const out = multiply(blas, backend, a, b, p, !!transposeA, !!transposeB);
    const size = (t?: TensorInfo) => (t ? tf.util.sizeFromShape(t.shape) : 0);
    blas.epilogue(heap(backend), offset(backend, out), p.batch * p.m, p.n,
      bias ? offset(backend, bias) : -1, size(bias), code, leakyreluAlpha ?? 0.2,
      code === ACTIVATIONS.prelu ? offset(backend, prelu) : -1, size(prelu));
    return out;
  };
  return { ...fallback, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
