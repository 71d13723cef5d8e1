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

/** The backend this process computes on and its threads: what a stage that used tf records it did (`did().engine`). */
export function engineUsed(): { backend: string; threads?: number } | null {
  const b = currentBackend();
  return b ? { backend: b.backend, ...(b.threads ? { threads: b.threads.count } : {}) } : null;
}
