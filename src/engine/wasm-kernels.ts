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
 * the same way. Tests compare both with the cpu backend.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from './tf.ts';

type Backend = { disposeData(id: object): boolean | void };

function wasmKernel(name: string): KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`the wasm backend has no "${name}" kernel (is @tensorflow/tfjs-backend-wasm 4.22.0 loaded?)`);
  return k.kernelFunc;
}

function call(name: string, inputs: Record<string, TensorInfo>, backend: unknown, attrs: NamedAttrMap): TensorInfo {
  return wasmKernel(name)({ inputs, backend: backend as never, attrs }) as TensorInfo;
}

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
 * `Conv2DBackpropInput` (the input gradient of conv2d, and conv2dTranspose's forward pass) as
 * one stride-1 XNNPACK convolution: dy with stride-1 zeros inserted between its samples (a
 * reshape, a pad, a reshape), edge padding k-1-pad (cropped where negative), convolved with
 * the filter reversed in both spatial axes and its channel axes swapped.
 */
export const conv2DBackpropInputWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as BackpropInputAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropInput on wasm: expected dataFormat NHWC, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, padInfo, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const n = inputShape[0];
  const b = backend as Backend;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  try {
    let d = dy;
    if (sh > 1 || sw > 1) {
      const r = keep(call('Reshape', { x: dy }, backend, { shape: [n, oh, 1, ow, 1, co] }));
      const p = keep(call('PadV2', { x: r }, backend, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]] as unknown as NamedAttrMap[string], constantValue: 0 }));
      d = keep(call('Reshape', { x: p }, backend, { shape: [n, oh * sh, ow * sw, co] }));
    }
    // rows needed: h + kh - 1 = top + (rows of d) + bottom
    const top = kh - 1 - padInfo.top;
    const left = kw - 1 - padInfo.left;
    const bottom = h + kh - 1 - top - oh * sh;
    const right = w + kw - 1 - left - ow * sw;
    if (top < 0 || left < 0 || bottom < 0 || right < 0) {
      const begin = [0, Math.max(0, -top), Math.max(0, -left), 0];
      const size = [n, oh * sh - begin[1]! - Math.max(0, -bottom), ow * sw - begin[2]! - Math.max(0, -right), co];
      d = keep(call('Slice', { x: d }, backend, { begin, size }));
    }
    const rev = keep(call('Reverse', { x: filter }, backend, { dims: [0, 1] }));
    const f = keep(call('Transpose', { x: rev }, backend, { perm: [0, 1, 3, 2] })); // [kh, kw, Co, Ci]
    const explicit = [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ];
    const out = call('Conv2D', { x: d, filter: f }, backend, {
      strides: [1, 1],
      pad: explicit as unknown as NamedAttrMap[string],
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: null as unknown as NamedAttrMap[string],
    });
    if (out.shape[1] !== h || out.shape[2] !== w || out.shape[3] !== ci) {
      b.disposeData(out.dataId);
      throw new Error(`Conv2DBackpropInput on wasm: expected [${n}, ${h}, ${w}, ${ci}], got [${out.shape.join(', ')}]`);
    }
    return out;
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
};

const KERNELS: KernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm },
  { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2DBackpropInputWasm },
];

/**
 * Register Janus's training kernels on wasm (once), replacing tfjs's own loop kernels where it
 * has them; returns the names Janus provides.
 */
export function registerWasmTrainingKernels(): string[] {
  for (const k of KERNELS) {
    const existing = tf.getKernel(k.kernelName, k.backendName);
    if (existing?.kernelFunc === k.kernelFunc) continue;
    if (existing) tf.unregisterKernel(k.kernelName, k.backendName);
    tf.registerKernel(k);
  }
  return KERNELS.map((k) => k.kernelName);
}
