/**
 * Losses: DSSIM is 0 for identical images and grows with damage; mask weighting makes errors
 * in the face count more; both train on wasm (their gradients exist there).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { dssim, reconstructionLoss } from '../../src/model/losses.ts';
import { faceCrop, randomArray } from '../helpers/data.ts';

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

test.run();
