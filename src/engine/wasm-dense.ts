/**
 * `_FusedMatMul` (a dense layer's forward pass) on wasm while training: XNNPACK packs the
 * weight matrix on every call and caches it by tensor, which pays at inference but not in
 * training, where the weights change every step: packing the `original` net's 16384x1024
 * kernel took about 380 ms for a 537-MFLOP product at batch 16. While a gradient tape records
 * (training) and the batch is small, the product is computed transposed instead, yᵀ = Wᵀ·xᵀ:
 * the weights are transposed (a plain pass) and the small xᵀ is what gets packed. Elsewhere,
 * and for activations other than linear, tfjs's kernel.
 *
 *   registerWasmTrainingKernels()   // registers it with the others (wasm-kernels.ts)
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockKernel } from './stock-kernels.ts';
import { tf } from './tf.ts';
import { callWasmKernel, type WasmBackend } from './wasm-backend.ts';

/** The transposed product for at most this many rows (a batch), and weights of at least this many values. */
const MAX_ROWS = 32;
const MIN_WEIGHTS = 65536;

/** Whether a _FusedMatMul of these operands is computed transposed (else tfjs's kernel). */
export function transposedDense(a: TensorInfo, b: TensorInfo, attrs: { transposeA: boolean; transposeB: boolean; activation?: string | null }, hasPrelu: boolean, training: boolean): boolean {
  const plain = !attrs.transposeA && !attrs.transposeB && (attrs.activation ?? 'linear') === 'linear' && !hasPrelu;
  const single = a.shape.length === 3 && b.shape.length === 3 && a.shape[0] === 1 && b.shape[0] === 1;
  return training && plain && single && a.shape[1]! <= MAX_ROWS && tf.util.sizeFromShape(b.shape) >= MIN_WEIGHTS && a.dtype === 'float32' && b.dtype === 'float32';
}

/** A gradient tape is recording: the forward pass of a training step. */
export const recordingGradients = () => (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;

export const fusedMatMulWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b, bias, preluActivationWeights } = inputs as Record<'a' | 'b' | 'bias' | 'preluActivationWeights', TensorInfo | undefined>;
  if (!transposedDense(a!, b!, attrs as never, !!preluActivationWeights, recordingGradients())) return stockKernel('_FusedMatMul', 'wasm')({ inputs, backend, attrs });
  const temps: TensorInfo[] = [];
  const run = (name: string, ins: Record<string, TensorInfo>, at: Record<string, unknown>) => {
    const k = callWasmKernel(name, ins, backend, at);
    temps.push(k);
    return k;
  };
  try {
    const swap = { perm: [0, 2, 1] };
    const yT = run('BatchMatMul', { a: run('Transpose', { x: b! }, swap), b: run('Transpose', { x: a! }, swap) }, { transposeA: false, transposeB: false }); // [1, N, M]
    const y = run('Transpose', { x: yT }, swap); // [1, M, N]
    if (!bias) {
      temps.pop();
      return y;
    }
    return callWasmKernel('Add', { a: y, b: bias }, backend, {});
  } finally {
    for (const t of temps) (backend as unknown as WasmBackend).disposeData(t.dataId);
  }
};
