/**
 * Add on wasm for two float32 tensors of one shape in one SIMD pass (src/engine/wasm-simd.wat):
 * tfjs's wasm kernel took 18 ns a value on the `original` net's dense gradients (16.8M values,
 * the encoder's gradients from the A and B passes summed: 300 ms a step); the same bits.
 * Broadcasts, other dtypes and small tensors go to tfjs's kernel.
 *
 *   registerWasmTrainingKernels()   // registers it with the others (wasm-kernels.ts)
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.ts';
import { tf } from './tf.ts';
import { heapOffset, type WasmBackend } from './wasm-backend.ts';
import { wasmSimd } from './wasm-simd.ts';

/** Below this many values tfjs's kernel is as fast. */
const SIMD_FROM = 4096;

export const addWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const n = tf.util.sizeFromShape(a.shape);
  if (n < SIMD_FROM || a.dtype !== 'float32' || b.dtype !== 'float32' || !tf.util.arraysEqual(a.shape, b.shape)) return stockKernel('Add', 'wasm')({ inputs, backend, attrs });
  const out = (backend as unknown as WasmBackend).makeOutput(a.shape, 'float32');
  wasmSimd(backend).add(heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out), n);
  return out;
};
