// The course's wasm kernels are compositions of the backend's own kernels. `Scratch` calls them by
// name and remembers every intermediate buffer so that one `release()` frees them all, also when a
// step throws.
import * as tf from "@tensorflow/tfjs";

export type TensorInfo = tf.TensorInfo;
export type KernelArgs = { inputs: Record<string, TensorInfo>; backend: any; attrs: Record<string, any> };

/** The course's convolution kernels handle channels-last data only (what tfjs layers produce). */
export function requireNHWC(dataFormat: string | undefined, kernel: string): void {
  if (dataFormat && dataFormat !== "NHWC") throw new Error(`${kernel}(wasm) supports dataFormat 'NHWC' only, got '${dataFormat}'.`);
}

export class Scratch {
  private readonly temporaries: TensorInfo[] = [];
  constructor(private readonly backend: any, private readonly caller: string) {}

  /** Runs the wasm kernel `name`; its output is freed by release() unless it is returned by `result`. */
  run(name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: Record<string, unknown> = {}): TensorInfo {
    const out = this.result(name, inputs, attrs);
    this.temporaries.push(out);
    return out;
  }

  /** Runs the wasm kernel `name` and hands its output to the caller (not freed by release()). */
  result(name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: Record<string, unknown> = {}): TensorInfo {
    const k = tf.getKernel(name, "wasm");
    if (!k) throw new Error(`${this.caller}(wasm) needs the wasm '${name}' kernel, which is not registered.`);
    return k.kernelFunc({ inputs: inputs as any, backend: this.backend, attrs: attrs as any }) as TensorInfo;
  }

  /** Frees `t` with the other temporaries (for an output made outside run()). */
  keep(t: TensorInfo): TensorInfo {
    this.temporaries.push(t);
    return t;
  }

  /** A new float32 buffer holding `values` (for small tensors built in JavaScript), freed by release(). */
  upload(shape: number[], values: Float32Array): TensorInfo {
    const out = this.backend.makeOutput(shape, "float32") as TensorInfo;
    this.backend.typedArrayFromHeap(out).set(values);
    this.temporaries.push(out);
    return out;
  }

  /** The values of a float32 buffer, read in place. */
  values(t: TensorInfo): Float32Array {
    return this.backend.typedArrayFromHeap(t);
  }

  release(): void {
    for (const t of this.temporaries) this.backend.disposeData(t.dataId);
    this.temporaries.length = 0;
  }
}
