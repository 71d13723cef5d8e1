/**
 * Janus's WebAssembly SIMD kernels (src/engine/wasm-simd.wat, embedded as wasm-simd-binary.ts),
 * instantiated on the tfjs wasm backend's own memory: they read and write tensors where they
 * lie in its heap. One instance per memory (tfjs's threaded build has a shared memory, its
 * single-threaded build a plain one).
 *
 *   const simd = wasmSimd(backend);   // null when the backend's memory cannot be found
 *   simd?.leaky_relu(xOffset, outOffset, n, 0.1);
 *   heapOffset(backend, tensorInfo)   // a tensor's byte offset in that memory
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { WASM_SIMD_PLAIN, WASM_SIMD_SHARED } from './wasm-simd-binary.ts';

export interface WasmSimd {
  adam(w: number, g: number, m: number, v: number, ow: number, om: number, ov: number, n: number, b1: number, c1: number, b2: number, c2: number, a1: number, a2: number, eps: number, nlr: number): void;
  leaky_relu_grad(dy: number, x: number, out: number, n: number, alpha: number): void;
  leaky_relu(x: number, out: number, n: number, alpha: number): void;
  add(a: number, b: number, out: number, n: number): void;
  sum_rows(x: number, out: number, rows: number, ch: number): void;
  col2im_t(cols: number, out: number, n: number, oh: number, ow: number, kh: number, kw: number, ci: number, h: number, w: number, sh: number, sw: number, pt: number, pl: number): void;
  col2im(cols: number, out: number, n: number, oh: number, ow: number, kh: number, kw: number, ci: number, h: number, w: number, sh: number, sw: number, pt: number, pl: number): void;
}

interface WasmBackendLike {
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
}

const instances = new WeakMap<WebAssembly.Memory, WasmSimd>();

/** The backend's memory: the threaded build exposes it as wasmMemory, the single-threaded one exports it. */
function memoryOf(backend: unknown): WebAssembly.Memory | null {
  const w = (backend as Partial<WasmBackendLike>).wasm;
  const m = w?.wasmMemory ?? w?.asm?.memory;
  return m instanceof WebAssembly.Memory ? m : null;
}

export function wasmSimd(backend: unknown): WasmSimd | null {
  const memory = memoryOf(backend);
  if (!memory) return null;
  let simd = instances.get(memory);
  if (!simd) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = Buffer.from(shared ? WASM_SIMD_SHARED : WASM_SIMD_PLAIN, 'base64');
    simd = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as WasmSimd;
    instances.set(memory, simd);
  }
  return simd;
}

/** A tensor's byte offset in the backend's heap. */
export function heapOffset(backend: unknown, t: TensorInfo): number {
  const entry = (backend as WasmBackendLike).dataIdMap.get(t.dataId);
  if (!entry) throw new Error(`a tensor of shape [${t.shape.join(', ')}] has no data on the wasm backend (disposed?)`);
  return entry.memoryOffset;
}
