/**
 * Add on wasm for two float32 tensors of one shape in one SIMD pass (src/engine/wasm-simd.wat):
 * tfjs's wasm kernel took 18 ns a value on the `original` net's dense gradients (16.8M values,
 * the encoder's gradients from the A and B passes summed: 300 ms a step); the same bits. And a
 * bias over the last axis ([..., C] + [C], face-api's nets add one after each convolution:
 * 153 Adds in an SSD detection), a row at a time. Other broadcasts, other dtypes and small
 * tensors go to tfjs's kernel.
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
  const stock = () => stockKernel('Add', 'wasm')({ inputs, backend, attrs });
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock();
  if (tf.util.arraysEqual(a.shape, b.shape)) {
    const n = tf.util.sizeFromShape(a.shape);
    if (n < SIMD_FROM) return stock();
    const out = (backend as unknown as WasmBackend).makeOutput(a.shape, 'float32');
    wasmSimd(backend).add(heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out), n);
    return out;
  }
  // a bias over the last axis, either side (x + b = b + x, bit for bit): [..., C] + [C] or [1, ..., 1, C]
  const [x, bias] = isBiasOf(b, a) ? [a, b] : isBiasOf(a, b) ? [b, a] : [null, null];
  if (!x || !bias || tf.util.sizeFromShape(x.shape) < SIMD_FROM) return stock();
  const ch = x.shape[x.shape.length - 1]!;
  const out = (backend as unknown as WasmBackend).makeOutput(x.shape, 'float32');
  wasmSimd(backend).add_rows(heapOffset(backend, x), heapOffset(backend, bias), heapOffset(backend, out), tf.util.sizeFromShape(x.shape) / ch, ch);
  return out;
};

/** Whether `bias` broadcast onto `x` is one value per channel of x's last axis, the result x's shape. */
function isBiasOf(bias: TensorInfo, x: TensorInfo): boolean {
  const r = bias.shape.length;
  const ch = x.shape[x.shape.length - 1];
  return r >= 1 && r <= x.shape.length && ch !== undefined && ch > 0 && bias.shape[r - 1] === ch && bias.shape.slice(0, -1).every((d) => d === 1);
}
