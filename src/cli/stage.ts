/**
 * `janus stage NAME`: run one stage of a run folder alone, refusing when the stages it reads
 * from are not up to date.
 *
 *   npx janus stage probe-a --workdir runs/samples
 *   npx janus stage probe-a --workdir runs/samples --force probe-a
 */
import { runPipeline } from '../dag/runner.ts';
import { stageRegistry } from '../stages/registry.ts';
import { graceful, ungraceful } from '../util/signals.ts';
import type { StageOpts } from './commands.ts';
import { cliReporter } from './progress-reporter.ts';
import { resolveRun } from './run-folder.ts';
import { exitCodeOf, summary } from './run.ts';

export async function run([name]: string[], opts: StageOpts): Promise<number> {
  const { pipeline, workdir } = await resolveRun({ workdir: opts.workdir });
  const signal = graceful();
  try {
    const r = await runPipeline(pipeline, {
      workdir,
      registry: stageRegistry,
      only: name,
      force: opts.force,
      signal,
      reporter: cliReporter(),
      command: `janus stage ${name}`,
    });
    process.stdout.write(`${name}: ${summary(r)}\n`);
    return exitCodeOf(r);
  } finally {
    ungraceful();
  }
}
