/**
 * The trainer on real face crops (the tiny preset): the loss falls, an interrupted and
 * resumed run's loss curve equals an uninterrupted one's, a NaN loss is undone (back to the
 * last checkpoint, learning rate halved) and one that keeps coming back stops training keeping
 * the last good checkpoint, a resume may change the optimiser settings, and nothing leaks.
 *
 * @tier e2e (trains small models)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Architecture, modelArchitecture } from '../../src/config/model.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { buildAutoencoder } from '../../src/model/autoencoder.ts';
import { listCheckpoints, loadLatestCheckpoint, loadTrainedModel } from '../../src/model/checkpoint.ts';
import { pretrainedInit } from '../../src/model/pretrained.ts';
import { swapFacesWithMasks } from '../../src/swap/latent-swap.ts';
import { readQualityLog, type QualityProbe } from '../../src/train/quality-log.ts';
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

/** The plain recipe (whole crop, unweighted MAE, constant rate, warp throughout): what these tests were written for. */
const PLAIN = { coverage: 1, dssim: false, maskWeight: 0, eyeMouthWeight: 0, warmup: 0, decay: 'none', warpShare: 1, saveMinutes: 0 } as const;
const base = (out: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({ a, b, arch, out: join(tmp.dir, out), iterations: 6, batchSize: 2, learningRate: 1e-3, seed: 3, saveEvery: 3, ...PLAIN, ...extra });

test('the loss falls on real faces within a small budget, and nothing leaks', async () => {
  const before = tf.memory().numTensors;
  // batch 2, 30 iterations (was 4 and 40): the mean loss of the last five is ~0.70 of the first five's
  const r = await train(base('falls', { iterations: 30, saveEvery: 0 }));
  assert.is(r.iteration, 30);
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

test('a NaN loss is undone: back to the last checkpoint, learning rate halved, noted in the loss log; training goes on', async () => {
  const log: string[] = [];
  const r = await train(base('nan-once', { iterations: 8, injectNaNAt: [5], log: (l) => log.push(l) }));
  assert.is(r.stoppedBy, 'iterations', r.message);
  assert.is(r.iteration, 8);
  assert.equal(r.losses.map((e) => e.iteration), [1, 2, 3, 4, 5, 6, 7, 8], 'one entry per iteration: the undone steps are not logged twice');
  const note = r.losses.find((e) => e.note)!;
  assert.is(note.iteration, 3, 'noted on the step the run went back to');
  assert.match(note.note!, /the loss became NaN\/Inf at iteration 5: went back to iteration 3 \(.*ckpt-000000003\) and halved the learning rate \(x0\.5; recovery 1 of 3\)/);
  assert.ok(log.some((l) => l === note.note));
  assert.is(r.losses[4]!.lr, r.losses[1]!.lr! / 2, 'the learning rate after the recovery is half');
  const onDisk = readFileSync(join(tmp.dir, 'nan-once', 'loss.jsonl'), 'utf8');
  assert.match(onDisk, /"note":"the loss became NaN\/Inf at iteration 5/);
  const ck = (await loadLatestCheckpoint(join(tmp.dir, 'nan-once'), arch))!;
  assert.equal(ck.state.optimiser, { learningRate: 1e-3, batchSize: 2, lrScale: 0.5 }, 'the halved rate carries over to a resume');
  ck.ae.dispose();
  tf.dispose(ck.optimizerWeights.map((w) => w.tensor));
});

test('a NaN that comes back after every recovery stops training, keeping the last good checkpoint', async () => {
  const r = await train(base('nan', { iterations: 60, learningRate: 1e30, saveEvery: 1, previews: false }));
  assert.is(r.stoppedBy, 'nan', r.message);
  assert.match(r.message, /NaN\/Inf at iteration \d+ again after 3 recoveries .*: training stopped; the last good checkpoint/);
  assert.equal(r.losses.flatMap((e) => e.note?.match(/recovery \d of 3/g) ?? []), ['recovery 1 of 3', 'recovery 2 of 3', 'recovery 3 of 3'], 'three recoveries noted');
  assert.match(readFileSync(join(tmp.dir, 'nan', 'loss.jsonl'), 'utf8'), /recovery 3 of 3/, 'the notes reach loss.jsonl');
  const newest = listCheckpoints(join(tmp.dir, 'nan'))[0]!;
  assert.match(newest, new RegExp(`ckpt-0*${r.iteration}$`));
  const ck = (await loadLatestCheckpoint(join(tmp.dir, 'nan'), arch))!;
  assert.ok(Number.isFinite(ck.state.lossA!) && Number.isFinite(ck.state.lossB!));
  ck.ae.dispose();
  tf.dispose(ck.optimizerWeights.map((w) => w.tensor));
});

test('a resume may change the learning rate and batch size (said in the log); the seed may not', async () => {
  await train(base('change', { iterations: 3 }));
  const log: string[] = [];
  const r = await train(base('change', { learningRate: 5e-4, batchSize: 1, log: (l) => log.push(l) }));
  assert.is(r.resumedFrom, 3);
  assert.is(r.iteration, 6);
  assert.ok(log.includes('learning rate changed on resume: 0.001 -> 0.0005'), log.join('\n'));
  assert.ok(log.includes('batch size changed on resume: 2 -> 1'), log.join('\n'));
  const refused = await train(base('change', { iterations: 9, seed: 4 })).then(
    () => null,
    (e: unknown) => e as Error,
  );
  assert.match(refused?.message ?? 'resumed', /was trained with other settings \(seed, loss, coverage, schedule or augmentation differ\)/);
});

test('with DSSIM and a mask-weighted loss the loss still falls; best/ keeps the best checkpoint', async () => {
  const ellipse = Float32Array.from({ length: 64 * 64 }, (_, i) => (((i % 64) - 32) / 22) ** 2 + ((Math.floor(i / 64) - 34) / 28) ** 2 < 1 ? 1 : 0);
  const am = { ...a, masks: [ellipse] };
  const bm = { ...b, masks: [ellipse] };
  // batch 2 (was 4): the loss of the last five is ~0.82 of the first five's
  const r = await train({ ...base('masked', { iterations: 30, saveEvery: 10 }), a: am, b: bm, dssim: true, maskWeight: 3 });
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

test('the full recipe (coverage, weighted MAE + DSSIM, eye/mouth, warm-up, cosine, warp off at the end) resumes to the same loss curve', async () => {
  const ellipse = Float32Array.from({ length: 64 * 64 }, (_, i) => (((i % 64) - 32) / 22) ** 2 + ((Math.floor(i / 64) - 34) / 28) ** 2 < 1 ? 1 : 0);
  const recipe = { coverage: 0.75, dssim: true, maskWeight: 3, backgroundWeight: 0.5, eyeMouthWeight: 2, warmup: 3, decay: 'cosine', minLrShare: 0.1, warpShare: 0.5 } as const;
  const sets = { a: { ...a, masks: [ellipse] }, b: { ...b, masks: [ellipse] } };
  const whole = await train({ ...base('recipe-whole', { iterations: 8 }), ...sets, ...recipe });
  assert.equal(whole.losses.map((e) => e.warp), [true, true, true, true, false, false, false, false], 'warp for the first half of the budget');
  const lrs = whole.losses.map((e) => e.lr!);
  assert.ok(lrs[0]! < lrs[1]! && lrs[1]! < lrs[2]!, `warm-up: ${lrs.join(', ')}`);
  assert.ok(lrs[7]! < lrs[3]! && lrs[7]! >= 1e-4 - 1e-12, `cosine decay to the floor: ${lrs.join(', ')}`);
  // interrupted (as Ctrl-C does) at iteration 5 of the same budget: the schedule depends on the budget
  const stop = new AbortController();
  const part = await train({ ...base('recipe-parts', { iterations: 8 }), ...sets, ...recipe, signal: stop.signal, onIteration: (it) => it === 5 && stop.abort() });
  assert.equal([part.stoppedBy, part.iteration], ['signal', 5]);
  const rest = await train({ ...base('recipe-parts', { iterations: 8 }), ...sets, ...recipe });
  assert.is(rest.resumedFrom, 5);
  assert.equal(rest.losses.map((e) => e.iteration), [1, 2, 3, 4, 5, 6, 7, 8], 'the whole history, resumed part included');
  rest.losses.forEach((e, i) => assert.ok(Math.abs(e.lossA - whole.losses[i]!.lossA) < 1e-6 && Math.abs(e.lossB - whole.losses[i]!.lossB) < 1e-6 && e.warp === whole.losses[i]!.warp, `iteration ${e.iteration}`));
  const ck = (await loadLatestCheckpoint(join(tmp.dir, 'recipe-parts'), arch))!;
  assert.is(ck.state.coverage, 0.75, 'the checkpoint records the coverage the swap must use');
  ck.ae.dispose();
  tf.dispose(ck.optimizerWeights.map((w) => w.tensor));
  try {
    await train({ ...base('recipe-parts', { iterations: 9 }), ...sets, ...recipe, coverage: 1 });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /trained with other settings/);
  }
});

test('the quality probe runs on its interval, its log is kept and validated, and it can stop training', async () => {
  const out = join(tmp.dir, 'probe');
  let calls = 0;
  const probe: QualityProbe = async (_ae, at) => {
    calls++;
    return { iteration: at.iteration, minutes: at.minutes, identityShare: calls >= 2 ? 0.9 : 0.2, medianToTarget: 0.5, medianToSource: 0.7, maskSsim: 0.8, reconstructionSsim: 0.7, faces: { source: 3, target: 3 } };
  };
  const r = await train(base('probe', { iterations: 50, probe, qualityMinutes: 1e-9, stopAtQuality: 0.8 }));
  assert.is(r.stoppedBy, 'quality', r.message);
  assert.is(calls, 3, 'stops once two probes in a row are above the level');
  assert.is(r.iteration, 3);
  const log = readQualityLog(out);
  assert.equal(log.map((e) => e.iteration), [1, 2, 3]);
  assert.ok(existsSync(listCheckpoints(out)[0]!), 'a checkpoint at the stop');
  writeFileSync(join(out, 'quality.jsonl'), readFileSync(join(out, 'quality.jsonl'), 'utf8').replace('"identityShare":0.9', '"identityShare":"high"'));
  try {
    readQualityLog(out);
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /quality\.jsonl" line 2 is not a valid quality log entry: identityShare: expected a number, got "high"/);
  }
});

test('a pretrained model starts a run: its encoder, and its generic decoder in both decoders; the run then resumes as usual', async () => {
  await train(base('pre', { iterations: 2 }));
  const init = await pretrainedInit(join(tmp.dir, 'pre'), arch, 1);
  const r = await train(base('from-pre', { iterations: 2, seed: 9, init }));
  assert.is(r.iteration, 2);
  const pre = await loadTrainedModel(join(tmp.dir, 'pre'));
  // one step at a small rate moves weights a little: compare a fresh run's first checkpoint instead
  const start = await pretrainedInit(join(tmp.dir, 'pre'), arch, 1);
  const fresh = buildAutoencoder(arch, 9);
  start(fresh);
  const same = (x: tf.Tensor[], y: tf.Tensor[]) => x.every((t, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(t, y[i]!))).dataSync()[0]!) === 0);
  assert.ok(same(fresh.encoder.getWeights(), pre.ae.encoder.getWeights()), 'encoder copied');
  assert.ok(same(fresh.decoderB.getWeights(), pre.ae.decoderA.getWeights()), 'decoder B starts as the generic decoder');
  // the run itself starts from them: one step at a negligible rate leaves its weights where init put them
  const still = await train(base('from-pre-still', { iterations: 1, seed: 9, learningRate: 1e-12, init: await pretrainedInit(join(tmp.dir, 'pre'), arch, 1) }));
  assert.is(still.iteration, 1);
  const stillModel = await loadTrainedModel(join(tmp.dir, 'from-pre-still'));
  const worst = (x: tf.Tensor[], y: tf.Tensor[]) => Math.max(...x.map((t, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(t, y[i]!))).dataSync()[0]!)));
  for (const [name, got, want] of [['encoder', stillModel.ae.encoder, pre.ae.encoder], ['decoder A', stillModel.ae.decoderA, pre.ae.decoderA], ['decoder B', stillModel.ae.decoderB, pre.ae.decoderA]] as const) {
    const d = worst(got.getWeights(), want.getWeights());
    assert.ok(d < 1e-6, `${name} of the run started from the pretrained weights (largest difference ${d})`);
  }
  stillModel.ae.dispose();
  fresh.dispose();
  pre.ae.dispose();
  const more = await train(base('from-pre', { iterations: 3, seed: 9, init: await pretrainedInit(join(tmp.dir, 'pre'), arch, 1) }));
  assert.is(more.resumedFrom, 2, 'a resumed run continues its own checkpoint, not the pretrained weights');
  try {
    await pretrainedInit(join(tmp.dir, 'pre'), modelArchitecture('small'), 1);
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /pretrained model in .* is of another architecture/);
  }
  try {
    await pretrainedInit(join(tmp.dir, 'pre'), arch, 0.75);
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /saw coverage 1 of the crop, this run asks for 0.75/);
  }
});

