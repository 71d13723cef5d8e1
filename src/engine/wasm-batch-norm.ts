/**
 * FusedBatchNorm on wasm in one SIMD pass (src/engine/wasm-simd.wat) when its four parameters
 * are one value a channel of the last axis and the channels come in fours: tfjs's kernel is a
 * scalar loop that steps four parameter indices and wraps each (7 ns a value: 58 ms of a 384 ms
 * SsdMobilenetv1 detection at 720p, its 13 batch norms). The same formula in the same
 * operations, float32 and float64 where tfjs's compiled kernel has them, so the same bits
 * (tested against tfjs's kernel). Other shapes go to tfjs's kernel.
 *
 *   registerWasmTrainingKernels()   // registers it with the others (wasm-kernels.ts)
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.ts';
import { tf } from './tf.ts';
import { heapOffset, type WasmBackend } from './wasm-backend.ts';
import { wasmSimd } from './wasm-simd.ts';

export const fusedBatchNormWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, mean, variance, scale, offset } = inputs as { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; scale?: TensorInfo; offset?: TensorInfo };
  const ch = x.shape[x.shape.length - 1] ?? 0;
  const n = tf.util.sizeFromShape(x.shape);
  const perChannel = (t: TensorInfo | undefined) => t !== undefined && t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === ch;
  if (x.dtype !== 'float32' || ch === 0 || ch % 4 !== 0 || n === 0 || ![mean, variance, scale, offset].every(perChannel)) return stockKernel('FusedBatchNorm', 'wasm')({ inputs, backend, attrs });
  const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
  const out = (backend as unknown as WasmBackend).makeOutput(x.shape, 'float32');
  const at = (t: TensorInfo) => heapOffset(backend, t);
  wasmSimd(backend).batch_norm(at(x), at(mean), at(variance), at(scale!), at(offset!), at(out), n / ch, ch, varianceEpsilon);
  return out;
};
