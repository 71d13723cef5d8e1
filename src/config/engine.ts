/**
 * Compute-engine settings: which TensorFlow.js backend runs the models.
 *
 *   EngineConfig.parse({})                        // { backend: 'auto', wasmThreads: 'auto' }
 *   parseConfig(EngineConfig, { backend: 'gpu2' }, '--backend')
 *   // UserError: expected backend to be one of auto|tensorflow|webgpu|wasm|cpu, got "gpu2"
 */
import { z } from 'zod';

/**
 * `auto` tries tfjs-node-gpu, tfjs-node, webgpu (a hardware adapter only), wasm, cpu in that
 * order; `tensorflow` means the native TensorFlow bindings (tfjs-node-gpu, else tfjs-node);
 * `webgpu` is tfjs's WebGPU backend on Dawn (any adapter, emulated ones included); `wasm` and
 * `cpu` are those backends alone.
 */
export const BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

export const EngineConfig = z
  .object({
    /** Compute backend (also `JANUS_BACKEND`). */
    backend: z.enum(BACKENDS).default('auto'),
    /**
     * Threads of the wasm backend (also `JANUS_WASM_THREADS`): `auto` = the machine's cores (at
     * most 8), 1 = tfjs's single-threaded build.
     */
    wasmThreads: z
      .union([z.literal('auto'), z.coerce.number().int().min(1).max(8)], { error: 'expected auto or a whole number from 1 to 8' })
      .default('auto'),
  })
  .strict();
export type EngineConfig = z.infer<typeof EngineConfig>;
