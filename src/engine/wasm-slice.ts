/**
 * Slice on wasm without a typed-array view per run. tfjs-backend-wasm 4.22 copies a slice of a
 * rank-3 tensor a last-axis run at a time with `subarray` + `set`: cutting a face out of an
 * [H, W, 3] frame is one view object per pixel (face-api crops each detected face twice, for
 * its landmarks and its descriptor: 16-20 ms each from a 720p frame, a tenth of a detection).
 * Here the trailing axes that the slice takes whole are merged into one run (a face's row of
 * pixels is one run), short runs are copied by an index loop and long ones by `set`: the same
 * bytes. Strings go to the stock kernel.
 *
 *   registerWasmTrainingKernels()   // registers it with the others (wasm-kernels.ts)
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.ts';
import { tf } from './tf.ts';
import type { WasmBackend } from './wasm-backend.ts';

/** Runs shorter than this many values are copied one by one (a view costs more than the copy). */
const SET_FROM = 64;

/** The same memory as integers where it holds floats: copies through it keep every bit (a NaN read as a number may not). */
export function bitsOf(a: Float32Array | Int32Array | Uint8Array): Int32Array | Uint8Array {
  return a instanceof Float32Array ? new Int32Array(a.buffer, a.byteOffset, a.length) : a;
}

export const sliceWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype === 'string') return stockKernel('Slice', 'wasm')({ inputs, backend, attrs });
  const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [b0, s0] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size) as [number[], number[]];
  const b = backend as unknown as WasmBackend;
  const out = b.makeOutput(s0, x.dtype);
  const total = tf.util.sizeFromShape(s0);
  if (total === 0) return out;
  // views after makeOutput: a heap that grew for the output detaches views taken before
  // float32 copied as int32: a value read into JS may have its NaN payload changed
  const dst = bitsOf(b.typedArrayFromHeap(out));
  const src = bitsOf(b.typedArrayFromHeap(x));
  const shape = x.shape; // rank 1 or more: tfjs slices no scalar
  const strides = [...tf.util.computeStrides(shape), 1];
  // the run: the last axis the slice cuts, with every axis after it (which it takes whole)
  let k = shape.length - 1;
  while (k > 0 && s0[k] === shape[k]) k--;
  const run = s0[k]! * strides[k]!;
  const outer = s0.slice(0, k);
  const index = outer.map(() => 0);
  const count = tf.util.sizeFromShape(outer);
  let o = 0;
  for (let r = 0; r < count; r++) {
    let s = b0[k]! * strides[k]!;
    for (let d = 0; d < k; d++) s += (b0[d]! + index[d]!) * strides[d]!;
    if (run >= SET_FROM) {
      dst.set(src.subarray(s, s + run), o);
      o += run;
    } else for (const end = s + run; s < end; ) dst[o++] = src[s++]!;
    for (let d = k - 1; d >= 0 && ++index[d]! === outer[d]; d--) index[d] = 0;
  }
  return out;
};
