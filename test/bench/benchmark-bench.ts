/**
 * `make bench` (benchmark part): the time to split, build, write and read back a plan of 300
 * identities (goal < 5 s); wall time per identity pair of `janus benchmark` on this machine: two sample identities (2 s clips, 256 px), the tiny preset, a fixed number of
 * iterations, one model and two fakes (both directions), the compression ladder included.
 *
 *   npx tsx test/bench/benchmark-bench.ts          # BENCH_ITERATIONS=200 to change the budget
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPlanModels, readPlanRecord } from '../../src/benchmark/plan-files.ts';
import { makePlan, writePlan } from '../../src/benchmark/plan.ts';
import { BenchmarkConfig } from '../../src/config/benchmark.ts';
import { makeSampleClip } from '../../src/samples/make-sample.ts';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'janus-bench-pair-'));
try {
  // a plan at a detection dataset's scale: 300 identities x 3 videos, every ordered pair (no media needed)
  const ids = Array.from({ length: 300 }, (_, i) => `id${String(i).padStart(3, '0')}`);
  const videos = ids.flatMap((identity) => [1, 2, 3].map((k) => ({ id: `${identity}-0${k}`, video: `/videos/${identity}-${k}.mp4`, identity })));
  let t = performance.now();
  const plan = makePlan({ file: '/m.csv', videos, identities: ids, settings: {} }, BenchmarkConfig.parse({}));
  const built = (performance.now() - t) / 1000;
  t = performance.now();
  await writePlan(plan, join(dir, 'plan-scale'));
  readPlanRecord(join(dir, 'plan-scale'));
  readPlanModels(join(dir, 'plan-scale'));
  const written = (performance.now() - t) / 1000;
  console.log(`benchmark plan of 300 identities x 3 videos (${plan.pairs.length} pairs, ${plan.fakes.length} fakes): split and built in ${built.toFixed(2)} s, written and read back validated in ${written.toFixed(2)} s (goal < 5 s in all) ${built + written < 5 ? 'OK' : 'OVER'}`);
  console.log(JSON.stringify({ bench: 'benchmark-plan-300', pairs: plan.pairs.length, fakes: plan.fakes.length, buildSeconds: +built.toFixed(2), writeReadSeconds: +written.toFixed(2) }));

  for (const n of ['a', 'b'] as const) await makeSampleClip(n, join(dir, `${n}.mp4`), { seconds: 2, size: 256 });
  writeFileSync(join(dir, 'm.csv'), 'video,identity\na.mp4,anna\nb.mp4,beth\n');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['src/cli/bin.js', 'benchmark', join(dir, 'm.csv'), '--out', join(dir, 'out'), '--preset', 'tiny', '--iterations', String(iterations), '--splits', '1,0,0', '--no-identity-gate', '--min-swapped-share', '0'], { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`janus benchmark failed:\n${r.stdout}\n${r.stderr}`);
  const m = JSON.parse(readFileSync(join(dir, 'out', 'run-manifest.json'), 'utf8')) as { stages: Array<{ name: string; seconds?: number }> };
  const by = (prefix: string) => m.stages.filter((s) => s.name.startsWith(prefix)).reduce((t, s) => t + (s.seconds ?? 0), 0);
  const stages = { extract: by('extract-'), train: by('train-'), swap: by('swap-'), composite: by('composite-'), metrics: by('metrics-'), ladder: by('ladder-') };
  console.log(`benchmark pair wall (tiny, ${iterations} iterations, 2 x 2 s clips, both directions): ${wall.toFixed(1)} s per pair`);
  console.log(JSON.stringify({ bench: 'benchmark-pair', iterations, wallSeconds: +wall.toFixed(1), stageSeconds: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, +v.toFixed(1)])) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
