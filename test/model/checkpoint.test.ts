/**
 * Checkpoints: a save/load round trip restores weights and optimizer state exactly; only the
 * last K are kept; a corrupt newest checkpoint is detected by checksum and the previous one is
 * used (by training, and by inference, which finds it without building networks); a checkpoint
 * of another architecture is refused naming the setting; a damaged MANIFEST.json, state.json,
 * optimizer.json or model.json (whose checksums match) is refused naming the file and field.
 */
import { cpSync, lstatSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelArchitecture } from '../../src/config/model.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { buildAutoencoder } from '../../src/model/autoencoder.ts';
import { findTrainedCheckpoint, inspectCheckpoint, listCheckpoints, loadCheckpointAt, loadLatestCheckpoint, loadTrainedModel, saveBest, saveCheckpoint, type TrainingState } from '../../src/model/checkpoint.ts';
import { sha256File } from '../../src/util/hash.ts';
import { assertFileError, assertFileRejects, editedCopy, truncatedCopy } from '../helpers/corrupt.ts';
import { UserError } from '../../src/util/errors.ts';
import { faceCrop } from '../helpers/data.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('model/checkpoint');
const tmp = tempDir('ckpt');
const arch = modelArchitecture('tiny', 'transpose');
test.before(async () => {
  await selectBackend('wasm');
});
test.after(() => tmp.cleanup());

async function trainedModel(steps: number) {
  const ae = buildAutoencoder(arch);
  const x = tf.tensor4d(await faceCrop('a', 64), [1, 64, 64, 3]);
  const opt = tf.train.adam(1e-3);
  for (let i = 0; i < steps; i++) tf.tidy(() => void opt.minimize(() => tf.mean(tf.abs(tf.sub(ae.reconstruct(x, 'a'), x))) as tf.Scalar));
  x.dispose();
  return { ae, opt };
}

const state = (iteration: number): TrainingState => ({ iteration, arch, configHash: 'abc', rng: [1, 2, 3, 4], lossA: 0.1, lossB: 0.2 });

test('save then load restores the three networks and the optimizer state exactly', async () => {
  const root = join(tmp.dir, 'roundtrip');
  const { ae, opt } = await trainedModel(3);
  const optW = await opt.getWeights();
  const dir = await saveCheckpoint(root, { ae, optimizerWeights: optW, state: state(3) });
  assert.match(dir, /ckpt-000000003$/);
  const ck = (await loadLatestCheckpoint(root, arch))!;
  assert.is(ck.state.iteration, 3);
  assert.equal(ck.state.rng, [1, 2, 3, 4]);
  for (const [a, b] of [[ae.encoder, ck.ae.encoder], [ae.decoderA, ck.ae.decoderA], [ae.decoderB, ck.ae.decoderB]] as const) {
    const wa = a.getWeights();
    const wb = b.getWeights();
    assert.is(wa.length, wb.length);
    wa.forEach((w, i) => assert.equal(Array.from(w.dataSync()), Array.from(wb[i]!.dataSync())));
  }
  assert.is(ck.optimizerWeights.length, optW.length);
  optW.forEach((w, i) => assert.equal(Array.from(w.tensor.dataSync()), Array.from(ck.optimizerWeights[i]!.tensor.dataSync())));
  ae.dispose();
  ck.ae.dispose();
  opt.dispose();
  tf.dispose(ck.optimizerWeights.map((w) => w.tensor));
});

