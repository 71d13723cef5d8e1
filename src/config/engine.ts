/**
 * Compute-engine settings: which TensorFlow.js backend runs the models.
 *
 *   EngineConfig.parse({})                        // { backend: 'auto' }
 *   parseConfig(EngineConfig, { backend: 'gpu2' }, '--backend')
 *   // UserError: expected backend to be one of auto|tensorflow|wasm|cpu, got "gpu2"
 */
import { z } from 'zod';

/**
 * `auto` tries tfjs-node-gpu, tfjs-node, wasm, cpu in that order; `tensorflow` means the native
 * TensorFlow bindings (tfjs-node-gpu, else tfjs-node); `wasm` and `cpu` are those backends alone.
 */
export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

export const EngineConfig = z
  .object({
    /** Compute backend (also `JANUS_BACKEND`). */
    backend: z.enum(BACKENDS).default('auto'),
  })
  .strict();
export type EngineConfig = z.infer<typeof EngineConfig>;
