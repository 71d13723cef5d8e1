/**
 * The tfjs wasm backend as Janus's kernels use it: its heap (outputs made there, views and
 * byte offsets of tensors in it) and the kernels registered for it, called directly from
 * inside another kernel (no engine bookkeeping; the caller disposes what it makes).
 *
 *   const b = backend as unknown as WasmBackend;
 *   const out = b.makeOutput(shape, 'float32');
 *   heapOffset(backend, out)                                   // its byte offset in the heap
 *   callWasmKernel('Transpose', { x }, backend, { perm: [1, 0] })
 */
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from './tf.ts';

export interface WasmBackend {
  makeOutput(shape: number[], dtype: TensorInfo['dtype']): TensorInfo;
  /** A view of a tensor's values (take it after the last makeOutput: a heap that grows detaches earlier views). */
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(id: object): boolean | void;
  incRef(id: object): void;
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
}

/** A tensor's byte offset in the backend's heap. */
export function heapOffset(backend: unknown, t: TensorInfo): number {
  const entry = (backend as WasmBackend).dataIdMap.get(t.dataId);
  if (!entry) throw new Error(`a tensor of shape [${t.shape.join(', ')}] has no data on the wasm backend (disposed?)`);
  return entry.memoryOffset;
}

function wasmKernel(name: string): KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`the wasm backend has no "${name}" kernel (is @tensorflow/tfjs-backend-wasm 4.22.0 loaded?)`);
  return k.kernelFunc;
}

/** The kernel registered on wasm under `name` (Janus's where it replaced tfjs's), called directly. */
export function callWasmKernel(name: string, inputs: Record<string, TensorInfo>, backend: unknown, attrs: NamedAttrMap | Record<string, unknown>): TensorInfo {
  return wasmKernel(name)({ inputs, backend: backend as never, attrs: attrs as NamedAttrMap }) as TensorInfo;
}
