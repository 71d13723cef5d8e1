/**
 * Concat on wasm without a typed-array view per run. tfjs-backend-wasm 4.22 copies each run of
 * values (one input's part of one outer index) with `subarray` + `set`: along the last axis of
 * an image that is one view object per pixel and input (face-api subtracts its per-channel mean
 * from every face as `concat` of three [1, H, W, 1] tensors: about a tenth of a metrics stage).
 * Here short runs are copied by an index loop and long ones by `set`; the result is the same
 * bytes. Strings, and calls that come down to one input, go to the stock kernel.
 *
 *   registerWasmTrainingKernels()   // registers it with the others (wasm-kernels.ts)
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.ts';
import { tf } from './tf.ts';
import type { WasmBackend } from './wasm-backend.ts';
import { bitsOf } from './wasm-slice.ts';

/** Runs shorter than this many values are copied one by one (a view costs more than the copy). */
const SET_FROM = 64;

export const concatWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const all = Object.values(inputs) as TensorInfo[];
  const axis = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, all[0]!.shape)[0]!;
  const parts = all.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
  if (parts.length < 2 || parts[0]!.dtype === 'string') return stockKernel('Concat', 'wasm')({ inputs, backend, attrs });
  tf.backend_util.assertParamsConsistent(all.map((t) => t.shape), axis);
  const b = backend as unknown as WasmBackend;
  const out = b.makeOutput(tf.backend_util.computeOutShape(all.map((t) => t.shape), axis), all[0]!.dtype);
  // views after makeOutput: a heap that grew for the output detaches views taken before
  // float32 copied as int32 (wasm-slice.ts bitsOf): every bit kept, NaN payloads included
  const dst = bitsOf(b.typedArrayFromHeap(out));
  const srcs = parts.map((t) => bitsOf(b.typedArrayFromHeap(t)));
  const runs = parts.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)));
  const outer = tf.util.sizeFromShape(parts[0]!.shape.slice(0, axis));
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (let p = 0; p < srcs.length; p++) {
      const n = runs[p]!;
      const src = srcs[p]!;
      let s = i * n;
      if (n >= SET_FROM) {
        dst.set(src.subarray(s, s + n), o);
        o += n;
      } else for (const end = s + n; s < end; ) dst[o++] = src[s++]!;
    }
  }
  return out;
};