test('only the last K checkpoints are kept; best is a copy, swapped in by one rename', async () => {
  const root = join(tmp.dir, 'keep');
  const { ae, opt } = await trainedModel(1);
  const w = await opt.getWeights();
  for (const it of [10, 20, 30, 40]) await saveCheckpoint(root, { ae, optimizerWeights: w, state: state(it) }, { keep: 2 });
  assert.equal(listCheckpoints(root).map((d) => d.slice(-14)), ['ckpt-000000040', 'ckpt-000000030']);
  await saveBest(root, listCheckpoints(root)[1]!);
  assert.is(JSON.parse(readFileSync(join(root, 'best/state.json'), 'utf8')).iteration, 30);
  assert.equal(readdirSync(join(root, 'checkpoints')).filter((n) => n.startsWith('.janus-tmp')), []);
  // best is swapped by one rename: a link to the newest copy; the older copy goes, the checkpoints stay
  await saveBest(root, listCheckpoints(root)[0]!);
  assert.is(readlinkSync(join(root, 'best')), 'best-000000040');
  assert.is(JSON.parse(readFileSync(join(root, 'best/state.json'), 'utf8')).iteration, 40);
  assert.equal(readdirSync(root).filter((n) => n.startsWith('best')).sort(), ['best', 'best-000000040']);
  assert.is(findTrainedCheckpoint(root, 'best').state.iteration, 40);
  // a best/ folder written by an older Janus is replaced
  rmSync(join(root, 'best'));
  cpSync(listCheckpoints(root)[1]!, join(root, 'best'), { recursive: true });
  await saveBest(root, listCheckpoints(root)[0]!);
  assert.ok(lstatSync(join(root, 'best')).isSymbolicLink());
  assert.is(findTrainedCheckpoint(root, 'best').state.iteration, 40);
  assert.equal(readdirSync(root).filter((n) => n.startsWith('.janus-tmp')), []);
  ae.dispose();
  opt.dispose();
});

test('a corrupt newest checkpoint is detected by checksum and the previous one is used', async () => {
  const root = join(tmp.dir, 'corrupt');
  const { ae, opt } = await trainedModel(1);
  const w = await opt.getWeights();
  await saveCheckpoint(root, { ae, optimizerWeights: w, state: state(5) });
  const newest = await saveCheckpoint(root, { ae, optimizerWeights: w, state: state(6) });
  const bin = join(newest, 'decoder_b', 'weights.bin');
  const bytes = readFileSync(bin);
  writeFileSync(bin, bytes.subarray(0, bytes.length - 100)); // truncated
  const ck = (await loadLatestCheckpoint(root, arch))!;
  assert.is(ck.state.iteration, 5);
  assert.is(ck.skipped.length, 1);
  assert.match(ck.skipped[0]!.reason, /checksum mismatch in decoder_b\/weights\.bin/);
  ck.ae.dispose();
  // for inference: found without building networks, the same checkpoint as the loaded model's
  const before = tf.memory().numTensors;
  const found = findTrainedCheckpoint(root);
  assert.is(tf.memory().numTensors, before, 'finding a checkpoint builds no networks');
  assert.is(found.state.iteration, 5);
  const trained = await loadTrainedModel(root);
  assert.equal([trained.dir, trained.fingerprint], [found.dir, found.fingerprint]);
  trained.ae.dispose();
  assert.throws(() => findTrainedCheckpoint(join(tmp.dir, 'none')), (e: Error) => e instanceof UserError && /model folder ".*none" does not exist/.test(e.message));
  assert.throws(() => findTrainedCheckpoint(root, 'best'), (e: Error) => e instanceof UserError && /no usable best\/ checkpoint/.test(e.message));
  ae.dispose();
  opt.dispose();
});

test('a checkpoint of another architecture is refused, naming the setting', async () => {
  const root = join(tmp.dir, 'arch');
  const { ae, opt } = await trainedModel(1);
  await saveCheckpoint(root, { ae, optimizerWeights: await opt.getWeights(), state: state(1) });
  try {
    await loadLatestCheckpoint(root, modelArchitecture('tiny', 'pixelshuffle'));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /another architecture \(upsample: the checkpoint has "transpose", this run asks for "pixelshuffle"\)/);
  }
  try {
    await loadLatestCheckpoint(root, modelArchitecture('small'));
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /preset: the checkpoint has "tiny", this run asks for "small"/);
  }
  ae.dispose();
  opt.dispose();
});

