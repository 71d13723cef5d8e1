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

/** One axis of a strided input gradient, split by output phase (see conv2DBackpropInputWasm). */
interface Phase {
  /** First dx index the phase fills (0..s-1); it fills m, m+s, m+2s… */
  m: number;
  /** Filter taps r, r+s, r+2s… (count j). */
  r: number;
  j: number;
  /** dy rows [qMin - (j-1), qMax] feed it; count = qMax - qMin + 1 outputs. */
  qMin: number;
  count: number;
}

function phases(size: number, k: number, s: number, padBefore: number): Phase[] {
  const out: Phase[] = [];
  for (let r = 0; r < s; r++) {
    const j = Math.max(0, Math.ceil((k - r) / s));
    const qMin = Math.ceil((padBefore - r) / s);
    const qMax = Math.floor((size - 1 + padBefore - r) / s);
    out.push({ m: qMin * s + r - padBefore, r, j, qMin, count: Math.max(0, qMax - qMin + 1) });
  }
  return out.sort((a, b) => a.m - b.m);
}

/** Below this many dy pixels (per image) the input gradient uses zero insertion, not phases. */
export const PHASES_FROM = 256;

/**
 * `Conv2DBackpropInput` (the input gradient of conv2d, and conv2dTranspose's forward pass)
 * from XNNPACK convolutions, replacing tfjs's loop kernel. The filter is reversed in both
 * spatial axes with its channel axes swapped, and:
 * - stride 1, or a small dy: one convolution of dy with stride-1 zeros inserted between its
 *   samples (reshape, pad, reshape) and edge padding k-1-pad;
 * - stride s > 1 on a large dy: s×s phases (the dx pixels with one value of i mod s), each a
 *   stride-1 convolution of dy with that phase's filter taps (r, r+s, …), interleaved back by
 *   reshapes and transposes: no multiplications by inserted zeros. On tiny inputs XNNPACK's
 *   small convolutions and the interleaving cost more than they save (measured), hence
 *   `PHASES_FROM`.
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
  const raw = (name: string, ins: Record<string, TensorInfo> | TensorInfo[], at: Record<string, unknown>) => {
    const t = call(name, ins as Record<string, TensorInfo>, backend, at as NamedAttrMap);
    temps.push(t);
    return t;
  };
  /**
   * A 'valid' stride-1 convolution of x ([n, rows, cols, co]) with f whose output row y reads
   * x rows lo[0]+y … : x is cropped to what exists of [lo, hi] and zero-padded for the rest.
   */
  const validConv = (x: TensorInfo, rows: number, cols: number, f: TensorInfo, lo: [number, number], hi: [number, number]): TensorInfo => {
    const begin = [Math.max(0, lo[0]), Math.max(0, lo[1])] as const;
    const end = [Math.min(rows - 1, hi[0]), Math.min(cols - 1, hi[1])] as const;
    let input = x;
    if (begin[0] !== 0 || begin[1] !== 0 || end[0] !== rows - 1 || end[1] !== cols - 1) {
      input = raw('Slice', { x }, { begin: [0, begin[0], begin[1], 0], size: [n, end[0] - begin[0] + 1, end[1] - begin[1] + 1, co] });
    }
    const padding = [
      [0, 0],
      [begin[0] - lo[0], hi[0] - end[0]],
      [begin[1] - lo[1], hi[1] - end[1]],
      [0, 0],
    ];
    return raw('Conv2D', { x: input, filter: f }, { strides: [1, 1], pad: padding, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: null });
  };
  const finish = (out: TensorInfo): TensorInfo => {
    temps.splice(temps.indexOf(out), 1);
    if (out.shape[1] !== h || out.shape[2] !== w || out.shape[3] !== ci) {
      b.disposeData(out.dataId);
      throw new Error(`Conv2DBackpropInput on wasm: expected [${n}, ${h}, ${w}, ${ci}], got [${out.shape.join(', ')}]`);
    }
    return out;
  };
  try {
    const flipped = raw('Transpose', { x: raw('Reverse', { x: filter }, { dims: [0, 1] }) }, { perm: [0, 1, 3, 2] }); // [kh, kw, Co, Ci]
    if ((sh === 1 && sw === 1) || oh * ow < PHASES_FROM) {
      let d = dy;
      if (sh > 1 || sw > 1) {
        const r = raw('Reshape', { x: dy }, { shape: [n, oh, 1, ow, 1, co] });
        const p = raw('PadV2', { x: r }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
        d = raw('Reshape', { x: p }, { shape: [n, oh * sh, ow * sw, co] });
      }
      // dx row i reads zero-inserted rows i + pad - (k-1) … i + pad
      return finish(validConv(d, oh * sh, ow * sw, flipped, [padInfo.top - kh + 1, padInfo.left - kw + 1], [h - 1 + padInfo.top, w - 1 + padInfo.left]));
    }
    const py = phases(h, kh, sh, padInfo.top);
    const px = phases(w, kw, sw, padInfo.left);
    const qy = Math.ceil(h / sh);
    const qx = Math.ceil(w / sw);
    const phase = (a: Phase, c: Phase): TensorInfo => {
      if (!a.j || !c.j || !a.count || !c.count) return raw('Fill', {}, { shape: [n, qy, qx, ci], value: 0, dtype: 'float32' });
      // this phase's taps r, r+s, … r+s(j-1), reversed: rows k-1-r-s(j-1) … k-1-r of the flipped filter, step s
      const y0 = kh - 1 - (a.r + sh * (a.j - 1));
      const x0 = kw - 1 - (c.r + sw * (c.j - 1));
      const f = raw('StridedSlice', { x: flipped }, { begin: [y0, x0, 0, 0], end: [kh - a.r, kw - c.r, co, ci], strides: [sh, sw, 1, 1], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 });
      const out = validConv(dy, oh, ow, f, [a.qMin - (a.j - 1), c.qMin - (c.j - 1)], [a.qMin + a.count - 1, c.qMin + c.count - 1]);
      if (a.count === qy && c.count === qx) return out;
      return raw('PadV2', { x: out }, { paddings: [[0, 0], [0, qy - a.count], [0, qx - c.count], [0, 0]], constantValue: 0 });
    };
    // interleave along x: for each y phase, [sw, N*qy, qx, Ci] -> [N*qy, qx, sw, Ci] -> [1, N, qy, qx*sw*Ci]
    const rows = py.map((a) => {
      const parts = px.map((c) => raw('Reshape', { x: phase(a, c) }, { shape: [1, n * qy, qx, ci] }));
      const stacked = parts.length > 1 ? raw('Concat', parts, { axis: 0 }) : parts[0]!;
      return raw('Reshape', { x: raw('Transpose', { x: stacked }, { perm: [1, 2, 0, 3] }) }, { shape: [1, n, qy, qx * sw * ci] });
    });
    // interleave along y: [sh, N, qy, W'*Ci] -> [N, qy, sh, W'*Ci] -> [N, qy*sh, W', Ci], cropped to [N, h, w, Ci]
    const stacked = rows.length > 1 ? raw('Concat', rows, { axis: 0 }) : rows[0]!;
    const full = raw('Reshape', { x: raw('Transpose', { x: stacked }, { perm: [1, 2, 0, 3] }) }, { shape: [n, qy * sh, qx * sw, ci] });
    return finish(raw('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [n, h, w, ci] }));
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
};

/** tfjs's own BatchMatMul on wasm, kept when Janus's wrapper replaces it. */
let stockBatchMatMul: KernelFunc | null = null;

/**
 * `BatchMatMul` with transposed operands made explicit: wasm's kernel takes XNNPACK's fast
 * path only for untransposed inputs and falls back to a loop otherwise (measured on a dense
 * layer's gradient, [4096, 32] x [32, 256]: 0.6 GFLOP/s transposed, 13 with a Transpose
 * first). Dense layers' gradients are exactly these transposed products.
 */
export const batchMatMulWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  const stock = stockBatchMatMul!;
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
    if (!transposeA && transposeB && a.shape.length === 2 && b.shape.length === 2 && size(a) + rows * cols < size(b)) {
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
];

/**
 * Register Janus's training kernels on wasm (once), replacing tfjs's own slow kernels where it
 * has them; returns the names Janus provides.
 */
export function registerWasmTrainingKernels(): string[] {
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  if (stock && stock.kernelFunc !== batchMatMulWasm) stockBatchMatMul = stock.kernelFunc;
  if (!stockBatchMatMul) throw new Error('the wasm backend has no BatchMatMul kernel (is @tensorflow/tfjs-backend-wasm 4.22.0 loaded?)');
  for (const k of KERNELS) {
    const existing = tf.getKernel(k.kernelName, k.backendName);
    if (existing?.kernelFunc === k.kernelFunc) continue;
    if (existing) tf.unregisterKernel(k.kernelName, k.backendName);
    tf.registerKernel(k);
  }
  return KERNELS.map((k) => k.kernelName);
}
