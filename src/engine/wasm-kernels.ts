/**
 * Kernels the tfjs wasm backend lacks for training, built from its fast primitives.
 *
 *   registerWasmTrainingKernels();   // after tf.setBackend('wasm'); returns the kernel names added
 *
 * `Conv2DBackpropFilter` (the filter gradient of conv2d, and of conv2dTranspose) is written as
 * one ordinary XNNPACK convolution: the input transposed to [Ci, H, W, N] (channels as batch,
 * batch as channels) is convolved with dy transposed to [OH, OW, N, Co] as the filter, with
 * dilation = stride and the forward padding; the [Ci, k, k, Co] result (cropped to k × k) is
 * transposed to [k, k, Ci, Co]. `Conv2DBackpropInput` (below) replaces tfjs's loop kernel
 * with a matmul and a WebAssembly SIMD overlap-add. Tests compare both with the cpu backend.
 * The others registered here: BatchMatMul (below), Concat (wasm-concat.ts), Slice
 * (wasm-slice.ts), FusedBatchNorm (wasm-batch-norm.ts), LeakyRelu,
 * LeakyReluGrad and Identity (wasm-activation.ts), AdamUpdate (wasm-adam.ts), Add
 * (wasm-add.ts), _FusedMatMul (wasm-dense.ts) and Sum (wasm-sum.ts); the SIMD code is
 * wasm-simd.wat.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from './tf.ts';
import { replaceKernels, stockKernel } from './stock-kernels.ts';
import { concatWasm } from './wasm-concat.ts';
import { sliceWasm } from './wasm-slice.ts';
import { fusedBatchNormWasm } from './wasm-batch-norm.ts';
import { identityWasm, LEAKY_RELU_GRAD, leakyReluGradWasm, leakyReluWasm, registerLeakyReluGradient } from './wasm-activation.ts';
import { ADAM_UPDATE, adamUpdateWasm } from './wasm-adam.ts';
import { addWasm } from './wasm-add.ts';
import { fusedMatMulWasm } from './wasm-dense.ts';
import { sumWasm } from './wasm-sum.ts';
import { callWasmKernel as call, heapOffset, type WasmBackend as Backend } from './wasm-backend.ts';
import { wasmSimd } from './wasm-simd.ts';

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export const conv2DBackpropFilterWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as BackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm: expected dataFormat NHWC, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, padInfo } = info;
  const b = backend as Backend;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  try {
    const xT = keep(call('Transpose', { x }, backend, { perm: [3, 1, 2, 0] })); // [Ci, H, W, N]
    const dyT = keep(call('Transpose', { x: dy }, backend, { perm: [1, 2, 0, 3] })); // [OH, OW, N, Co]
    const explicit = [
      [0, 0],
      [padInfo.top, padInfo.bottom],
      [padInfo.left, padInfo.right],
      [0, 0],
    ];
    let g = keep(
      call('Conv2D', { x: xT, filter: dyT }, backend, {
        strides: [1, 1],
        pad: explicit as unknown as NamedAttrMap[string],
        dataFormat: 'NHWC',
        dilations: [sh, sw],
        dimRoundingMode: null as unknown as NamedAttrMap[string],
      }),
    ); // [Ci, >=kh, >=kw, Co]
    if (g.shape[1] !== kh || g.shape[2] !== kw) {
      g = keep(call('Slice', { x: g }, backend, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] }));
    }
    return call('Transpose', { x: g }, backend, { perm: [1, 2, 0, 3] }); // [kh, kw, Ci, Co]
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
};

interface BackpropInputAttrs {
  strides: number | [number, number];
  pad: BackpropFilterAttrs['pad'];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * The cost of a scalar overlap-add per value, over the SIMD one, in values XNNPACK packs
 * (measured on the `small` and `original` nets' shapes with test/bench/conv-kernels-bench.ts).
 */
export const PACKING_VS_SCALAR_ADD = 1 / 8;

/**
 * `Conv2DBackpropInput` (the input gradient of conv2d, and conv2dTranspose's forward pass)
 * from fast wasm primitives, replacing tfjs's loop kernel:
 * - stride 1: one XNNPACK convolution of dy with the filter reversed in both spatial axes and
 *   its channel axes swapped, edge padding k-1-pad;
 * - stride s > 1 (col2im): one matmul of dy [N·OH·OW, Co] with the filter as [Co, k·k·Ci]
 *   gives every tap's contribution, overlap-added into dx by one SIMD pass
 *   (src/engine/wasm-simd.wat): no multiplication by inserted zeros, and at 20-35 GFLOP/s on
 *   the `small` and `original` nets' shapes the fastest of the ways measured (phase
 *   convolutions, one sub-pixel convolution with s·s·Ci outputs, the overlap-add as pads and
 *   adds: 5-20 GFLOP/s).
 */
