/**
 * Janus's kernels in tfjs's registry, and tfjs's own kernels they replace: a replacement hands
 * the cases it does not take (untransposed products, strings) to the kernel it replaced.
 *
 *   replaceKernels([{ kernelName: 'Concat', backendName: 'wasm', kernelFunc: concatWasm }]);
 *   stockKernel('Concat', 'wasm')   // tfjs-backend-wasm's own Concat
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { tf } from './tf.ts';

const stock = new Map<string, KernelFunc>();
const key = (name: string, backend: string) => `${backend}/${name}`;

/** Register each kernel (once: again is a no-op), keeping the kernel it replaces, if there was one. */
export function replaceKernels(kernels: readonly KernelConfig[]): void {
  for (const k of kernels) {
    const existing = tf.getKernel(k.kernelName, k.backendName);
    if (existing?.kernelFunc === k.kernelFunc) continue;
    if (existing) {
      stock.set(key(k.kernelName, k.backendName), existing.kernelFunc);
      tf.unregisterKernel(k.kernelName, k.backendName);
    }
    // the replaced kernel's set-up stays: a backend initialised again (a reload) must set up the
    // stock kernel this one hands cases to, or that one keeps functions of the old module
    tf.registerKernel({ ...k, setupFunc: k.setupFunc ?? existing?.setupFunc, disposeFunc: k.disposeFunc ?? existing?.disposeFunc });
  }
}

/** tfjs's own kernel that replaceKernels replaced (throws when there was none: the backend package is not the one Janus pins). */
export function stockKernel(name: string, backend: string): KernelFunc {
  const k = stock.get(key(name, backend));
  if (!k) throw new Error(`the ${backend} backend has no ${name} kernel (is @tensorflow/tfjs-backend-${backend} 4.22.0 loaded?)`);
  return k;
}
