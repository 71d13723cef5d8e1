/**
 * The activation of every Janus layer, LeakyReLU, and the copies around it, as training on
 * wasm runs them. Measured on a `small` training step (batch 16, 2 threads), tfjs spent about
 * 12% of its kernel time here: LeakyReLU's gradient is three kernels (Greater against 0, a
 * Multiply by alpha, a Select), and every tensor the engine saves for the backward pass is
 * cloned by wasm's Identity, which copies the bytes (the cpu backend shares them).
 *
 *   registerLeakyReluGradient();   // once, any backend: LeakyRelu's gradient calls LeakyReluGrad where the backend has it
 *   registerWasmTrainingKernels(); // adds LeakyReluGrad, LeakyRelu and Identity on wasm (wasm-kernels.ts)
 *
 * - `LeakyReluGrad` (a Janus kernel): dx = x > 0 ? dy : alpha * dy in one SIMD pass
 *   (src/engine/wasm-simd.wat); on a backend without it, the gradient is tfjs's own formula.
 * - `LeakyRelu`: one SIMD pass (wasm's own kernel is a scalar loop).
 * - `Identity`: the clone shares the buffer and counts a reference, as Reshape already does on
 *   wasm and Identity does on cpu; tensors are immutable, so a shared buffer is never written.
 */
import type { KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.ts';
import { tf } from './tf.ts';
import { heapOffset, type WasmBackend } from './wasm-backend.ts';
import { wasmSimd } from './wasm-simd.ts';

export const LEAKY_RELU_GRAD = 'LeakyReluGrad';

/** LeakyRelu's gradient through the LeakyReluGrad kernel where the active backend has one, else tfjs's own formula. */
export function registerLeakyReluGradient(): void {
  tf.registerGradient({
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const alpha = (attrs as unknown as { alpha: number }).alpha;
      const d = dy as Tensor;
      if (tf.getKernel(LEAKY_RELU_GRAD, tf.getBackend()) && x.dtype === 'float32' && d.dtype === 'float32') {
        return { x: () => tf.engine().runKernel(LEAKY_RELU_GRAD, { dy: d, x }, { alpha } as unknown as NamedAttrMap) as Tensor };
      }
      return { x: () => tf.where(tf.greater(x, 0), d, tf.mul(d, alpha)) };
    },
  });
  // LeakyReluGrad is linear in dy and piecewise constant in x: differentiable again (a second
  // derivative, a gradient penalty) like tfjs's where/greater/mul formula
  tf.registerGradient({
    kernelName: LEAKY_RELU_GRAD,
    inputsToSave: ['x'],
    gradFunc: (ddx, saved, attrs) => {
      const x = saved[0]!;
      return {
        dy: () => tf.engine().runKernel(LEAKY_RELU_GRAD, { dy: ddx as Tensor, x }, attrs) as Tensor,
        x: () => tf.zerosLike(x),
      };
    },
  });
}

export const leakyReluGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
  const alpha = (attrs as unknown as { alpha: number }).alpha;
  if (!tf.util.arraysEqual(dy.shape, x.shape)) throw new Error(`LeakyReluGrad: dy [${dy.shape.join(', ')}] and x [${x.shape.join(', ')}] differ in shape`);
  const out = (backend as unknown as WasmBackend).makeOutput(x.shape, 'float32');
  wasmSimd(backend).leaky_relu_grad(heapOffset(backend, dy), heapOffset(backend, x), heapOffset(backend, out), tf.util.sizeFromShape(x.shape), alpha);
  return out;
};

/** LeakyReLU in one SIMD pass (wasm's own kernel is a scalar loop); other dtypes go to tfjs's. */
export const leakyReluWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return stockKernel('LeakyRelu', 'wasm')({ inputs, backend, attrs });
  const out = (backend as unknown as WasmBackend).makeOutput(x.shape, 'float32');
  wasmSimd(backend).leaky_relu(heapOffset(backend, x), heapOffset(backend, out), tf.util.sizeFromShape(x.shape), (attrs as unknown as { alpha: number }).alpha);
  return out;
};

export const identityWasm: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  (backend as unknown as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};
