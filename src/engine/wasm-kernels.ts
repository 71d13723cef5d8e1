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
import { replaceKernels, stockKernel } from './stock-kernels.ts';
import { concatWasm } from './wasm-concat.ts';
import { identityWasm, LEAKY_RELU_GRAD, leakyReluGradWasm, leakyReluWasm, registerLeakyReluGradient } from './wasm-activation.ts';
import { ADAM_UPDATE, adamUpdateWasm } from './wasm-adam.ts';

type Backend = {
  disposeData(id: object): boolean | void;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
};

/**
 * A contiguous block of x along its first axis, copied heap to heap. wasm's Slice kernel reads
 * the whole input out of the heap first (O(input) per slice): slicing 25 taps out of one big
 * tensor that way costs 100x more than the copies themselves.
 */
function sliceFirstAxis(backend: Backend, x: TensorInfo, begin: number, count: number, shape: number[]): TensorInfo {
  const inner = x.shape.slice(1).reduce((p, q) => p * q, 1);
  if (shape.reduce((p, q) => p * q, 1) !== count * inner) throw new Error(`sliceFirstAxis: shape [${shape.join(', ')}] does not hold ${count} x ${inner} values`);
  const out = backend.makeOutput(shape, 'float32');
  const src = new Float32Array(backend.wasm.HEAPU8.buffer, backend.dataIdMap.get(x.dataId)!.memoryOffset + begin * inner * 4, count * inner);
  backend.typedArrayFromHeap(out).set(src);
  return out;
}

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

/**
 * Thresholds of inputGradientPath: dy below PHASES_FROM pixels per image goes to col2im (the
 * phase convolutions' bookkeeping then costs more than they save); MATMUL_CHANNELS splits
 * col2im from phases where the sub-pixel path does not apply.
 */
export const PHASES_FROM = 256;
export const MATMUL_CHANNELS = 32;
/** dx channels from which (inclusive) and below which the sub-pixel path is taken. */
export const SUBPIXEL_CHANNELS = [8, 128] as const;

/** The ways a strided input gradient can be computed (see conv2DBackpropInputWasm). */
export type InputGradientPath = 'subpixel' | 'col2im' | 'phases';
/** Forces one path for every strided input gradient (benchmarks and tests compare them); null: the measured choice. */
export const inputGradientPathOverride: { path: InputGradientPath | null } = { path: null };

/**
 * The path a strided input gradient takes, from dy's pixels per image, dx's channels and the
 * taps per phase along each axis (ceil(k / s)); measured on the `small` and `original` nets'
 * shapes at batch 16 (test/bench/conv-paths-bench.ts times all three):
 * col2im where dy is small or dx has many channels (one big matmul), sub-pixel where each
 * phase has at most 2x2 taps (a 3x3 kernel at stride 2: the transposed convolutions' forward
 * pass), phases where dx has few channels.
 */
export function inputGradientPath(dyPixels: number, ci: number, tapsY: number, tapsX: number): InputGradientPath {
  if (inputGradientPathOverride.path) return inputGradientPathOverride.path;
  if (dyPixels < PHASES_FROM) return 'col2im';
  if (ci < SUBPIXEL_CHANNELS[0]) return 'phases';
  if (ci >= SUBPIXEL_CHANNELS[1]) return 'col2im';
  if (tapsY <= 2 && tapsX <= 2) return 'subpixel';
  return ci >= MATMUL_CHANNELS ? 'col2im' : 'phases';
}

