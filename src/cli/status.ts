/**
 * `janus status`: each stage of a run folder, up to date or why it would run (missing output,
 * input changed, params changed, code changed, incomplete with item progress…). A run made
 * with `--queue` (its state names the queue, without a password) or given `--queue URL` /
 * JANUS_QUEUE: the queue's depth per resource class and the workers beating now (id, host,
 * class, the jobs they run, their items and age, the last beat). A queue that does not answer
 * is said in a line; the stages are shown all the same.
 *
 *   npx janus status --workdir runs/samples
 *   npx janus status pipelines/samples.yaml
 *   npx janus status --workdir /data/runs/x --queue redis://:secret@10.0.0.5:6379/0
 */
import { queueUrlFrom } from '../queue/queue-url.ts';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeOutcome } from '../dag/reporter.ts';
import { openRunState, stateDir } from '../dag/run-folder.ts';
import type { QueueStatus } from '../queue/queue-status.ts';
import { asUserError, errorMessage } from '../util/errors.ts';
import { runPipeline } from '../dag/runner.ts';
import { stageRegistry } from '../stages/registry.ts';
import type { StatusOpts } from './commands.ts';
import { resolveRun } from './run-folder.ts';
import { summary } from './run.ts';

export async function run([file]: string[], opts: StatusOpts): Promise<number> {
  const { pipeline, workdir } = await resolveRun({ pipelineFile: file, workdir: opts.workdir });
  const r = await runPipeline(pipeline, { workdir, registry: stageRegistry, dryRun: true });
  const url = queueUrlFrom(opts.queue ?? (process.env.JANUS_QUEUE || undefined) ?? recordedQueue(workdir));
  const queue = url ? await farm(url) : null; // bullmq is loaded only then
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ pipeline: pipeline.file, workdir, stages: r.outcomes, ...(queue ? { queue } : {}) }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${pipeline.name} (${workdir}, from ${pipeline.file})\n`);
  for (const o of r.outcomes) process.stdout.write(`  ${describeOutcome(o)}\n`);
  process.stdout.write(`${summary(r)}\n`);
  if (queue && 'error' in queue) process.stdout.write(`${queue.error}\n`);
  else if (queue) for (const line of (await import('../queue/queue-status.ts')).describeQueueStatus(queue, Date.now(), resolve(workdir))) process.stdout.write(`${line}\n`);
  return 0;
}

/** The queue the run's last `janus run --queue` used (recorded without its password), if any. */
function recordedQueue(workdir: string): string | undefined {
  if (!existsSync(join(stateDir(workdir), 'state.db'))) return undefined;
  const store = openRunState(workdir);
  try {
    return store.meta('queue') || undefined;
  } finally {
    store.close();
  }
}

/** The queue's state, or why it could not be read (status still shows the stages). */
async function farm(url: string): Promise<QueueStatus | { error: string }> {
  try {
    return await (await import('../queue/queue-status.ts')).queueStatus(url);
  } catch (err) {
    const user = asUserError(err);
    return { error: `queue: ${user ? `${user.message} (fix: ${user.hint ?? 'check --queue'}; a password is not recorded: give it with --queue or JANUS_QUEUE)` : errorMessage(err)}` };
  }
}
