/**
 * `make bench` (benchmark part): wall time per identity pair of `janus benchmark` on this
 * machine: two sample identities (2 s clips, 256 px), the tiny preset, a fixed number of
 * iterations, one model and two fakes (both directions), the compression ladder included.
 *
 *   npx tsx test/bench/benchmark-bench.ts          # BENCH_ITERATIONS=200 to change the budget
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSampleClip } from '../../src/samples/make-sample.ts';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'janus-bench-pair-'));
try {
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
