/**
 * Which backend the caller asked for, read without loading tfjs (`janus run` resolves it
 * before it knows whether any stage will need tf): the `--backend` flag, else JANUS_BACKEND,
 * else the schema's default. `backend.ts` selects it.
 *
 *   resolveBackendChoice('wasm')               // { choice: 'wasm', source: '--backend' }
 *   resolveBackendChoice(undefined, {})        // { choice: 'auto', source: 'default' }
 */
import { EngineConfig, type BackendChoice } from '../config/engine.ts';
import { parseConfig } from '../config/parse.ts';

/** A backend request: the choice, and where it came from (`--backend`, `JANUS_BACKEND`, `default`). */
export interface BackendRequest {
  choice: BackendChoice;
  source: string;
}

/** Read the requested backend from a flag value, else JANUS_BACKEND, else the default. */
export function resolveBackendChoice(flag?: string, env: NodeJS.ProcessEnv = process.env): BackendRequest {
  if (flag !== undefined) return { choice: parseConfig(EngineConfig, { backend: flag }, '--backend').backend, source: '--backend' };
  const fromEnv = env.JANUS_BACKEND;
  if (fromEnv !== undefined && fromEnv !== '') {
    return { choice: parseConfig(EngineConfig, { backend: fromEnv }, 'JANUS_BACKEND').backend, source: 'JANUS_BACKEND' };
  }
  return { choice: EngineConfig.parse({}).backend, source: 'default' };
}
