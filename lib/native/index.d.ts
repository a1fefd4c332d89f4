/** The addon's functions; offsets and sizes count float32 elements of `heap`. */
export interface NativeBlas {
  /** C[i] = op(A[i]) · op(B[i]) for i < batch (row-major, C dense [batch, m, n]); a stride of 0 reuses one matrix. */
  sgemm(heap: Float32Array, batch: number, m: number, n: number, k: number, transposeA: number, transposeB: number,
    aOffset: number, aStride: number, bOffset: number, bStride: number, cOffset: number): void;
  /** In place on C as [rows, n]: add a bias (n entries or 1; offset -1 for none), then an activation (0 linear … 6 elu). */
  epilogue(heap: Float32Array, cOffset: number, rows: number, n: number, biasOffset: number, biasSize: number,
    activation: number, alpha: number, preluOffset: number, preluSize: number): void;
  /** One Adam step over `size` elements: reads param, gradient, m, v; writes the new three. */
  adam(heap: Float32Array, size: number, param: number, gradient: number, m: number, v: number,
    paramOut: number, mOut: number, vOut: number, learningRate: number, beta1: number, beta2: number,
    epsilon: number, oneMinusAccBeta1: number, oneMinusAccBeta2: number): void;
  setThreads(threads: number): void;
  /** OpenBLAS's thread count; 0 for Accelerate (it sizes its own pool). */
  getThreads(): number;
  /** For example "OpenBLAS 0.3.21 (SkylakeX)". */
  library(): string;
}
export function load(): { blas?: NativeBlas; reason?: string };
