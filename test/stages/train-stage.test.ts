/**
 * The `train` stage in a pipeline: it runs on face folders, its checkpoints persist, and
 * raising `iterations` re-runs it as a resume, not from scratch.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPipeline } from '../../src/dag/load-pipeline.ts';
import { runPipeline } from '../../src/dag/runner.ts';
import { stageRegistry } from '../../src/stages/registry.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { faceCrop } from '../helpers/data.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('stages/train-stage');
const tmp = tempDir('train-stage');
// wasm whatever an earlier file left selected (alone, auto could pick another backend)
test.before(async () => {
  await selectBackend('wasm');
});
test.after(() => tmp.cleanup());

test('train stage: runs, persists checkpoints, resumes when iterations grow', async () => {
  for (const who of ['a', 'b'] as const) {
    const dir = join(tmp.dir, who, 'faces');
    mkdirSync(dir, { recursive: true });
    const f = await faceCrop(who, 64);
    await sharp(Buffer.from(f.map((v) => Math.round(v * 255))), { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(join(dir, '0.png'));
  }
  const file = join(tmp.dir, 'train.yaml');
  writeFileSync(
    file,
    `name: t
params: { iterations: 2 }
stages:
  - name: train
    kind: train
    resource: gpu
    params: { preset: tiny, iterations: "\${params.iterations}", batchSize: 2, saveEvery: 2, learningRate: 0.001 }
    inputs: { a: ${join(tmp.dir, 'a', 'faces')}, b: ${join(tmp.dir, 'b', 'faces')} }
    outputs: { model: model }
    persist: [model]
`,
  );
  const workdir = join(tmp.dir, 'run');
  const r1 = await runPipeline(await loadPipeline(file, stageRegistry), { workdir, registry: stageRegistry });
  assert.ok(r1.ok, JSON.stringify(r1.outcomes));
  assert.equal(readdirSync(join(workdir, 'model', 'checkpoints')), ['ckpt-000000002']);
  const r2 = await runPipeline(await loadPipeline(file, stageRegistry, { sets: ['iterations=4'] }), { workdir, registry: stageRegistry });
  assert.ok(r2.ok);
  assert.match(r2.outcomes[0]!.reason, /params changed: iterations 2 -> 4/);
  assert.equal(readdirSync(join(workdir, 'model', 'checkpoints')), ['ckpt-000000002', 'ckpt-000000004']);
});

test.run();