export const conv2DBackpropInputWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as BackpropInputAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropInput on wasm: expected dataFormat NHWC, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, padInfo, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const n = inputShape[0];
  if (dy.shape[0] !== n || dy.shape[1] !== oh || dy.shape[2] !== ow || dy.shape[3] !== co) {
    throw new Error(
      `Conv2DBackpropInput on wasm: an input of [${inputShape.join(', ')}] convolved with a ${kh}x${kw} filter at stride ${sh}x${sw}, padding ${JSON.stringify(pad)}, gives [${n}, ${oh}, ${ow}, ${co}], but dy is [${dy.shape.join(', ')}]: the output shape given to conv2dTranspose does not fit its input`,
    );
  }
  const b = backend as Backend;
  const temps: TensorInfo[] = [];
  const raw = (name: string, ins: Record<string, TensorInfo>, at: Record<string, unknown>) => {
    const t = call(name, ins, backend, at as NamedAttrMap);
    temps.push(t);
    return t;
  };
  try {
    if (sh === 1 && sw === 1) {
      // dx row i reads dy rows i + pad - (k-1) … i + pad: one convolution with the flipped
      // filter, dy cropped to the rows that exist and zero-padded for the rest
      const flipped = raw('Transpose', { x: raw('Reverse', { x: filter }, { dims: [0, 1] }) }, { perm: [0, 1, 3, 2] }); // [kh, kw, Co, Ci]
      const lo = [padInfo.top - kh + 1, padInfo.left - kw + 1] as const;
      const hi = [h - 1 + padInfo.top, w - 1 + padInfo.left] as const;
      const begin = [Math.max(0, lo[0]), Math.max(0, lo[1])] as const;
      const end = [Math.min(oh - 1, hi[0]), Math.min(ow - 1, hi[1])] as const;
      let input = dy;
      if (begin[0] !== 0 || begin[1] !== 0 || end[0] !== oh - 1 || end[1] !== ow - 1) {
        input = raw('Slice', { x: dy }, { begin: [0, begin[0], begin[1], 0], size: [n, end[0] - begin[0] + 1, end[1] - begin[1] + 1, co] });
      }
      const padding = [
        [0, 0],
        [begin[0] - lo[0], hi[0] - end[0]],
        [begin[1] - lo[1], hi[1] - end[1]],
        [0, 0],
      ];
      const out = call('Conv2D', { x: input, filter: flipped }, backend, { strides: [1, 1], pad: padding, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: null } as unknown as NamedAttrMap);
      if (out.shape[1] !== h || out.shape[2] !== w || out.shape[3] !== ci) {
        b.disposeData(out.dataId);
        throw new Error(`Conv2DBackpropInput on wasm: expected [${n}, ${h}, ${w}, ${ci}], got [${out.shape.join(', ')}]`);
      }
      return out;
    }
    // the matmul's second operand is packed by XNNPACK on every call (about 10 ns a value: more
    // than the multiplications on some shapes), so dy takes that place instead of the filter
    // when that saves more packing than the transposed overlap-add (scalar) costs over the SIMD one
    const rows = n * oh * ow;
    const taps = kh * kw * ci;
    const matmul = (a: TensorInfo, m: TensorInfo) => raw('BatchMatMul', { a, b: m }, { transposeA: false, transposeB: false });
    let prod: TensorInfo;
    let transposed: boolean;
    if (co * (taps - rows) > rows * taps * PACKING_VS_SCALAR_ADD) {
      // colsT [kh·kw·Ci, rows] = the filter as it lies ([kh·kw·Ci, Co]) times dyᵀ [Co, rows]
      const dyT = raw('Transpose', { x: raw('Reshape', { x: dy }, { shape: [1, rows, co] }) }, { perm: [0, 2, 1] });
      prod = matmul(raw('Reshape', { x: filter }, { shape: [1, taps, co] }), dyT);
      transposed = true;
    } else {
      // cols [rows, kh·kw·Ci] = dy [rows, Co] times the filter as [Co, kh·kw·Ci]
      const wt = raw('Reshape', { x: raw('Transpose', { x: filter }, { perm: [3, 0, 1, 2] }) }, { shape: [1, co, taps] });
      prod = matmul(raw('Reshape', { x: dy }, { shape: [1, rows, co] }), wt);
      transposed = false;
    }
    const out = b.makeOutput([n, h, w, ci], 'float32');
    b.typedArrayFromHeap(out).fill(0);
    const simd = wasmSimd(backend);
    (transposed ? simd.col2im_t : simd.col2im)(heapOffset(backend, prod), heapOffset(backend, out), n, oh, ow, kh, kw, ci, h, w, sh, sw, padInfo.top, padInfo.left);
    return out;
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
};

