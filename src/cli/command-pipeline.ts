/**
 * A command that is a small pipeline (`janus extract`, `janus convert`): its stages are written
 * to `<workdir>/.janus/<name>.yaml` and run as a resumable DAG in the work folder, with
 * progress on the terminal and Ctrl-C stopping cleanly (run the command again to resume).
 *
 *   const r = await runCommandPipeline({ workdir: out, name: 'extract', command: 'janus extract a.mp4', stages, backend: resolveBackendChoice(opts.backend) });
 *   // prints "extract (out): 1 ran, 0 up to date"; exitCodeOf(r) is the command's exit code
 */
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadPipeline } from '../dag/load-pipeline.ts';
import { isRunFolder } from '../dag/run-folder.ts';
import { acquireRunLock, staleLockNote, type RunLock } from '../dag/lock.ts';
import { runPipeline, type RunResult } from '../dag/runner.ts';
import { refuseForeignFolder } from '../util/foreign-folder.ts';
import type { BackendRequest } from '../engine/backend-request.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { stageRegistry } from '../stages/registry.ts';
import { graceful, ungraceful } from '../util/signals.ts';
import { cliReporter } from './progress-reporter.ts';
import { summary } from './run.ts';

export interface CommandPipeline {
  workdir: string;
  name: string;
  /** The command line, for the description, the lock and the manifest. */
  command: string;
  stages: unknown[];
  /** The backend request the command resolved; the stages select it when they need tf. */
  backend: BackendRequest;
  /** After a failure, still run every stage not downstream of it. */
  keepGoing?: boolean;
  /** --force: use a work folder that holds files Janus did not make. */
  force: boolean;
  /** The work folder's lock, when the command took it already (it writes there before and after the run, and checked the folder first). */
  heldLock?: RunLock;
  /** The queue executor's Redis (redis://HOST:PORT/DB): workers run the stages, this process coordinates; absent: this process runs them. */
  queue?: string;
}

/** Refuse a work folder that holds files Janus did not make (unless --force); touches nothing. */
export function checkWorkFolder(workdir: string, force: boolean): void {
  refuseForeignFolder(workdir, { what: 'output folder', isOurs: isRunFolder, escape: '--force', force });
}

export async function runCommandPipeline(p: CommandPipeline): Promise<RunResult> {
  if (!p.heldLock) checkWorkFolder(p.workdir, p.force); // before the lock makes it look like Janus's
  // the lock first: nothing is written to a folder another process is using
  const lock = p.heldLock ?? acquireRunLock(p.workdir, p.command);
  const reporter = cliReporter();
  const note = p.heldLock ? null : staleLockNote(lock);
  if (note) reporter.message(note);
  const signal = graceful();
  try {
    const file = join(p.workdir, '.janus', `${p.name}.yaml`);
    await writeFileAtomic(file, stringify({ name: p.name, description: p.command, stages: p.stages }));
    const pipeline = await loadPipeline(file, stageRegistry);
    const remote = p.queue ? await (await import('../queue/queue-executor.ts')).QueueExecutor.open(p.queue, { workdir: p.workdir, pipeline, cwd: process.cwd(), meta: {} }) : undefined;
    let r: RunResult;
    try {
      r = await runPipeline(pipeline, { workdir: p.workdir, registry: stageRegistry, signal, reporter, backend: p.backend, command: p.command, keepGoing: p.keepGoing, heldLock: lock, ...(remote ? { remote } : {}) });
    } finally {
      await remote?.close();
    }
    process.stdout.write(`${p.name} (${p.workdir}): ${summary(r)}\n`);
    if (r.interrupted) process.stdout.write('interrupted: run the same command again to resume\n');
    return r;
  } finally {
    ungraceful();
    if (!p.heldLock) lock.release();
  }
}
