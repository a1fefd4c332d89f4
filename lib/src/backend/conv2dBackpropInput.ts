// tfjs-backend-wasm 4.22 computes Conv2DBackpropInput with a scalar loop, yet every transposed
// convolution's forward pass and every convolution's backward pass calls it. This kernel builds it
// from the backend's fast (XNNPACK) Conv2D instead.
//
// The input gradient of a convolution with strides (sh, sw) and padding (top, left) is
//   dx[n, ih, iw, ci] = sum over kh, kw, co with ih + top = oh*sh + kh, iw + left = ow*sw + kw of
//                       dy[n, oh, ow, co] * W[kh, kw, ci, co].
// Split the rows by phase p = (ih + top) mod sh: a row of phase p only meets the filter taps
// kh = p, p + sh, p + 2sh, ..., so each phase is a stride-1 convolution of dy with that sub-filter,
// flipped, with its channel axes swapped. Computing the sh * sw phases separately and interleaving
// them does exactly the work of the direct formula (no zeros inserted between the rows of dy).
import * as tf from "@tensorflow/tfjs";
import { KernelArgs, requireNHWC, Scratch, TensorInfo } from "./kernelCalls";

/** How one spatial axis splits into phases. */
interface AxisPlan {
  /** Per phase: the number of filter taps it uses, the first of them in the flipped filter, and the
   *  zero padding (negative: rows cropped) of dy before a 'valid' convolution. */
  phases: { taps: number; begin: number; padBefore: number; padAfter: number }[];
  /** Output rows per phase (the same for every phase; rows outside dx are cut off at the end). */
  rows: number;
  /** Where dx starts in the interleaved grid. */
  offset: number;
}

function planAxis(stride: number, kernel: number, padBefore: number, inSize: number, outSize: number): AxisPlan {
  // A row ih of dx has u = ih + padBefore = q * stride + phase; q runs from qMin to qMax.
  const qMin = Math.floor(padBefore / stride);
  const qMax = Math.floor((padBefore + inSize - 1) / stride);
  const phases = [];
  for (let phase = 0; phase < stride; phase++) {
    const taps = Math.max(0, Math.ceil((kernel - phase) / stride));
    // Output q sums dy[q - (taps - 1) + t] * flipped[t] for t < taps: dy rows qMin - taps + 1 .. qMax.
    phases.push({ taps, begin: kernel - 1 - phase - (taps - 1) * stride, padBefore: taps - 1 - qMin, padAfter: qMax - (outSize - 1) });
  }
  return { phases, rows: qMax - qMin + 1, offset: padBefore - qMin * stride };
}

/** The taps of one phase, flipped in space, channel axes swapped: [taps, tapsW, Cout, Cin]. */
function phaseFilter(w: Float32Array, [, kw, cin, cout]: number[], r: { taps: number; begin: number }, c: { taps: number; begin: number },
  sh: number, sw: number): Float32Array {
  // Tap t of the phase is row begin + t*sh of the flipped filter, i.e. row kh - 1 - begin - t*sh of W.
  const out = new Float32Array(r.taps * c.taps * cout * cin);
  const kh = (w.length / (kw * cin * cout)) | 0;
  let o = 0;
  for (let t = 0; t < r.taps; t++) {
    const row = kh - 1 - r.begin - t * sh;
    for (let u = 0; u < c.taps; u++) {
      const base = (row * kw + (kw - 1 - c.begin - u * sw)) * cin * cout;
      for (let co = 0; co < cout; co++) for (let ci = 0; ci < cin; ci++) out[o++] = w[base + ci * cout + co];
    }
  }
  return out;
}

