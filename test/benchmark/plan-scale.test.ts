/**
 * A benchmark plan at the scale detection datasets have: 300 identities with three videos each
 * (no media: a plan needs none), the default splits (0.72/0.14/0.14) and every ordered pair.
 * No identity in two splits, every pair within one, every fake's original and target video in
 * its split, ids unique, the plan files written and read back (validated), and the FF++ pair
 * lists consistent with the pairs. (How fast: make bench, not a test.)
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pairLists } from '../../src/benchmark/pair-lists.ts';
import { readPlanModels, readPlanRecord } from '../../src/benchmark/plan-files.ts';
import { makePlan, writePlan } from '../../src/benchmark/plan.ts';
import type { BenchmarkMetadata } from '../../src/benchmark/metadata.ts';
import { BenchmarkConfig, SPLITS } from '../../src/config/benchmark.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('benchmark/plan-scale');
const tmp = tempDir('plan-scale');
test.after(() => tmp.cleanup());

const ids = Array.from({ length: 300 }, (_, i) => `id${String(i).padStart(3, '0')}`);
const videos = ids.flatMap((identity) => [1, 2, 3].map((k) => ({ id: `${identity}-0${k}`, video: `/videos/${identity}-${k}.mp4`, identity })));

test('300 identities x 3 videos: identity-disjoint, pairs within splits, every original present, the plan files read back, pair lists consistent', async () => {
  const plan = makePlan({ file: '/m/videos.csv', videos, identities: ids, settings: {} }, BenchmarkConfig.parse({}));
  assert.equal(SPLITS.map((s) => plan.splits[s].length), [216, 42, 42]);
  const splitOf = new Map(SPLITS.flatMap((s) => plan.splits[s].map((id) => [id, s] as const)));
  assert.is(splitOf.size, 300, 'every identity in exactly one split');
  for (const p of plan.pairs) assert.ok(splitOf.get(p.source) === p.split && splitOf.get(p.target) === p.split && p.source !== p.target, JSON.stringify(p));
  assert.is(plan.pairs.length, 216 * 215 + 42 * 41 * 2);
  const videoById = new Map(plan.videos.map((v) => [v.id, v]));
  const models = new Set(plan.models.map((m) => m.key));
  for (const f of plan.fakes) {
    const original = videoById.get(f.sourceVideo);
    const target = videoById.get(f.targetVideo);
    if (!original || original.identity !== f.source || original.split !== f.split || !target || target.identity !== f.target || target.split !== f.split || !models.has(f.model)) {
      assert.unreachable(`a fake without its original, target or model in its split: ${JSON.stringify(f)}`);
    }
  }
  assert.is(plan.fakes.length, plan.pairs.length * 3);
  assert.is(new Set(plan.fakes.map((f) => f.id)).size, plan.fakes.length, 'fake ids unique');

  const out = join(tmp.dir, 'bench');
  await writePlan(plan, out);
  assert.equal(readPlanModels(out), plan.models);
  assert.equal(readPlanRecord(out).pairs, plan.pairs);

  // the FF++ pair lists of a dataset holding every planned fake: each [target, source] one planned pair of its split
  const metadata: BenchmarkMetadata = {};
  for (const f of plan.fakes) metadata[`${f.id}.mp4`] = { label: 'FAKE', original: `${f.sourceVideo}.mp4`, split: f.split, source: f.source, target: f.target, method: 'Janus', model: f.model, frames: 1, framesSwapped: 1, files: { c0: 'x', c23: 'x', c40: 'x' }, mask: null, provenance: null };
  const lists = pairLists(metadata);
  const planned = new Set(plan.pairs.map((p) => `${p.split}/${p.target}/${p.source}`));
  for (const s of SPLITS) {
    assert.is(lists[s].length, plan.pairs.filter((p) => p.split === s).length, `${s}: one entry per pair`);
    for (const [target, source] of lists[s]) if (!planned.has(`${s}/${target}/${source}`)) assert.unreachable(`${s}.json lists [${target}, ${source}], not a pair of ${s}`);
  }
});

test.run();
