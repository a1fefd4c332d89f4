// The wasm backend has no Conv2DBackpropFilter kernel, so no convolutional model can train on it.
// The filter gradient is itself a convolution: correlate the (padded) input with the output
// gradient, using the forward strides as dilations:
//   dW[kh, kw, ci, co] = sum_{n, oh, ow} xPadded[n, oh*sh + kh, ow*sw + kw, ci] * dy[n, oh, ow, co]
// Treat ci as the batch, n as the channels and dy as a [OH, OW, N, Cout] filter; a stride-1 'valid'
// Conv2D with dilations = strides then yields [Cin, KH, KW, Cout]. Built only from kernels the wasm
// backend has (Slice, PadV2, Transpose, Conv2D), with every temporary buffer disposed.
import * as tf from "@tensorflow/tfjs";

type TensorInfo = tf.TensorInfo;
type KernelArgs = { inputs: Record<string, TensorInfo>; backend: any; attrs: Record<string, any> };

function kernel(name: string): tf.KernelFunc {
  const k = tf.getKernel(name, "wasm");
  if (!k) throw new Error(`Conv2DBackpropFilter(wasm) needs the wasm '${name}' kernel, which is not registered.`);
  return k.kernelFunc;
}

function conv2dBackpropFilter(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat && dataFormat !== "NHWC") {
    throw new Error(`Conv2DBackpropFilter(wasm) supports dataFormat 'NHWC' only, got '${dataFormat}'.`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, "channelsLast");
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const [n, h, w, cin] = x.shape;

  const temporaries: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temporaries.push(t), t);
  try {
    // The rows and columns the filter taps touch: exactly (OH - 1) * sh + KH of them.
    const needH = (oh - 1) * sh + kh;
    const needW = (ow - 1) * sw + kw;
    let input = x;
    const useH = Math.min(h, needH - top);
    const useW = Math.min(w, needW - left);
    if (useH < h || useW < w) {
      input = keep(kernel("Slice")({ inputs: { x: input }, backend, attrs: { begin: [0, 0, 0, 0], size: [n, useH, useW, cin] } }) as TensorInfo);
    }
    const bottom = needH - top - useH;
    const right = needW - left - useW;
    if (top || left || bottom || right) {
      input = keep(kernel("PadV2")({
        inputs: { x: input }, backend,
        attrs: { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 },
      }) as TensorInfo);
    }
    const xT = keep(kernel("Transpose")({ inputs: { x: input }, backend, attrs: { perm: [3, 1, 2, 0] } }) as TensorInfo);
    const dyT = keep(kernel("Transpose")({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } }) as TensorInfo);
    const grad = keep(kernel("Conv2D")({
      inputs: { x: xT, filter: dyT }, backend,
      attrs: { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dilations: [sh, sw] },
    }) as TensorInfo);
    const result = kernel("Transpose")({ inputs: { x: grad }, backend, attrs: { perm: [1, 2, 0, 3] } }) as TensorInfo;
    return result;
  } finally {
    for (const t of temporaries) if (t !== x) backend.disposeData(t.dataId);
  }
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
