/**
 * Losses: DSSIM is 0 for identical images and grows with damage; mask weighting makes errors
 * in the face count more; a zero background weight makes the loss blind to the background;
 * both train on wasm (their gradients exist there).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { templateInCrop } from '../../src/face/align.ts';
import { extendedMask } from '../../src/face/mask.ts';
import { dssim, reconstructionLoss } from '../../src/model/losses.ts';
import { eyeMouthMap, pixelWeights } from '../../src/train/loss-weights.ts';
import { faceCrop } from '../helpers/data.ts';
import { randomArray } from '../helpers/numbers.ts';

const test = suite('model/losses');
test.before(async () => {
  await selectBackend('wasm');
});

test('DSSIM: 0 for the same face, larger for a noisier copy', async () => {
  const f = tf.tensor4d(await faceCrop('a', 64), [1, 64, 64, 3]);
  const n1 = tf.clipByValue(tf.add(f, tf.tensor4d(randomArray(64 * 64 * 3, 1, 0.05), [1, 64, 64, 3])), 0, 1) as tf.Tensor4D;
  const n2 = tf.clipByValue(tf.add(f, tf.tensor4d(randomArray(64 * 64 * 3, 2, 0.2), [1, 64, 64, 3])), 0, 1) as tf.Tensor4D;
  const d0 = dssim(f, f).dataSync()[0]!;
  const d1 = dssim(n1, f).dataSync()[0]!;
  const d2 = dssim(n2, f).dataSync()[0]!;
  assert.ok(Math.abs(d0) < 1e-6, `dssim(x, x) = ${d0}`);
  assert.ok(d1 > 0.01 && d2 > d1 && d2 < 0.5, `${d1.toFixed(4)} < ${d2.toFixed(4)}`);
  tf.dispose([f, n1, n2]);
});

test('mask weighting: the same error counts more inside the mask', () => {
  const target = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
  const mask = tf.tensor4d([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 4, 4, 1]);
  const errIn = tf.tensor4d(Array.from({ length: 48 }, (_, i) => (Math.floor(i / 3) === 0 ? 1 : 0)), [1, 4, 4, 3]); // pixel (0,0): inside
  const errOut = tf.tensor4d(Array.from({ length: 48 }, (_, i) => (Math.floor(i / 3) === 15 ? 1 : 0)), [1, 4, 4, 3]); // pixel (3,3): outside
  const plainIn = reconstructionLoss(errIn, target).dataSync()[0]!;
  const plainOut = reconstructionLoss(errOut, target).dataSync()[0]!;
  assert.ok(Math.abs(plainIn - plainOut) < 1e-7, 'unweighted: the same');
  const wIn = reconstructionLoss(errIn, target, { mask, maskWeight: 3 }).dataSync()[0]!;
  const wOut = reconstructionLoss(errOut, target, { mask, maskWeight: 3 }).dataSync()[0]!;
  assert.ok(Math.abs(wIn / wOut - 4) < 1e-5, `inside counts 1 + 3 = 4 times (${(wIn / wOut).toFixed(3)})`);
  tf.dispose([target, mask, errIn, errOut]);
});

test('MAE + DSSIM + mask weighting have gradients on wasm', async () => {
  const f = tf.tensor4d(await faceCrop('b', 64), [1, 64, 64, 3]);
  const mask = tf.ones([1, 64, 64, 1]) as tf.Tensor4D;
  const x = tf.variable(tf.fill([1, 64, 64, 3], 0.5));
  const before = tf.memory().numTensors;
  const g = tf.grad((v: tf.Tensor) => reconstructionLoss(v as tf.Tensor4D, f, { dssim: true, mask, maskWeight: 2 }))(x);
  assert.ok(tf.tidy(() => g.abs().sum().dataSync()[0]!) > 0);
  g.dispose();
  assert.is(tf.memory().numTensors, before + 0, 'no leaks');
  tf.dispose([f, mask, x]);
});

test('the face-weighted loss ignores the background: only background pixels changed, the same loss (MAE + DSSIM)', async () => {
  const size = 64;
  const face = await faceCrop('a', size);
  const mask = extendedMask(templateInCrop({ size, coverage: 1.6 }), size);
  const m = Float32Array.from(mask.data, (v) => v / 255);
  const weights = pixelWeights(m, eyeMouthMap(size, 1, 1.6), { maskWeight: 3, backgroundWeight: 0, eyeMouthWeight: 2 });
  const noise = randomArray(size * size * 3, 7, 0.3);
  const changed = Float32Array.from(face, (v, i) => (m[Math.floor(i / 3)]! > 0 ? v : Math.min(1, Math.max(0, v + noise[i]!))));
  const pred = tf.tensor4d(Float32Array.from(face, (v) => v * 0.8 + 0.1), [1, size, size, 3]);
  const w = tf.tensor4d(weights, [1, size, size, 1]);
  const lossOf = (target: Float32Array) => tf.tidy(() => reconstructionLoss(pred, tf.tensor4d(target, [1, size, size, 3]), { dssim: true, weights: w }).dataSync()[0]!);
  const l0 = lossOf(face);
  const l1 = lossOf(changed);
  assert.ok(Math.abs(l0 - l1) < 1e-6, `background changed: ${l0} vs ${l1}`);
  // the same change counts when the background has weight
  const w1 = tf.tensor4d(pixelWeights(m, null, { maskWeight: 3, backgroundWeight: 1, eyeMouthWeight: 0 }), [1, size, size, 1]);
  const l2 = tf.tidy(() => reconstructionLoss(pred, tf.tensor4d(changed, [1, size, size, 3]), { dssim: true, weights: w1 }).dataSync()[0]!);
  const l3 = tf.tidy(() => reconstructionLoss(pred, tf.tensor4d(face, [1, size, size, 3]), { dssim: true, weights: w1 }).dataSync()[0]!);
  assert.ok(Math.abs(l2 - l3) > 1e-3, `with background weight 1 the change shows: ${l3} -> ${l2}`);
  tf.dispose([pred, w, w1]);
});

test('eye and mouth weights sit on the eyes and mouth of the aligned template, inside the face mask', () => {
  const size = 64;
  const em = eyeMouthMap(size, 0.75, 1.6);
  const full = size / 0.75;
  const shift = (full - size) / 2;
  const pts = templateInCrop({ size: full, coverage: 1.6 }).map(([x, y]) => [x - shift, y - shift]);
  const at = (p: number[]) => em[Math.round(p[1]!) * size + Math.round(p[0]!)]!;
  const centre = (idx: number[]) => [idx.reduce((s, i) => s + pts[i]![0]!, 0) / idx.length, idx.reduce((s, i) => s + pts[i]![1]!, 0) / idx.length];
  assert.is(at(centre([36, 37, 38, 39, 40, 41])), 1, 'left eye');
  assert.is(at(centre([42, 43, 44, 45, 46, 47])), 1, 'right eye');
  assert.is(at(centre([48, 54, 51, 57])), 1, 'mouth');
  assert.is(at(pts[30]!), 0, 'nose tip');
  assert.is(at(pts[8]!), 0, 'chin');
  const share = em.reduce((s, v) => s + v, 0) / em.length;
  assert.ok(share > 0.05 && share < 0.3, `eyes and mouth are ${(share * 100).toFixed(0)}% of the input`);
  const w = pixelWeights(Float32Array.from(em, () => 1), em, { maskWeight: 3, backgroundWeight: 0.5, eyeMouthWeight: 2 });
  assert.equal([Math.max(...w), Math.min(...w)], [6, 4]);
});

test.run();
