/**
 * One variable's Adam update as one kernel on wasm (`AdamUpdate`, Janus's): tfjs's formula is
 * ten elementwise kernels, each a pass over the variable through memory (16% of an `original`
 * training step's kernel time, whose dense kernels hold 16.8M values each); here it is one SIMD
 * pass (src/engine/wasm-simd.wat) with the same float32 rounding, op by op, as LeanAdam's
 * formula on any backend (tested bit for bit against it).
 *
 *   const [value2, m2, v2] = tf.engine().runKernel(ADAM_UPDATE, { value, gradient, m, v, oneMinusAccBeta1, oneMinusAccBeta2 }, { beta1, beta2, epsilon, learningRate });
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from './tf.ts';
import { heapOffset, type WasmBackend } from './wasm-backend.ts';
import { wasmSimd } from './wasm-simd.ts';

export const ADAM_UPDATE = 'AdamUpdate';

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

export const adamUpdateWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { value, gradient, m, v, oneMinusAccBeta1, oneMinusAccBeta2 } = inputs as Record<'value' | 'gradient' | 'm' | 'v' | 'oneMinusAccBeta1' | 'oneMinusAccBeta2', TensorInfo>;
  const { beta1, beta2, epsilon, learningRate } = attrs as unknown as AdamUpdateAttrs;
  for (const [name, t] of Object.entries({ gradient, m, v })) {
    if (!tf.util.arraysEqual(t.shape, value.shape) || t.dtype !== 'float32') throw new Error(`AdamUpdate: ${name} is ${t.dtype} [${t.shape.join(', ')}], expected float32 [${value.shape.join(', ')}] like the variable`);
  }
  const simd = wasmSimd(backend);
  const b = backend as unknown as WasmBackend;
  const outs = [b.makeOutput(value.shape, 'float32'), b.makeOutput(value.shape, 'float32'), b.makeOutput(value.shape, 'float32')] as const;
  const a1 = b.typedArrayFromHeap(oneMinusAccBeta1)[0]!;
  const a2 = b.typedArrayFromHeap(oneMinusAccBeta2)[0]!;
  const at = (t: TensorInfo) => heapOffset(backend, t);
  // scalars as tfjs makes them: float32 tensors of the doubles given (the wasm call rounds each to f32)
  simd.adam(at(value), at(gradient), at(m), at(v), at(outs[0]), at(outs[1]), at(outs[2]), tf.util.sizeFromShape(value.shape), beta1, 1 - beta1, beta2, 1 - beta2, a1, a2, epsilon, -learningRate);
  return [...outs];
};
