/**
 * `janus run PIPELINE`: run a pipeline as a resumable DAG in its run folder.
 *
 *   npx janus run pipelines/samples.yaml
 *   npx janus run pipelines/samples.yaml --set size=256 --workdir runs/small --dry-run
 *   npx janus run pipelines/swap.yaml --workdir runs/demo --until train
 *
 * Exit code 0 when every stage is done or up to date, 1 when a stage failed, 130 when
 * interrupted (run it again to resume), 2 for a mistake in the pipeline or the options.
 */
import { queueUrlFrom } from '../queue/queue-url.ts';
import { resolveBackendChoice } from '../engine/backend-request.ts';
import { readRunManifestFile } from '../dag/manifest.ts';
import { applyPins, pinsOf } from '../dag/pins.ts';
import { runPipeline, type RunResult } from '../dag/runner.ts';
import { OUTCOME_STATES, countStates } from '../dag/outcome-state.ts';
import { describeOutcome } from '../dag/reporter.ts';
import { stageRegistry } from '../stages/registry.ts';
import { graceful, ungraceful } from '../util/signals.ts';
import type { RunOpts } from './commands.ts';
import { cliReporter } from './progress-reporter.ts';
import { resolveRun } from './run-folder.ts';

/** 130 interrupted, 0 done, 2 when every failure was the user's or the machine's (a fix is named), 1 for a bug. */
export function exitCodeOf(r: RunResult): number {
  if (r.interrupted) return 130;
  if (r.ok) return 0;
  const failed = r.outcomes.filter((o) => o.state === 'failed');
  return failed.length && failed.every((o) => o.userError) ? 2 : 1;
}

export function summary(r: RunResult): string {
  const count = countStates(r.outcomes);
  // ran and up to date always, the others when there are any
  return OUTCOME_STATES.filter((s) => s === 'ran' || s === 'up-to-date' || count[s])
    .map((s) => `${count[s]} ${s.replaceAll('-', ' ')}`)
    .join(', ');
}

export async function run([file]: string[], opts: RunOpts): Promise<number> {
  const { pipeline, workdir } = await resolveRun({ pipelineFile: file, workdir: opts.workdir, sets: opts.set });
  if (opts.pin) for (const line of applyPins(pipeline, pinsOf(readRunManifestFile(opts.pin)), stageRegistry, opts.pin)) process.stdout.write(`pinned ${line}\n`);
  const backend = resolveBackendChoice(opts.backend); // stages select it when they need tf
  const dryRun = opts.dryRun;
  const queueUrl = queueUrlFrom(opts.queue);
  // the queue executor: this process coordinates (the state is its alone), workers run the stages
  const remote = queueUrl && !dryRun ? await (await import('../queue/queue-executor.ts')).QueueExecutor.open(queueUrl, { workdir, pipeline, cwd: process.cwd(), meta: opts.backend ? { backend: backend.choice } : {}, ...(opts.backend ? { backend: backend.choice } : {}) }) : undefined;
  const signal = graceful();
  try {
    const result = await runPipeline(pipeline, {
      workdir,
      registry: stageRegistry,
      dryRun,
      force: opts.force,
      until: opts.until,
      keepGoing: opts.keepGoing,
      signal,
      reporter: dryRun ? undefined : cliReporter(),
      backend,
      foreignFolder: { escape: '--force-folder', force: opts.forceFolder },
      ...(remote ? { remote } : {}),
      command: process.argv.slice(2).join(' ') ? `janus ${process.argv.slice(2).join(' ')}` : `janus run ${file}`,
    });
    if (dryRun) for (const o of result.outcomes) process.stdout.write(`${describeOutcome(o)}\n`);
    process.stdout.write(`${pipeline.name} (${workdir}): ${summary(result)}${result.manifest ? `; manifest ${result.manifest}` : ''}\n`);
    if (result.interrupted) process.stdout.write('interrupted: run the same command again to resume\n');
    return exitCodeOf(result);
  } finally {
    ungraceful();
    await remote?.close();
  }
}
