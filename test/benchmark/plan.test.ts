/**
 * Planning a benchmark: the manifest (YAML and CSV, errors that name the file and the row),
 * identity-disjoint deterministic splits, pairs within a split, per-pair seeds.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BenchmarkConfig, SPLITS } from '../../src/config/benchmark.ts';
import { readBenchmarkManifest } from '../../src/benchmark/manifest.ts';
import { choosePairs, deriveSeed } from '../../src/benchmark/pairs.ts';
import { benchmarkStages, makePlan, writePlan } from '../../src/benchmark/plan.ts';
import { loadPipeline } from '../../src/dag/load-pipeline.ts';
import { stageRegistry } from '../../src/stages/registry.ts';
import { stringify } from 'yaml';
import { assignSplits } from '../../src/benchmark/splits.ts';
import { UserError } from '../../src/util/errors.ts';
import { SAMPLE_A, SAMPLE_B, tempDir } from '../helpers/fixtures.ts';

const test = suite('benchmark/plan');
const tmp = tempDir('bench-plan');
test.after(() => tmp.cleanup());

function write(name: string, text: string): string {
  const f = join(tmp.dir, name);
  writeFileSync(f, text);
  return f;
}

function throws(f: () => unknown, pattern: RegExp): void {
  try {
    f();
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected an error matching ${pattern}`);
}

test('manifests: YAML with settings, CSV, several videos per identity; bad ones name file and row', () => {
  const y = readBenchmarkManifest(write('m.yaml', `videos:\n  - { video: ${SAMPLE_A}, identity: alice }\n  - { video: ${SAMPLE_B}, identity: bob }\nsettings: { seed: 7 }\n`));
  assert.equal(y.identities, ['alice', 'bob']);
  assert.equal(y.videos.map((v) => v.id), ['alice-01', 'bob-01']);
  assert.equal(y.settings, { seed: 7 });
  const copy = write('a2.mp4', '');
  const c = readBenchmarkManifest(write('m.csv', `video,identity\n${SAMPLE_A},alice\n${copy},alice\n${SAMPLE_B},bob\n`));
  assert.equal(c.videos.map((v) => v.id), ['alice-01', 'alice-02', 'bob-01']);
  throws(() => readBenchmarkManifest(join(tmp.dir, 'none.yaml')), /benchmark manifest not found/);
  throws(() => readBenchmarkManifest(write('one.yaml', `videos:\n  - { video: ${SAMPLE_A}, identity: alice }\n`)), /at least 2 identities, got 1/);
  throws(() => readBenchmarkManifest(write('miss.csv', `video,identity\nnope.mp4,alice\n${SAMPLE_B},bob\n`)), /miss\.csv: video 1 \(alice\): file not found/);
  throws(() => readBenchmarkManifest(write('hdr.csv', `file,who\n${SAMPLE_A},alice\n`)), /expected a CSV header with "video" and "identity"/);
  throws(() => readBenchmarkManifest(write('bad.yaml', `videos:\n  - { video: ${SAMPLE_A}, identity: "al ice" }\n`)), /bad\.yaml.*identity/);
  throws(() => readBenchmarkManifest(write('dup.yaml', `videos:\n  - { video: ${SAMPLE_A}, identity: a }\n  - { video: ${SAMPLE_A}, identity: b }\n`)), /listed twice/);
});

test('splits are identity-disjoint, complete, deterministic from the seed, and follow the fractions', () => {
  const ids = Array.from({ length: 20 }, (_, i) => `id${i}`);
  const fr = BenchmarkConfig.parse({}).splits;
  const s = assignSplits(ids, fr, 3);
  const all = SPLITS.flatMap((k) => s[k]);
  assert.is(all.length, 20);
  assert.is(new Set(all).size, 20, 'no identity in two splits');
  assert.equal([s.train.length, s.val.length, s.test.length], [14, 3, 3]);
  assert.equal(assignSplits([...ids].reverse(), fr, 3), s, 'the same for the same seed, whatever the input order');
  assert.not.equal(assignSplits(ids, fr, 4), s, 'another seed, another assignment');
  const small = assignSplits(['a', 'b', 'c', 'd'], fr, 1);
  assert.ok(SPLITS.every((k) => small[k].length >= 1), `every split gets an identity: ${JSON.stringify(small)}`);
  const none = assignSplits(['a', 'b', 'c'], { train: 1, val: 0, test: 0 }, 1);
  assert.equal([none.train.length, none.val.length, none.test.length], [3, 0, 0]);
  assert.throws(() => BenchmarkConfig.parse({ splits: { train: 0.5, val: 0.2, test: 0.2 } }));
});

test('pairs stay within a split; all, sampled, one direction; seeds are per pair and stable', () => {
  const splits = { train: ['a', 'b', 'c'], val: ['d', 'e'], test: ['f'] };
  const all = choosePairs(splits, 'all', 'both', 1);
  assert.is(all.length, 6 + 2);
  for (const p of all) assert.ok(splits[p.split].includes(p.source) && splits[p.split].includes(p.target) && p.source !== p.target);
  assert.is(choosePairs(splits, 'all', 'one', 1).length, 3 + 1);
  const two = choosePairs(splits, 2, 'both', 1);
  assert.equal(two.filter((p) => p.split === 'train').length, 2);
  assert.equal(choosePairs(splits, 2, 'both', 1), two, 'deterministic');
  const ab = all.find((p) => p.key === 'a__b')!;
  assert.is(ab.seed, deriveSeed(1, 'a__b'));
  assert.is(choosePairs({ train: ['a', 'b', 'x', 'y'], val: [], test: [] }, 'all', 'both', 1).find((p) => p.key === 'a__b')!.seed, ab.seed, 'adding identities does not change a pair\'s seed');
  assert.is.not(deriveSeed(2, 'a__b'), ab.seed);
});

test('the generated pipeline: template stages over the plan; --weights replaces training by the given models', async () => {
  const m = readBenchmarkManifest(write('two.csv', `video,identity\n${SAMPLE_A},anna\n${SAMPLE_B},beth\n`));
  for (const weights of [undefined, join(tmp.dir, 'models')]) {
    const plan = makePlan(m, BenchmarkConfig.parse({ splits: { train: 1, val: 0, test: 0 }, ...(weights ? { weights } : {}) }));
    assert.equal(plan.models.map((x) => x.key), ['anna__beth']);
    assert.equal(plan.fakes.map((f) => [f.id, f.direction]), [['anna-01__beth', 'a-to-b'], ['beth-01__anna', 'b-to-a']]);
    const out = join(tmp.dir, weights ? 'with-weights' : 'plain');
    await writePlan(plan, out);
    const file = join(out, 'p.yaml');
    writeFileSync(file, stringify({ name: 'benchmark', stages: benchmarkStages(plan, out) }));
    const p = await loadPipeline(file, stageRegistry);
    const names = p.stages.map((st) => st.name);
    for (const n of ['extract-anna-01', 'extract-beth-01', 'faces-anna', 'faces-beth', 'swap-anna-01__beth', 'composite-beth-01__anna', 'metrics-anna-01__beth', 'ladder-fake-beth-01__anna', 'ladder-real-anna-01']) assert.ok(names.includes(n), n);
    const swap = p.stages.find((st) => st.name === 'swap-anna-01__beth')!;
    if (weights) {
      assert.not.ok(names.some((n) => n.startsWith('train-')), 'no training with --weights');
      assert.equal(swap.inputs.model, { file: join(weights, 'anna__beth') });
    } else {
      assert.ok(names.includes('train-anna__beth'));
      assert.equal(swap.inputs.model, { stage: 'train-anna__beth', output: 'model' });
      assert.is(p.stages.find((st) => st.name === 'train-anna__beth')!.params.seed, plan.models[0]!.seed);
    }
  }
});

test.run();
