// The wasm backend has no Conv2DBackpropFilter kernel, so no convolutional model can train on it.
// The filter gradient is itself a convolution: correlate the (padded) input with the output
// gradient, using the forward strides as dilations:
//   dW[kh, kw, ci, co] = sum_{n, oh, ow} xPadded[n, oh*sh + kh, ow*sw + kw, ci] * dy[n, oh, ow, co]
// Treat ci as the batch, n as the channels and dy as a [OH, OW, N, Cout] filter; a stride-1 'valid'
// Conv2D with dilations = strides then yields [Cin, KH, KW, Cout]. Built only from kernels the wasm
// backend has (Slice, PadV2, Transpose, Conv2D), with every temporary buffer disposed.
import * as tf from "@tensorflow/tfjs";
import { KernelArgs, requireNHWC, Scratch, TensorInfo } from "./kernelCalls";

function conv2dBackpropFilter(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  requireNHWC(dataFormat, "Conv2DBackpropFilter");
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, "channelsLast");
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const [n, h, w, cin] = x.shape;

  const s = new Scratch(backend, "Conv2DBackpropFilter");
  try {
    // The rows and columns the filter taps touch: exactly (OH - 1) * sh + KH of them.
    const needH = (oh - 1) * sh + kh;
    const needW = (ow - 1) * sw + kw;
    let input = x;
    const useH = Math.min(h, needH - top);
    const useW = Math.min(w, needW - left);
    if (useH < h || useW < w) input = s.run("Slice", { x: input }, { begin: [0, 0, 0, 0], size: [n, useH, useW, cin] });
    const bottom = needH - top - useH;
    const right = needW - left - useW;
    if (top || left || bottom || right) {
      input = s.run("PadV2", { x: input }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
    }
    const xT = s.run("Transpose", { x: input }, { perm: [3, 1, 2, 0] });
    const dyT = s.run("Transpose", { x: dy }, { perm: [1, 2, 0, 3] });
    const grad = s.run("Conv2D", { x: xT, filter: dyT }, { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dilations: [sh, sw] });
    return s.result("Transpose", { x: grad }, { perm: [1, 2, 0, 3] });
  } finally {
    s.release();
  }
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
