/**
 * `janus status`: each stage of a run folder, up to date or why it would run (missing output,
 * input changed, params changed, code changed, incomplete with item progress…).
 *
 *   npx janus status --workdir runs/samples
 *   npx janus status pipelines/samples.yaml
 */
import { describeOutcome } from '../dag/reporter.ts';
import { runPipeline } from '../dag/runner.ts';
import { stageRegistry } from '../stages/registry.ts';
import type { StatusOpts } from './commands.ts';
import { resolveRun } from './run-folder.ts';
import { summary } from './run.ts';

export async function run([file]: string[], opts: StatusOpts): Promise<number> {
  const { pipeline, workdir } = await resolveRun({ pipelineFile: file, workdir: opts.workdir });
  const r = await runPipeline(pipeline, { workdir, registry: stageRegistry, dryRun: true });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ pipeline: pipeline.file, workdir, stages: r.outcomes }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${pipeline.name} (${workdir}, from ${pipeline.file})\n`);
  for (const o of r.outcomes) process.stdout.write(`  ${describeOutcome(o)}\n`);
  process.stdout.write(`${summary(r)}\n`);
  return 0;
}