test('the learned mask trains towards the landmark mask; the swap returns it in the coverage square', async () => {
  // the tiny layout at 32 px with half its channels (the claim is the mask head's, not the
  // preset's): the mask error falls to ~0.07 of the first by iteration 60, at a third of tiny's cost
  const S = 32;
  const ellipse = Float32Array.from({ length: S * S }, (_, i) => (((i % S) - S / 2) / (S * 0.3125)) ** 2 + ((Math.floor(i / S) - S * 0.53) / (S * 0.40625)) ** 2 < 1 ? 1 : 0);
  const faceA = await faceCrop('a', S);
  const sets = { a: { dir: '(sample a)', size: S, files: ['a'], faces: [faceA], masks: [ellipse] }, b: { dir: '(sample b)', size: S, files: ['b'], faces: [await faceCrop('b', S)], masks: [ellipse] } };
  const maskArch = Architecture.parse({ ...modelArchitecture('tiny', 'transpose', true), inputSize: S, encoderFilters: [16, 32, 64], latent: 64, bottleneckChannels: 64, encoderUpChannels: 32, decoderFilters: [32, 16] });
  const maskError = async (out: string): Promise<number> => {
    const ck = (await loadLatestCheckpoint(join(tmp.dir, out), maskArch))!;
    const x = tf.tensor4d(faceA, [1, S, S, 3]);
    const { rgb, mask } = ck.ae.reconstructWithMask(x, 'a');
    const err = tf.tidy(() => tf.mean(tf.abs(tf.sub(mask!, tf.tensor4d(ellipse, [1, S, S, 1])))).dataSync()[0]!);
    assert.equal(rgb.shape, [1, S, S, 3]);
    tf.dispose([x, rgb, mask!, ...ck.optimizerWeights.map((w) => w.tensor)]);
    ck.ae.dispose();
    return err;
  };
  await train({ ...base('learn-mask', { iterations: 1 }), ...sets, arch: maskArch });
  const before = await maskError('learn-mask');
  await train({ ...base('learn-mask', { iterations: 60 }), ...sets, arch: maskArch });
  const after = await maskError('learn-mask');
  assert.ok(after < before * 0.6 && after < 0.2, `mask error ${before.toFixed(3)} -> ${after.toFixed(3)}`);
  try {
    await train({ ...base('learn-mask-none', { iterations: 1 }), a: { ...sets.a, masks: undefined }, b: sets.b, arch: maskArch });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /a learned mask needs the masks of face set A/);
  }
  // the swap: the target decoder's mask, pasted into the coverage square of the crop
  const m = await loadTrainedModel(join(tmp.dir, 'learn-mask'));
  const crop = { width: 128, height: 128, data: Uint8Array.from(await faceCrop('a', 128), (v) => Math.round(v * 255)) };
  const { faces, masks } = await swapFacesWithMasks(m.ae, [crop], 'a-to-b', { coverage: 0.5 });
  m.ae.dispose();
  assert.is(faces.length, 1);
  assert.equal([masks![0]!.width, masks![0]!.height], [128, 128]);
  assert.is(masks![0]!.data[5 * 128 + 5], 0, 'outside the square: 0');
  assert.ok(masks![0]!.data[64 * 128 + 64]! > 128, 'the face centre is in the mask');
});

test.run();
