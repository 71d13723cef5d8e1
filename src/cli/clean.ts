/**
 * `janus clean`: tidy a run folder. By default: leftover temp files, and the outputs and
 * records of stages that failed or never finished. With --all: every output except `persist`
 * ones (checkpoints), plus the state and logs, so the next run starts from scratch.
 *
 *   npx janus clean --workdir runs/samples
 *   npx janus clean --workdir runs/samples --all
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { acquireRunLock } from '../dag/lock.ts';
import { openRunState, removeOutputs, removeTempFiles, stateDir } from '../dag/run-folder.ts';
import type { CleanOpts } from './commands.ts';
import { resolveRun } from './run-folder.ts';

export async function run([file]: string[], opts: CleanOpts): Promise<number> {
  const { pipeline, workdir } = await resolveRun({ pipelineFile: file, workdir: opts.workdir });
  const lock = acquireRunLock(workdir, 'janus clean');
  const lines: string[] = [];
  try {
    const temps = removeTempFiles(workdir);
    if (temps) lines.push(`removed ${temps} temp file(s)`);
    const store = openRunState(workdir);
    try {
      for (const stage of pipeline.stages) {
        const rec = store.stage(stage.name);
        if (opts.all || (rec && rec.status !== 'done')) {
          removeOutputs(stage, workdir, true);
          if (rec) store.deleteStage(stage.name);
          if (opts.all || rec) lines.push(`${stage.name}: removed outputs${stage.persist.length ? ` (kept persist: ${stage.persist.join(', ')})` : ''}${rec ? ` (${rec.status})` : ''}`);
        }
      }
    } finally {
      store.close();
    }
    if (opts.all) {
      for (const p of ['state.db', 'state.db-wal', 'state.db-shm', 'logs', 'runs']) rmSync(join(stateDir(workdir), p), { recursive: true, force: true });
      rmSync(join(workdir, 'run-manifest.json'), { force: true });
      lines.push('removed the state, logs and run manifests');
    }
  } finally {
    lock.release();
  }
  process.stdout.write(`${lines.length ? lines.join('\n') : 'nothing to clean'}\n`);
  return 0;
}