function conv2dBackpropInput(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  requireNHWC(dataFormat, "Conv2DBackpropInput");
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number],
    strides, 1, pad, dimRoundingMode, false, "channelsLast");
  const [n, oh, ow, cout] = dy.shape;
  if (oh !== info.outHeight || ow !== info.outWidth || cout !== info.outChannels) {
    throw new Error(`Conv2DBackpropInput(wasm): dy has shape [${dy.shape}] but a convolution of [${inputShape}] with ` +
      `filter [${filter.shape}] gives [${n},${info.outHeight},${info.outWidth},${info.outChannels}].`);
  }
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w, inChannels: cin } = info;
  const rowPlan = planAxis(sh, kh, info.padInfo.top, h, oh);
  const colPlan = planAxis(sw, kw, info.padInfo.left, w, ow);

  const s = new Scratch(backend, "Conv2DBackpropInput");
  try {
    const weights = s.values(filter); // small: the sub-filters are gathered in JavaScript
    const phaseOutputs: TensorInfo[] = [];
    for (const r of rowPlan.phases) {
      for (const c of colPlan.phases) {
        const outShape = [n, rowPlan.rows, colPlan.rows, cin];
        if (r.taps === 0 || c.taps === 0) { // filter smaller than the stride: these rows get no gradient
          phaseOutputs.push(s.run("Fill", [], { shape: outShape, value: 0, dtype: "float32" }));
          continue;
        }
        const subFilter = s.upload([r.taps, c.taps, cout, cin], phaseFilter(weights, filter.shape, r, c, sh, sw));
        // Negative padding crops dy; Conv2D pads the rest itself (explicit padding, no copy).
        const cropTop = Math.max(0, -r.padBefore), cropBottom = Math.max(0, -r.padAfter);
        const cropLeft = Math.max(0, -c.padBefore), cropRight = Math.max(0, -c.padAfter);
        const input = cropTop + cropBottom + cropLeft + cropRight === 0 ? dy : s.run("Slice", { x: dy }, {
          begin: [0, cropTop, cropLeft, 0], size: [n, oh - cropTop - cropBottom, ow - cropLeft - cropRight, cout],
        });
        const padding = [[0, 0], [Math.max(0, r.padBefore), Math.max(0, r.padAfter)], [Math.max(0, c.padBefore), Math.max(0, c.padAfter)], [0, 0]];
        phaseOutputs.push(s.run("Conv2D", { x: input, filter: subFilter }, { strides: [1, 1], pad: padding, dataFormat: "NHWC", dilations: [1, 1] }));
      }
    }
    let grid: TensorInfo;
    if (phaseOutputs.length === 1) {
      grid = phaseOutputs[0];
    } else {
      // [sh*sw, N, Q, Qw, Cin] -> [N, Q, sh, Qw, sw, Cin]: row q*sh + phase, column qw*sw + phase.
      // Two transposes of rank <= 4: wasm's Transpose is about 100x slower from rank 5 on.
      const nq = n * rowPlan.rows;
      let interleaved = s.run("Pack", phaseOutputs, { axis: 0 });
      if (sw > 1) { // [sh, sw, NQ*Qw, Cin] -> [sh, NQ*Qw, sw, Cin]: the columns of each row phase interleaved
        interleaved = s.run("Transpose", { x: s.run("Reshape", { x: interleaved }, { shape: [sh, sw, nq * colPlan.rows, cin] }) }, { perm: [0, 2, 1, 3] });
      }
      if (sh > 1) { // [sh, NQ, Qw*sw*Cin] -> [NQ, sh, Qw*sw*Cin]: the rows interleaved
        interleaved = s.run("Transpose", { x: s.run("Reshape", { x: interleaved }, { shape: [sh, nq, colPlan.rows * sw * cin] }) }, { perm: [1, 0, 2] });
      }
      grid = s.run("Reshape", { x: interleaved }, { shape: [n, rowPlan.rows * sh, colPlan.rows * sw, cin] });
    }
    if (rowPlan.offset === 0 && colPlan.offset === 0 && grid.shape[1] === h && grid.shape[2] === w) {
      return s.result("Identity", { x: grid });
    }
    return s.result("Slice", { x: grid }, { begin: [0, rowPlan.offset, colPlan.offset, 0], size: [n, h, w, cin] });
  } finally {
    s.release();
  }
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc,
};
