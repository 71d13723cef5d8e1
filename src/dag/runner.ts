/**
 * The resumable DAG runner: runs a loaded pipeline in a run folder, skipping stages whose
 * fingerprint matches and resuming per-item stages where they stopped. It holds the run
 * folder's lock and state for the run and writes the run manifest; the scheduler
 * (`scheduler.ts`) decides what runs, the stage executor (`stage-executor.ts`) runs one stage,
 * and `run-folder.ts` knows the folder's layout (import its helpers from there).
 *
 *   const result = await runPipeline(pipeline, { workdir: 'runs/demo', registry, backend: { choice: 'wasm', source: '--backend' } });
 *   result.ok            // false when a stage failed
 *   result.interrupted   // true after SIGINT/SIGTERM (the CLI exits 130)
 */
import { resolve } from 'node:path';
import { acquireRunLock, lockPath, staleLockNote, type RunLock } from './lock.ts';
import { writeRunManifest } from './manifest.ts';
import type { Pipeline } from './pipeline-schema.ts';
import { silentReporter, type Reporter } from './reporter.ts';
import { isRunFolder, openRunState } from './run-folder.ts';
import { refuseForeignFolder } from '../util/foreign-folder.ts';
import { schedule, type ScheduleOptions, type ScheduleResult } from './scheduler.ts';

export interface RunOptions extends ScheduleOptions {
  reporter?: Reporter;
  /** The command line, for the lock and the manifest. */
  command?: string;
  /** Refuse a work folder that holds files and is not a run folder, naming this escape (the CLI's). */
  foreignFolder?: { escape: string; force: boolean };
  /**
   * The run folder's lock, when the caller took it already (a command that writes to the folder
   * before and after the run, as `janus benchmark`): the runner neither takes nor releases it.
   */
  heldLock?: RunLock;
}

export interface RunResult extends ScheduleResult {
  manifest: string | null;
}

export async function runPipeline(pipeline: Pipeline, options: RunOptions): Promise<RunResult> {
  const workdir = resolve(options.workdir);
  const reporter = options.reporter ?? silentReporter;
  if (options.foreignFolder) refuseForeignFolder(workdir, { what: 'run folder', isOurs: isRunFolder, ...options.foreignFolder });
  if (options.heldLock && resolve(options.heldLock.path) !== lockPath(workdir)) throw new Error(`the lock held (${options.heldLock.path}) is not the run folder's (${lockPath(workdir)})`);
  const lock = options.dryRun || options.heldLock ? null : acquireRunLock(workdir, options.command ?? `run ${pipeline.file}`);
  const note = lock && staleLockNote(lock);
  if (note) reporter.message(note);
  const store = openRunState(workdir);
  const started = new Date();
  try {
    if (!options.dryRun) {
      store.setMeta('pipeline', resolve(pipeline.file));
      store.setMeta('sets', JSON.stringify(pipeline.sets));
      store.setMeta('cwd', process.cwd()); // where the sets' relative input paths resolve (status, verify, reproduce read it back)
      store.setMeta('queue', options.remote?.where ?? ''); // the queue its stages went to (janus status shows its workers)
    }
    // the backend is recorded with the caller's metadata (stages see it in ctx.meta too)
    const meta = { ...options.meta, ...(options.backend ? { backend: options.backend.choice } : {}) };
    const result = await schedule(pipeline, workdir, store, reporter, { ...options, meta });
    const manifest = options.dryRun ? null : await writeRunManifest({ workdir, pipeline, outcomes: result.outcomes, meta, started, command: options.command });
    return { ...result, manifest };
  } finally {
    store.close();
    lock?.release();
    reporter.close?.();
  }
}
