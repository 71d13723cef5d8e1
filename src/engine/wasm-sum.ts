/**
 * Sum on wasm over every axis but the last of a float32 tensor (a bias's gradient: dy summed
 * over batch, rows and columns) in one SIMD pass (src/engine/wasm-simd.wat): tfjs's kernel
 * first transposes the whole tensor so the summed axes are innermost. Each channel is summed
 * in the same order, so the bits are the same (tested). Other reductions go to tfjs's kernel.
 *
 *   registerWasmTrainingKernels()   // registers it with the others (wasm-kernels.ts)
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.ts';
import { tf } from './tf.ts';
import { heapOffset, type WasmBackend } from './wasm-backend.ts';
import { wasmSimd } from './wasm-simd.ts';

export const sumWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  const leading = rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i);
  if (!leading || x.dtype !== 'float32' || tf.util.sizeFromShape(x.shape) === 0) return stockKernel('Sum', 'wasm')({ inputs, backend, attrs });
  const ch = x.shape[rank - 1]!;
  const out = (backend as unknown as WasmBackend).makeOutput(keepDims ? [...Array(rank - 1).fill(1), ch] : [ch], 'float32');
  wasmSimd(backend).sum_rows(heapOffset(backend, x), heapOffset(backend, out), tf.util.sizeFromShape(x.shape) / ch, ch);
  return out;
};
