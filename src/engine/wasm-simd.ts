/**
 * Janus's WebAssembly SIMD kernels (src/engine/wasm-simd.wat, embedded as wasm-simd-binary.ts),
 * instantiated on the tfjs wasm backend's own memory: they read and write tensors where they
 * lie in its heap. One instance per memory (tfjs's threaded build has a shared memory, its
 * single-threaded build a plain one).
 *
 *   wasmSimd(backend).leaky_relu(heapOffset(backend, x), heapOffset(backend, out), n, 0.1);   // heapOffset: wasm-backend.ts
 */
import type { WasmBackend } from './wasm-backend.ts';
import { WASM_SIMD_PLAIN, WASM_SIMD_SHARED } from './wasm-simd-binary.ts';

export interface WasmSimd {
  adam(w: number, g: number, m: number, v: number, ow: number, om: number, ov: number, n: number, b1: number, c1: number, b2: number, c2: number, a1: number, a2: number, eps: number, nlr: number): void;
  leaky_relu_grad(dy: number, x: number, out: number, n: number, alpha: number): void;
  leaky_relu(x: number, out: number, n: number, alpha: number): void;
  add(a: number, b: number, out: number, n: number): void;
  add_rows(x: number, b: number, out: number, rows: number, ch: number): void;
  sum_rows(x: number, out: number, rows: number, ch: number): void;
  batch_norm(x: number, mean: number, variance: number, scale: number, offset: number, out: number, rows: number, ch: number, eps: number): void;
  col2im_t(cols: number, out: number, n: number, oh: number, ow: number, kh: number, kw: number, ci: number, h: number, w: number, sh: number, sw: number, pt: number, pl: number): void;
  col2im(cols: number, out: number, n: number, oh: number, ow: number, kh: number, kw: number, ci: number, h: number, w: number, sh: number, sw: number, pt: number, pl: number): void;
}

const instances = new WeakMap<WebAssembly.Memory, WasmSimd>();

/** The backend's memory: the threaded build exposes it as wasmMemory, the single-threaded one exports it. */
function memoryOf(backend: unknown): WebAssembly.Memory | null {
  const w = (backend as Partial<WasmBackend>).wasm;
  const m = w?.wasmMemory ?? w?.asm?.memory;
  return m instanceof WebAssembly.Memory ? m : null;
}

/** The kernels on the backend's memory (throws when it cannot be found: not the pinned tfjs-backend-wasm). */
export function wasmSimd(backend: unknown): WasmSimd {
  const memory = memoryOf(backend);
  if (!memory) throw new Error('the wasm backend\'s memory was not found, so Janus\'s SIMD kernels cannot run on it (is @tensorflow/tfjs-backend-wasm 4.22.0 loaded?)');
  let simd = instances.get(memory);
  if (!simd) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = Buffer.from(shared ? WASM_SIMD_SHARED : WASM_SIMD_PLAIN, 'base64');
    simd = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as WasmSimd;
    instances.set(memory, simd);
  }
  return simd;
}
