/**
 * The tfjs backend for a stage that needs one: the choice of `--backend` / JANUS_BACKEND,
 * selected once per process.
 *
 *   await ensureEngine();
 */
import { currentBackend, resolveBackendChoice, selectBackend } from '../engine/backend.ts';

export async function ensureEngine(): Promise<void> {
  if (!currentBackend()) {
    const { choice, source } = resolveBackendChoice();
    await selectBackend(choice, { source });
  }
}