/**
 * `Conv2DBackpropInput` (the input gradient of conv2d, and conv2dTranspose's forward pass)
 * from fast wasm primitives, replacing tfjs's loop kernel:
 * - stride 1: one XNNPACK convolution of dy with the filter reversed in both spatial axes and
 *   its channel axes swapped, edge padding k-1-pad;
 * - stride s > 1, at most 2x2 taps per phase (sub-pixel): all s×s phases of dx as one stride-1
 *   convolution of dy with s·s·Ci output channels, interleaved by a depth-to-space reshape
 *   and transpose (a phase with fewer taps gets zeros in the combined filter);
 * - stride s > 1, small dy or many channels (col2im): one matmul of dy [N·OH·OW, Co] with the
 *   filter as [Co, k·k·Ci] gives every tap's contribution; the taps are overlap-added per
 *   phase of the output (pad + add) and the s×s phases interleaved by reshapes and transposes;
 * - stride s > 1, large dy with few channels: s×s phases (the dx pixels with one value of
 *   i mod s), each a stride-1 convolution of dy with that phase's taps (r, r+s, …), then
 *   interleaved. Neither strided path multiplies by inserted zeros.
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
  const raw = (name: string, ins: Record<string, TensorInfo> | TensorInfo[], at: Record<string, unknown>) => {
    const t = call(name, ins as Record<string, TensorInfo>, backend, at as NamedAttrMap);
    temps.push(t);
    return t;
  };
  /** Free a temporary now (large intermediates should not all live until the end). */
  const free = (t: TensorInfo) => {
    const i = temps.indexOf(t);
    if (i >= 0) temps.splice(i, 1);
    b.disposeData(t.dataId);
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
  /** grids[ry][rx], each [n, qy, qx, c], interleaved: out[y*sh + ry, x*sw + rx] = grids[ry][rx][y, x]. */
  const interleave = (grids: TensorInfo[][], nn: number, qy: number, qx: number, c: number): TensorInfo => {
    // along x: [sw, n*qy, qx, c] -> [n*qy, qx, sw, c] -> [1, n, qy, qx*sw*c]
    const rows = grids.map((row) => {
      const parts = row.map((g) => raw('Reshape', { x: g }, { shape: [1, nn * qy, qx, c] }));
      const stacked = parts.length > 1 ? raw('Concat', parts, { axis: 0 }) : parts[0]!;
      return raw('Reshape', { x: raw('Transpose', { x: stacked }, { perm: [1, 2, 0, 3] }) }, { shape: [1, nn, qy, qx * sw * c] });
    });
    // along y: [sh, n, qy, W'*c] -> [n, qy, sh, W'*c] -> [n, qy*sh, W', c]
    const stacked = rows.length > 1 ? raw('Concat', rows, { axis: 0 }) : rows[0]!;
    return raw('Reshape', { x: raw('Transpose', { x: stacked }, { perm: [1, 2, 0, 3] }) }, { shape: [nn, qy * sh, qx * sw, c] });
  };
  try {
    if (sh === 1 && sw === 1) {
      // dx row i reads dy rows i + pad - (k-1) … i + pad: one convolution with the flipped filter
      const flipped = raw('Transpose', { x: raw('Reverse', { x: filter }, { dims: [0, 1] }) }, { perm: [0, 1, 3, 2] }); // [kh, kw, Co, Ci]
      return finish(validConv(dy, oh, ow, flipped, [padInfo.top - kh + 1, padInfo.left - kw + 1], [h - 1 + padInfo.top, w - 1 + padInfo.left]));
    }
    const path = inputGradientPath(oh * ow, ci, Math.ceil(kh / sh), Math.ceil(kw / sw));
    if (path === 'subpixel') {
      // ext[s*q + r] (dx[i] = ext[i + pad]) = sum over t < J of dy[q - t] * w[s*t + r]: every
      // phase r of the output is a stride-1 J x J convolution of dy; all s*s phases at once are
      // one convolution with s*s*Ci output channels, F[u][(ry, rx, c)] = w[s(J-1-u) + r, c]
      // (zero past the kernel), whose result a depth-to-space reshape interleaves
      const jy = Math.ceil(kh / sh);
      const jx = Math.ceil(kw / sw);
      const c4 = sh * sw * ci;
      const wt = raw('Transpose', { x: filter }, { perm: [0, 1, 3, 2] }); // [kh, kw, Co, Ci]: each tap's rows contiguous
      const f = b.makeOutput([jy, jx, co, c4], 'float32');
      temps.push(f);
      const fv = b.typedArrayFromHeap(f);
      const wv = b.typedArrayFromHeap(wt);
      for (let uy = 0; uy < jy; uy++) {
        for (let ux = 0; ux < jx; ux++) {
          for (let ry = 0; ry < sh; ry++) {
            for (let rx = 0; rx < sw; rx++) {
              const ky = sh * (jy - 1 - uy) + ry;
              const kx = sw * (jx - 1 - ux) + rx;
              let dst = (uy * jx + ux) * co * c4 + (ry * sw + rx) * ci;
              if (ky >= kh || kx >= kw) {
                for (let o = 0; o < co; o++, dst += c4) fv.fill(0, dst, dst + ci);
                continue;
              }
              let src = (ky * kw + kx) * co * ci;
              for (let o = 0; o < co; o++, dst += c4, src += ci) {
                if (ci >= 64) fv.set(wv.subarray(src, src + ci), dst);
                else for (let c = 0; c < ci; c++) fv[dst + c] = wv[src + c]!;
              }
            }
          }
        }
      }
      free(wt);
      // output q covers the ext rows dx needs: q from floor(pad / s) to floor((pad + h - 1) / s)
      const qy0 = Math.floor(padInfo.top / sh);
      const qx0 = Math.floor(padInfo.left / sw);
      const qy = Math.floor((padInfo.top + h - 1) / sh) - qy0 + 1;
      const qx = Math.floor((padInfo.left + w - 1) / sw) - qx0 + 1;
      const p = validConv(dy, oh, ow, f, [qy0 - jy + 1, qx0 - jx + 1], [qy0 + qy - 1, qx0 + qx - 1]); // [n, qy, qx, s*s*Ci]
      const rows = raw('Reshape', { x: p }, { shape: [n * qy, qx, sh, sw * ci] });
      const ext = raw('Reshape', { x: raw('Transpose', { x: rows }, { perm: [0, 2, 1, 3] }) }, { shape: [n, qy * sh, qx * sw, ci] });
      const oy = padInfo.top - sh * qy0;
      const ox = padInfo.left - sw * qx0;
      if (oy === 0 && ox === 0 && qy * sh === h && qx * sw === w) return finish(ext);
      return finish(raw('Slice', { x: ext }, { begin: [0, oy, ox, 0], size: [n, h, w, ci] }));
    }
    if (path === 'col2im') {
      // col2im: every tap's contribution in one matmul, then overlap-added per phase of the
      // extended output (ext[e], e = o*s + ky, dx[i] = ext[i + pad])
      const jy = Math.ceil(kh / sh);
      const jx = Math.ceil(kw / sw);
      const uy = Math.max(oh + jy - 1, Math.ceil((padInfo.top + h) / sh));
      const ux = Math.max(ow + jx - 1, Math.ceil((padInfo.left + w) / sw));
      const wt = raw('Reshape', { x: raw('Transpose', { x: filter }, { perm: [3, 0, 1, 2] }) }, { shape: [1, co, kh * kw * ci] });
      const prod = stockKernel('BatchMatMul', 'wasm')({ inputs: { a: raw('Reshape', { x: dy }, { shape: [1, n * oh * ow, co] }), b: wt }, backend, attrs: { transposeA: false, transposeB: false } as unknown as NamedAttrMap }) as TensorInfo;
      temps.push(prod);
      // taps first ([kh*kw, n*oh*ow, ci]), so each tap is one contiguous slice (channel slices are slow on wasm)
      const prod3 = raw('Reshape', { x: prod }, { shape: [n * oh * ow, kh * kw, ci] });
      const cols = raw('Transpose', { x: prod3 }, { perm: [1, 0, 2] });
      free(prod3); // a reshape shares prod's buffer: both references go before it is freed
      free(prod);
      const grids: TensorInfo[][] = [];
      for (let ry = 0; ry < sh; ry++) {
        const row: TensorInfo[] = [];
        for (let rx = 0; rx < sw; rx++) {
          let acc: TensorInfo | null = null;
          for (let ky = ry; ky < kh; ky += sh) {
            for (let kx = rx; kx < kw; kx += sw) {
              const tap = sliceFirstAxis(b, cols, ky * kw + kx, 1, [n, oh, ow, ci]);
              temps.push(tap);
              const oy = (ky - ry) / sh;
              const ox = (kx - rx) / sw;
              const placed = raw('PadV2', { x: tap }, { paddings: [[0, 0], [oy, uy - oh - oy], [ox, ux - ow - ox], [0, 0]], constantValue: 0 });
              free(tap);
              if (acc) {
                const sum = raw('Add', { a: acc, b: placed }, {});
                free(acc);
                free(placed);
                acc = sum;
              } else {
                acc = placed;
              }
            }
          }
          row.push(acc ?? raw('Fill', {}, { shape: [n, uy, ux, ci], value: 0, dtype: 'float32' }));
        }
        grids.push(row);
      }
      const ext = interleave(grids, n, uy, ux, ci);
      return finish(raw('Slice', { x: ext }, { begin: [0, padInfo.top, padInfo.left, 0], size: [n, h, w, ci] }));
    }
    const flipped = raw('Transpose', { x: raw('Reverse', { x: filter }, { dims: [0, 1] }) }, { perm: [0, 1, 3, 2] }); // [kh, kw, Co, Ci]
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
    const full = interleave(py.map((a) => px.map((c) => phase(a, c))), n, qy, qx, ci);
    return finish(raw('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [n, h, w, ci] }));
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
  { kernelName: LEAKY_RELU_GRAD, backendName: 'wasm', kernelFunc: leakyReluGradWasm },
  { kernelName: 'Identity', backendName: 'wasm', kernelFunc: identityWasm },
  { kernelName: 'LeakyRelu', backendName: 'wasm', kernelFunc: leakyReluWasm },
  { kernelName: ADAM_UPDATE, backendName: 'wasm', kernelFunc: adamUpdateWasm },
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
  stockKernel('LeakyRelu', 'wasm');
  return KERNELS.map((k) => k.kernelName);
}
