/**
 * The benchmark's seeded draws: which fakes are partial and their spans, which real videos are
 * perturbed and how (the same seed, the same draws; the shares exact), FaceForensics++ names and
 * pair lists, partial spans as frame ranges, and the plan's perturb and partial stages.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import { chooseShare, partialSpans, perturbationDraw } from '../../src/benchmark/draws.ts';
import { ffppNames } from '../../src/benchmark/ffpp-names.ts';
import { readBenchmarkManifest } from '../../src/benchmark/manifest.ts';
import { deriveSeed } from '../../src/benchmark/pairs.ts';
import { benchmarkStages, checkPlan, makePlan, writePlan } from '../../src/benchmark/plan.ts';
import { BenchmarkConfig } from '../../src/config/benchmark.ts';
import { PERTURBATION_TYPES } from '../../src/config/perturbation.ts';
import { partialFrames } from '../../src/config/swap.ts';
import { loadPipeline } from '../../src/dag/load-pipeline.ts';
import { stageRegistry } from '../../src/stages/registry.ts';
import { UserError } from '../../src/util/errors.ts';
import { SAMPLE_A, SAMPLE_B, tempDir } from '../helpers/fixtures.ts';

const test = suite('benchmark/draws');
const tmp = tempDir('bench-draws');
test.after(() => tmp.cleanup());

test('chooseShare: exact, seeded, independent of order', () => {
  const names = Array.from({ length: 40 }, (_, i) => `v${i}`);
  const a = chooseShare(names, 0.25, 1, 'x');
  assert.is(a.size, 10);
  assert.equal([...chooseShare([...names].reverse(), 0.25, 1, 'x')].sort(), [...a].sort());
  assert.not.equal([...chooseShare(names, 0.25, 2, 'x')].sort(), [...a].sort());
  assert.is(chooseShare(names, 0, 1, 'x').size, 0);
  assert.is(chooseShare(names, 1, 1, 'x').size, 40);
});

test('partial spans: 1..most, inside [0, 1], disjoint, covering 20-60%; as frame ranges', () => {
  const counts = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const spans = partialSpans(deriveSeed(1, `s${i}`), 3);
    counts.add(spans.length);
    assert.ok(spans.length >= 1 && spans.length <= 3);
    let cover = 0;
    for (let j = 0; j < spans.length; j++) {
      const [a, b] = spans[j]!;
      assert.ok(a >= 0 && b <= 1 && a < b, `${a} ${b}`);
      if (j) assert.ok(a >= spans[j - 1]![1], 'disjoint, ascending');
      cover += b - a;
    }
    assert.ok(cover > 0.199 && cover < 0.601, `cover ${cover}`);
  }
  assert.equal([...counts].sort(), [1, 2, 3]);
  assert.equal(partialSpans(7, 2), partialSpans(7, 2));
  assert.equal(partialFrames([[0.25, 0.5]], 40), [[10, 19]]);
  assert.equal(partialFrames([[0.5, 0.75], [0, 0.1], [0.1, 0.2]], 10), [[0, 1], [5, 7]]);
  assert.equal(partialFrames([[0.01, 0.02]], 10), [[0, 0]], 'at least one frame');
});

test('perturbation draws: seeded, types and levels from the options, mixtures of 2-4 in published order', () => {
  const c = BenchmarkConfig.parse({});
  const draws = Array.from({ length: 400 }, (_, i) => perturbationDraw(deriveSeed(1, `v${i}`), c));
  assert.equal(perturbationDraw(5, c), perturbationDraw(5, c));
  const sizes = draws.map((d) => d.length);
  assert.ok(sizes.every((n) => n >= 1 && n <= 4));
  const mixed = sizes.filter((n) => n > 1).length / draws.length;
  assert.ok(mixed > 0.15 && mixed < 0.35, `mixtures ${mixed} (perturbMix 0.25)`);
  for (const n of [2, 3, 4]) assert.ok(sizes.includes(n), `a mixture of ${n}`);
  for (const t of PERTURBATION_TYPES) assert.ok(draws.some((d) => d.some((p) => p.type === t)), t);
  for (const d of draws) {
    const order = d.map((p) => PERTURBATION_TYPES.indexOf(p.type));
    assert.equal(order, [...order].sort((x, y) => x - y));
    assert.is(new Set(order).size, order.length);
  }
  const only = BenchmarkConfig.parse({ perturbTypes: ['GB', 'CS'], perturbLevels: ['2', 5], perturbMix: 0 });
  for (let i = 0; i < 50; i++) {
    const d = perturbationDraw(i, only);
    assert.is(d.length, 1);
    assert.ok(['GB', 'CS'].includes(d[0]!.type) && [2, 5].includes(d[0]!.level));
  }
});

const manifest = () => {
  const f = join(tmp.dir, 'm.csv');
  writeFileSync(f, `video,identity\n${SAMPLE_A},anna\n${SAMPLE_B},beth\n`);
  return readBenchmarkManifest(f);
};

test('the plan: partial fakes get a composite span param, perturbed copies their stages (real and fakes of one video share a draw)', async () => {
  const plan = makePlan(manifest(), BenchmarkConfig.parse({ splits: { train: 1, val: 0, test: 0 }, partialShare: 0.5, perturbShare: 0.5 }));
  assert.is(plan.fakes.filter((f) => f.partial).length, 1);
  assert.is(plan.perturbations.length, 2, 'one real video and its one fake');
  const [real, fake] = plan.perturbations;
  assert.is(real!.kind, 'real');
  assert.is(fake!.kind, 'fake');
  assert.equal(fake!.perturbations, real!.perturbations);
  assert.is(fake!.seed, real!.seed);
  assert.ok(fake!.file.startsWith(`${real!.file}__`));
  const out = join(tmp.dir, 'plan');
  await writePlan(plan, out);
  const file = join(out, 'p.yaml');
  writeFileSync(file, stringify({ name: 'benchmark', stages: benchmarkStages(plan, out) }));
  const p = await loadPipeline(file, stageRegistry);
  const perturb = p.stages.find((s) => s.name === `perturb-${fake!.id}`)!;
  assert.equal(perturb.inputs.video, { stage: `ladder-fake-${fake!.file}`, output: 'c0' });
  assert.equal(perturb.params.perturbations, fake!.perturbations);
  const partial = plan.fakes.find((f) => f.partial)!;
  assert.equal(p.stages.find((s) => s.name === `composite-${partial.id}`)!.params.partial, partial.partial);
  const whole = plan.fakes.find((f) => !f.partial)!;
  assert.is(p.stages.find((s) => s.name === `composite-${whole.id}`)!.params.partial, undefined, 'a whole fake keeps the default');
  // without perturbations no perturb stage, and the same seed gives the same plan
  const plain = makePlan(manifest(), BenchmarkConfig.parse({ splits: { train: 1, val: 0, test: 0 } }));
  assert.is(plain.perturbations.length, 0);
  assert.ok(plain.fakes.every((f) => f.partial === null));
  assert.equal(makePlan(manifest(), plan.config).perturbations, plan.perturbations);
});

test('ffpp names: NNN per video, TTT_SSS per fake, pairs listed only when both fakes are kept; refused settings', () => {
  const videos = [
    { id: 'a-01', identity: 'a', video: 'x', split: 'train' as const },
    { id: 'a-02', identity: 'a', video: 'x', split: 'train' as const },
    { id: 'b-01', identity: 'b', video: 'x', split: 'train' as const },
  ];
  const models = [{ key: 'a__b', a: 'a', b: 'b', split: 'train' as const, seed: 1 }];
  const fakes = ['a-01__b', 'a-02__b', 'b-01__a'].map((id) => ({ id, sourceVideo: id.split('__')[0]!, targetVideo: id.endsWith('__b') ? 'b-01' : 'a-01' })) as never;
  const n = ffppNames({ videos, models, fakes }, new Set(['a-01__b', 'a-02__b', 'b-01__a']));
  assert.equal([...n.video], [['a-01', '000'], ['a-02', '001'], ['b-01', '002']]);
  assert.equal(n.pairs.train, [['000', '002'], ['001', '002']]);
  assert.equal(n.fake.get('a-01__b'), ['000_002']);
  assert.equal(n.fake.get('a-02__b'), ['001_002']);
  assert.equal(n.fake.get('b-01__a'), ['002_000', '002_001'], 'the smaller side: one fake, two names');
  // every name a loader builds from the pairs is a fake's
  const names = new Set([...n.fake.values()].flat());
  for (const [x, y] of n.pairs.train) assert.ok(names.has(`${x}_${y}`) && names.has(`${y}_${x}`));
  const dropped = ffppNames({ videos, models, fakes }, new Set(['a-01__b', 'a-02__b']));
  assert.equal(dropped.pairs.train, [], 'b-01__a dropped: no complete pair');
  assert.equal(dropped.fake.get('a-01__b'), ['000_002'], 'kept under its planned donor');
  const one = makePlan(manifest(), BenchmarkConfig.parse({ splits: { train: 1, val: 0, test: 0 }, layout: 'ffpp', directions: 'one' }));
  try {
    checkPlan(one);
    assert.unreachable('ffpp with one direction');
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /--layout ffpp needs --directions both/);
  }
});

test.run();
