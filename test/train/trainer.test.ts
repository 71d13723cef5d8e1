/**
 * The trainer on real face crops (the tiny preset): the loss falls, an interrupted and
 * resumed run's loss curve equals an uninterrupted one's, a NaN loss stops training and keeps
 * the last good checkpoint, and nothing leaks.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelArchitecture } from '../../src/config/model.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { listCheckpoints, loadLatestCheckpoint } from '../../src/model/checkpoint.ts';
import type { FaceSet } from '../../src/train/face-set.ts';
import { train, type TrainOptions } from '../../src/train/trainer.ts';
import { faceCrop } from '../helpers/data.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('train/trainer');
const tmp = tempDir('trainer');
const arch = modelArchitecture('tiny');
let a: FaceSet;
let b: FaceSet;

test.before(async () => {
  await selectBackend('wasm');
  a = { dir: '(sample a)', size: 64, files: ['a'], faces: [await faceCrop('a', 64)] };
  b = { dir: '(sample b)', size: 64, files: ['b'], faces: [await faceCrop('b', 64)] };
});
test.after(() => tmp.cleanup());

const base = (out: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({ a, b, arch, out: join(tmp.dir, out), iterations: 6, batchSize: 2, learningRate: 1e-3, seed: 3, saveEvery: 3, ...extra });

test('the loss falls on real faces within a small budget, and nothing leaks', async () => {
  const before = tf.memory().numTensors;
  const r = await train(base('falls', { iterations: 40, batchSize: 4, saveEvery: 0 }));
  assert.is(r.iteration, 40);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const first = mean(r.losses.slice(0, 5).map((e) => e.lossA + e.lossB));
  const last = mean(r.losses.slice(-5).map((e) => e.lossA + e.lossB));
  assert.ok(last < first * 0.85, `loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);
  assert.is(tf.memory().numTensors, before, 'training leaves no tensor behind');
});

test('an interrupted and resumed run has the loss curve of an uninterrupted one', async () => {
  const whole = await train(base('whole'));
  const part1 = await train(base('parts', { iterations: 3 }));
  assert.is(part1.iteration, 3);
  const part2 = await train(base('parts'));
  assert.is(part2.resumedFrom, 3);
  assert.is(part2.iteration, 6);
  assert.equal(part2.losses.map((e) => e.iteration), [1, 2, 3, 4, 5, 6]);
  part2.losses.forEach((e, i) => {
    assert.ok(Math.abs(e.lossA - whole.losses[i]!.lossA) < 1e-6 && Math.abs(e.lossB - whole.losses[i]!.lossB) < 1e-6, `iteration ${e.iteration}: ${e.lossA} vs ${whole.losses[i]!.lossA}`);
  });
});

test('a NaN loss stops training and keeps the last good checkpoint', async () => {
  const r = await train(base('nan', { iterations: 60, learningRate: 1e30, saveEvery: 1 }));
  assert.is(r.stoppedBy, 'nan', r.message);
  assert.match(r.message, /NaN\/Inf at iteration \d+: training stopped; the last good checkpoint/);
  const newest = listCheckpoints(join(tmp.dir, 'nan'))[0]!;
  assert.match(newest, new RegExp(`ckpt-0*${r.iteration}$`));
  const ck = (await loadLatestCheckpoint(join(tmp.dir, 'nan'), arch))!;
  assert.ok(Number.isFinite(ck.state.lossA!) && Number.isFinite(ck.state.lossB!));
  ck.ae.dispose();
  tf.dispose(ck.optimizerWeights.map((w) => w.tensor));
});

test('with DSSIM and a mask-weighted loss the loss still falls; best/ keeps the best checkpoint', async () => {
  const ellipse = Float32Array.from({ length: 64 * 64 }, (_, i) => (((i % 64) - 32) / 22) ** 2 + ((Math.floor(i / 64) - 34) / 28) ** 2 < 1 ? 1 : 0);
  const am = { ...a, masks: [ellipse] };
  const bm = { ...b, masks: [ellipse] };
  const r = await train({ ...base('masked', { iterations: 30, batchSize: 4, saveEvery: 10 }), a: am, b: bm, dssim: true, maskWeight: 3 });
  const first = r.losses.slice(0, 5).reduce((s, e) => s + e.lossA + e.lossB, 0);
  const last = r.losses.slice(-5).reduce((s, e) => s + e.lossA + e.lossB, 0);
  assert.ok(last < first * 0.9, `loss ${first.toFixed(3)} -> ${last.toFixed(3)}`);
  assert.ok(existsSync(join(tmp.dir, 'masked', 'best', 'MANIFEST.json')));
  try {
    await train({ ...base('masked-missing', { iterations: 1 }), maskWeight: 3 });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /mask-weighted loss needs the masks of face set A/);
  }
});

test('other settings cannot continue a checkpoint', async () => {
  await train(base('settings', { iterations: 1 }));
  try {
    await train(base('settings', { iterations: 2, batchSize: 3 }));
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /trained with other settings/);
  }
});

test.run();