/** A copy of checkpoint `src` with `file` damaged by `damage` and the manifest's checksum updated to match (so only the schema can catch it). */
function damagedCheckpoint(src: string, root: string, file: string, damage: (f: string, out: string) => void): string {
  const dir = join(root, 'checkpoints', 'ckpt-000000009');
  cpSync(src, dir, { recursive: true });
  const f = join(dir, file);
  damage(f, f);
  if (file !== 'MANIFEST.json') editedCopy(join(dir, 'MANIFEST.json'), join(dir, 'MANIFEST.json'), (m) => void (m.sha256[file] = sha256File(f)));
  return dir;
}

test('damaged checkpoint files are refused naming the file and the field, not a TypeError', async () => {
  const root = join(tmp.dir, 'schema');
  const { ae, opt } = await trainedModel(1);
  const good = await saveCheckpoint(root, { ae, optimizerWeights: await opt.getWeights(), state: state(1) });
  ae.dispose();
  opt.dispose();
  const g = inspectCheckpoint(good);
  assert.ok(g.ok && g.value.state.iteration === 1 && g.value.optimizerSpecs.length > 0, 'a good checkpoint reads back once, its files parsed');
  assert.equal(inspectCheckpoint(join(tmp.dir, 'no-such-ckpt')), { ok: false, problem: 'missing' });
  const cases: Array<[string, (f: string, out: string) => void, RegExp]> = [
    ['state.json', (f, o) => editedCopy(f, o, (d) => void (d.iteration = 'abc')), /state\.json" is not a valid checkpoint state: iteration: expected a number, got "abc"/],
    ['state.json', (f, o) => editedCopy(f, o, (d) => void delete d.arch.latent), /state\.json" is not a valid checkpoint state: arch\.latent: missing \(expected a number\)/],
    ['state.json', (f, o) => truncatedCopy(f, o), /state\.json": not valid JSON/],
    ['optimizer.json', (f, o) => editedCopy(f, o, (d) => void (d[0].dtype = 'float99')), /optimizer\.json" is not a valid optimizer weights manifest: 0\.dtype: expected one of float32\|/],
    ['MANIFEST.json', (f, o) => editedCopy(f, o, (d) => void delete d.sha256), /MANIFEST\.json" is not a valid checkpoint manifest: sha256: missing \(expected a record\)/],
    ['MANIFEST.json', (f, o) => truncatedCopy(f, o), /MANIFEST\.json": not valid JSON/],
  ];
  for (const [i, [file, damage, expected]] of cases.entries()) {
    const r = join(tmp.dir, `schema-${i}`);
    const dir = damagedCheckpoint(good, r, file, damage);
    const c = inspectCheckpoint(dir);
    assert.ok(!c.ok && expected.test(c.problem), `${file}: ${c.ok ? 'read as valid' : c.problem}`);
    // inference: no usable checkpoint, and the reason names the file and field
    assertFileError(() => findTrainedCheckpoint(r), join(dir, file), expected);
    await assertFileRejects(() => loadCheckpointAt(dir), join(dir, file), expected);
    // training: the damaged newest checkpoint is skipped (none left here: a fresh start)
    assert.is(await loadLatestCheckpoint(r, arch), null);
  }
  // model.json: checked when the network loads
  const dir = damagedCheckpoint(good, join(tmp.dir, 'schema-model'), 'encoder/model.json', (f, o) => editedCopy(f, o, (d) => void (d.weightsManifest[0].paths = 'weights.bin')));
  assert.ok(inspectCheckpoint(dir).ok, 'model.json is read when the network is built');
  await assertFileRejects(() => loadCheckpointAt(dir), join(dir, 'encoder/model.json'), /model\.json" is not a valid model file \(model\.json\): weightsManifest\.0\.paths: expected an array, got "weights\.bin"/);
});

test.run();
