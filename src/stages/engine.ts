/**
 * The tfjs backend for a stage that needs one: the request the run's caller resolved
 * (`ctx.backend`: `--backend`, else JANUS_BACKEND, else auto), selected once per process. A
 * caller that named none (a test calling the runner) gets the engine's own reading of it.
 *
 *   await ensureEngine(ctx.backend);
 */
import { currentBackend, resolveBackendChoice, selectBackend, type BackendRequest } from '../engine/backend.ts';

export async function ensureEngine(request?: BackendRequest): Promise<void> {
  if (!currentBackend()) {
    const { choice, source } = request ?? resolveBackendChoice();
    await selectBackend(choice, { source });
  }
}