/**
 * `BatchMatMul` with transposed operands made explicit: wasm's kernel takes XNNPACK's fast
 * path only for untransposed inputs and falls back to a loop otherwise (measured on a dense
 * layer's gradient, [4096, 32] x [32, 256]: 0.6 GFLOP/s transposed, 13 with a Transpose
 * first). Dense layers' gradients are exactly these transposed products.
 */
export const batchMatMulWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  const stock = stockKernel('BatchMatMul', 'wasm');
  if (!transposeA && !transposeB) return stock({ inputs, backend, attrs });
  const temps: TensorInfo[] = [];
  const swapLast = (t: TensorInfo, temp = true) => {
    const r = t.shape.length;
    const perm = [...Array(r).keys()];
    [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
    const out = call('Transpose', { x: t }, backend, { perm });
    if (temp) temps.push(out);
    return out;
  };
  const size = (t: TensorInfo) => t.shape.reduce((p, q) => p * q, 1);
  try {
    // A·Bᵀ = (B·Aᵀ)ᵀ: when B is the big operand (a dense layer's kernel), transpose A and the
    // small result instead of B
    const rows = a.shape[a.shape.length - 2]!;
    const cols = b.shape[b.shape.length - 2]!;
    const single = (t: TensorInfo) => t.shape.length === 2 || (t.shape.length === 3 && t.shape[0] === 1);
    if (!transposeA && transposeB && single(a) && single(b) && a.shape.length === b.shape.length && size(a) + rows * cols < size(b)) {
      const c = stock({ inputs: { a: b, b: swapLast(a) }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as TensorInfo;
      temps.push(c);
      return swapLast(c, false);
    }
    return stock({ inputs: { a: transposeA ? swapLast(a) : a, b: transposeB ? swapLast(b) : b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as TensorInfo;
  } finally {
    for (const t of temps) (backend as Backend).disposeData(t.dataId);
  }
};

const KERNELS: KernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm },
  { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2DBackpropInputWasm },
  { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: batchMatMulWasm },
  { kernelName: 'Concat', backendName: 'wasm', kernelFunc: concatWasm },
  { kernelName: 'Slice', backendName: 'wasm', kernelFunc: sliceWasm },
  { kernelName: 'FusedBatchNorm', backendName: 'wasm', kernelFunc: fusedBatchNormWasm },
  { kernelName: LEAKY_RELU_GRAD, backendName: 'wasm', kernelFunc: leakyReluGradWasm },
  { kernelName: 'Identity', backendName: 'wasm', kernelFunc: identityWasm },
  { kernelName: 'LeakyRelu', backendName: 'wasm', kernelFunc: leakyReluWasm },
  { kernelName: ADAM_UPDATE, backendName: 'wasm', kernelFunc: adamUpdateWasm },
  { kernelName: 'Add', backendName: 'wasm', kernelFunc: addWasm },
  { kernelName: '_FusedMatMul', backendName: 'wasm', kernelFunc: fusedMatMulWasm },
  { kernelName: 'Sum', backendName: 'wasm', kernelFunc: sumWasm },
];

/**
 * Register Janus's training kernels on wasm (once), replacing tfjs's own slow kernels where it
 * has them; returns the names Janus provides.
 */
export function registerWasmTrainingKernels(): string[] {
  replaceKernels(KERNELS);
  registerLeakyReluGradient();
  // those that hand cases on to tfjs's own: a wasm package without them is not the pinned one
  stockKernel('BatchMatMul', 'wasm');
  stockKernel('Concat', 'wasm');
  stockKernel('Slice', 'wasm');
  stockKernel('FusedBatchNorm', 'wasm');
  stockKernel('LeakyRelu', 'wasm');
  stockKernel('Add', 'wasm');
  stockKernel('_FusedMatMul', 'wasm');
  stockKernel('Sum', 'wasm');
  return KERNELS.map((k) => k.kernelName);
}
