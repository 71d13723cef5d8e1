/**
 * The real stage kinds through the DAG: pipelines/samples.yaml, made small with --set, runs,
 * re-runs as a no-op, and a param change re-runs exactly the clip and probe it touches.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPipeline } from '../../src/dag/load-pipeline.ts';
import { runPipeline } from '../../src/dag/runner.ts';
import { stageRegistry } from '../../src/stages/registry.ts';
import { ROOT, tempDir } from '../helpers/fixtures.ts';

const test = suite('stages/samples-pipeline');
const tmp = tempDir('samples-pipeline');
test.after(() => tmp.cleanup());

const FILE = join(ROOT, 'pipelines/samples.yaml');
const SMALL = ['size=96', 'seconds=0.4'];

test('pipelines/samples.yaml runs, then is up to date, then re-runs only what a param touches', async () => {
  const workdir = join(tmp.dir, 'run');
  const p = await loadPipeline(FILE, stageRegistry, { sets: SMALL });
  assert.equal(p.stages.map((s) => s.name), ['clip-a', 'clip-b', 'probe-a', 'probe-b']);
  const first = await runPipeline(p, { workdir, registry: stageRegistry });
  assert.ok(first.ok, JSON.stringify(first.outcomes));
  const info = JSON.parse(readFileSync(join(workdir, 'probe/b.json'), 'utf8'));
  assert.is(info.width, 96);
  assert.is(info.frameCount, 10);
  assert.is(info.frameCountExact, true);
  const again = await runPipeline(p, { workdir, registry: stageRegistry });
  assert.ok(again.outcomes.every((o) => o.state === 'up-to-date'));
  const changed = await loadPipeline(FILE, stageRegistry, { sets: [...SMALL, 'clip-b.size=64'] });
  const third = await runPipeline(changed, { workdir, registry: stageRegistry });
  assert.equal(
    Object.fromEntries(third.outcomes.map((o) => [o.name, o.state])),
    { 'clip-a': 'up-to-date', 'clip-b': 'ran', 'probe-a': 'up-to-date', 'probe-b': 'ran' },
  );
  assert.is(JSON.parse(readFileSync(join(workdir, 'probe/b.json'), 'utf8')).width, 64);
});

test.run();
