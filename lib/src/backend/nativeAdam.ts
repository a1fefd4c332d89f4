// Adam in one native pass per variable, on the wasm backend with the native addon. tfjs's
// AdamOptimizer runs about twelve element-wise kernels per variable per step (each a pass over the
// parameter's memory plus an allocation); once matrix multiplies run on BLAS, those passes are
// about half of a dense training step. The update is the same formula in the same float32 order.
//
// `tf.train.adam` is pointed at this class when the native path is installed, so notebooks keep
// writing the standard call. The class is an AdamOptimizer (same name, config, getWeights and
// setWeights); on any other backend, or for a non-float32 gradient, it is tfjs's own update.
import * as tf from "@tensorflow/tfjs";
import type { NativeBlas } from "autoencoders-native";

import { KernelArgs, TensorInfo } from "./kernelCalls";

export const ADAM_KERNEL = "AutoencodersAdamStep";

/** A wasm kernel: inputs param, gradient, m, v; outputs the new param, m and v (new buffers). */
export function adamKernelConfig(blas: NativeBlas): tf.KernelConfig {
  const kernelFunc = ({ inputs: { param, gradient, m, v }, backend, attrs }: KernelArgs): TensorInfo[] => {
    const outputs = [param, m, v].map((t) => backend.makeOutput(t.shape, "float32") as TensorInfo);
    const at = (t: TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset / 4;
    try {
      // The view is taken after the allocations, which may have grown the wasm memory.
      blas.adam(new Float32Array(backend.wasm.HEAPU8.buffer), tf.util.sizeFromShape(param.shape),
        at(param), at(gradient), at(m), at(v), at(outputs[0]), at(outputs[1]), at(outputs[2]),
        attrs.learningRate, attrs.beta1, attrs.beta2, attrs.epsilon, attrs.oneMinusAccBeta1, attrs.oneMinusAccBeta2);
    } catch (e) {
      for (const t of outputs) backend.disposeData(t.dataId);
      throw e;
    }
    return outputs;
  };
  return { kernelName: ADAM_KERNEL, backendName: "wasm", kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

type Moment = { originalName: string; variable: tf.Variable };
type Gradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];

export class NativeAdamOptimizer extends tf.AdamOptimizer {
  applyGradients(variableGradients: Gradients): void {
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const gradientOf = (name: string, i: number): tf.Tensor | undefined =>
      (Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name]);
    const native = tf.getKernel(ADAM_KERNEL, tf.getBackend()) !== undefined &&
      names.every((name, i) => { const g = gradientOf(name, i); return g == null || g.dtype === "float32"; });
    if (!native) return super.applyGradients(variableGradients);
    const self = this as unknown as {
      accumulatedFirstMoment: Moment[]; accumulatedSecondMoment: Moment[]; accBeta1: tf.Variable; accBeta2: tf.Variable;
      learningRate: number; beta1: number; beta2: number; epsilon: number; incrementIterations(): void;
    };
    tf.tidy(() => {
      // 1 - beta^t in float32, as tfjs computes it (sub(1, accBeta)).
      const oneMinusAccBeta1 = Math.fround(1 - self.accBeta1.dataSync()[0]);
      const oneMinusAccBeta2 = Math.fround(1 - self.accBeta2.dataSync()[0]);
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        for (const [moments, suffix] of [[self.accumulatedFirstMoment, "m"], [self.accumulatedSecondMoment, "v"]] as const) {
          moments[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        }
        const gradient = gradientOf(name, i);
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i].variable;
        const v = self.accumulatedSecondMoment[i].variable;
        const [newValue, newM, newV] = tf.engine().runKernel(ADAM_KERNEL, { param: value, gradient, m, v }, {
          learningRate: self.learningRate, beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, oneMinusAccBeta1, oneMinusAccBeta2,
        } as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  }
}

let stockAdam: typeof tf.train.adam | undefined;

/** Registers the kernel and makes tf.train.adam build NativeAdamOptimizers. Idempotent. */
export function useNativeAdam(blas: NativeBlas): void {
  if (!tf.getKernel(ADAM_KERNEL, "wasm")) tf.registerKernel(adamKernelConfig(blas));
  if (stockAdam) return;
  stockAdam = tf.train.adam;
  (tf.train as { adam: typeof tf.train.adam }).adam = (learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) =>
    new NativeAdamOptimizer(learningRate, beta1, beta2, epsilon as number);
}
