/**
 * `make bench` (DAG part): the time of a no-op re-run of a 10-stage pipeline with 1,000
 * items per stage (goal: under 1 s), and the runner's overhead per item.
 * Not a test: it prints numbers, and judges only against the stated goal.
 *
 *   npx tsx test/bench/dag-bench.ts [--items 1000] [--stages 10]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { loadPipeline } from '../../src/dag/load-pipeline.ts';
import { runPipeline } from '../../src/dag/runner.ts';
import { StageRegistry } from '../../src/dag/stage-kind.ts';
import { writeFileAtomic } from '../../src/util/atomic-write.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ITEMS = arg('items', 1000);
const STAGES = arg('stages', 10);

const registry = new StageRegistry()
  .register({
    kind: 'bench-items',
    version: '1',
    params: z.object({ count: z.number().int() }).strict(),
    outputs: ['dir'],
    items: (ctx) => Array.from({ length: ctx.params.count }, (_, i) => String(i)),
    async runItem(ctx, item) {
      await writeFileAtomic(join(ctx.outputs.dir!, `${item}.txt`), `${ctx.name} ${item}\n`);
    },
  })
  .register({
    kind: 'bench-noop-items',
    version: '1',
    params: z.object({ count: z.number().int() }).strict(),
    outputs: ['dir'],
    items: (ctx) => Array.from({ length: ctx.params.count }, (_, i) => String(i)),
    async runItem() {},
    async run(ctx) {
      mkdirSync(ctx.outputs.dir!, { recursive: true });
    },
  });

const dir = mkdtempSync(join(tmpdir(), 'janus-bench-dag-'));
try {
  const stages = Array.from({ length: STAGES }, (_, i) =>
    [`  - name: s${i}`, '    kind: bench-items', `    params: { count: ${ITEMS} }`, i ? `    inputs: { prev: "@s${i - 1}.dir" }` : '', `    outputs: { dir: "s${i}" }`].filter(Boolean).join('\n'),
  );
  const file = join(dir, 'bench.yaml');
  writeFileSync(file, `name: bench\nstages:\n${stages.join('\n')}\n`);
  const workdir = join(dir, 'run');
  const pipeline = await loadPipeline(file, registry);

  let t = performance.now();
  const first = await runPipeline(pipeline, { workdir, registry });
  const firstS = (performance.now() - t) / 1000;
  if (!first.ok) throw new Error('first run failed');

  const noop: number[] = [];
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    const r = await runPipeline(pipeline, { workdir, registry });
    noop.push((performance.now() - t) / 1000);
    if (r.outcomes.some((o) => o.state !== 'up-to-date')) throw new Error('re-run was not a no-op');
  }
  noop.sort((a, b) => a - b);
  const median = noop[2]!;

  // whole CLI process: not possible without registering bench kinds in the CLI, so time node + tsx start-up alone
  t = performance.now();
  execFileSync(process.execPath, ['--import', 'tsx', '-e', '0'], { stdio: 'ignore' });
  const startup = (performance.now() - t) / 1000;

  // overhead per item: items that do nothing, so all the time is the runner's (record + progress)
  const ofile = join(dir, 'overhead.yaml');
  writeFileSync(ofile, `name: overhead\nstages:\n  - name: noop\n    kind: bench-noop-items\n    params: { count: ${ITEMS * 5} }\n    outputs: { dir: noop }\n`);
  const op = await loadPipeline(ofile, registry);
  t = performance.now();
  await runPipeline(op, { workdir: join(dir, 'run2'), registry });
  const perItemUs = ((performance.now() - t) / (ITEMS * 5)) * 1000;

  const total = ITEMS * STAGES;
  console.log(JSON.stringify({ bench: 'dag', stages: STAGES, itemsPerStage: ITEMS, firstRunS: +firstS.toFixed(2), firstRunPerItemMs: +((firstS * 1000) / total).toFixed(3), noopRerunS: { median: +median.toFixed(3), min: +noop[0]!.toFixed(3), max: +noop[4]!.toFixed(3) }, goalNoopRerunS: 1, meetsGoal: median < 1, runnerOverheadPerItemUs: +perItemUs.toFixed(1), nodeTsxStartupS: +startup.toFixed(2) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
