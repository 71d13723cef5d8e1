/**
 * Kernels tfjs's webgpu backend gets wrong for Janus's models, wrapped so they compute right
 * (as the wasm ones are built in wasm-kernels.ts); each is tested against cpu.
 *
 *   registerWebgpuTrainingKernels();   // after tf.setBackend('webgpu'); returns the kernel names wrapped
 *
 * `BatchMatMul` and `_FusedMatMul` with `transposeB` in tfjs-backend-webgpu 4.22.0 return wrong
 * values for a long inner dimension and a small output (measured on SwiftShader: [2, 8192] x
 * [128, 8192]^T is off by more than 100% against cpu; [2, 128] x [8192, 128]^T is right). That is
 * the backward pass of every dense layer that widens the latent (dy [N, 8192] x W^T): the
 * encoder's gradients were garbage. The wrapper transposes B itself (one Transpose kernel) and
 * calls the stock kernel with transposeB false, which is right for every shape measured.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { replaceKernels, stockKernel } from './stock-kernels.ts';
import { tf } from './tf.ts';

type Backend = { disposeData(id: object): boolean | void };

const WRAPPED = ['BatchMatMul', '_FusedMatMul'] as const;

function transposeBFirst(name: string): KernelFunc {
  const fn: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const inner = stockKernel(name, 'webgpu');
    if (!(attrs as { transposeB?: boolean }).transposeB) return inner(args);
    const b = inputs.b as TensorInfo;
    const perm = [...b.shape.keys()];
    [perm[perm.length - 1], perm[perm.length - 2]] = [perm[perm.length - 2]!, perm[perm.length - 1]!];
    const transpose = tf.getKernel('Transpose', 'webgpu');
    if (!transpose) throw new Error('the webgpu backend has no "Transpose" kernel (is @tensorflow/tfjs-backend-webgpu 4.22.0 loaded?)');
    const bT = transpose.kernelFunc({ inputs: { x: b }, backend, attrs: { perm } as unknown as NamedAttrMap }) as TensorInfo;
    try {
      return inner({ inputs: { ...inputs, b: bT }, backend, attrs: { ...attrs, transposeB: false } });
    } finally {
      (backend as Backend).disposeData(bT.dataId);
    }
  };
  return fn;
}

const KERNELS: KernelConfig[] = WRAPPED.map((kernelName) => ({ kernelName, backendName: 'webgpu', kernelFunc: transposeBFirst(kernelName) }));

/** Wrap the webgpu kernels above (idempotent); returns their names. */
export function registerWebgpuTrainingKernels(): string[] {
  replaceKernels(KERNELS);
  for (const k of KERNELS) stockKernel(k.kernelName, 'webgpu'); // each wraps tfjs's own: a package without it is not the pinned one
  return KERNELS.map((k) => k.kernelName);
}
