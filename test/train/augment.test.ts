/**
 * The seeded generator and the augmentation: reproducible from a saved state, the identity
 * when every setting is zero, a mirror when flip is certain, and a warp that moves pixels
 * without destroying the face.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_AUGMENT, augmentFace } from '../../src/train/augment.ts';
import { Rng } from '../../src/util/rng.ts';
import { faceCrop } from '../helpers/data.ts';

const test = suite('train/augment');
const NONE = { rotation: 0, zoom: 0, shift: 0, flip: 0, lightness: 0, colour: 0, warp: 0 };
const mad = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

test('the generator continues the same stream from a saved state', () => {
  const a = Rng.fromSeed(42);
  for (let i = 0; i < 100; i++) a.next();
  const saved = a.state();
  const tail = Array.from({ length: 20 }, () => a.nextUint32());
  const b = Rng.fromState(saved);
  assert.equal(Array.from({ length: 20 }, () => b.nextUint32()), tail);
  assert.not.equal(Rng.fromSeed(1).state(), Rng.fromSeed(2).state());
  const r = Rng.fromSeed(7);
  const xs = Array.from({ length: 20000 }, () => r.normal());
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(sd - 1) < 0.03, `normal: mean ${mean.toFixed(3)}, sd ${sd.toFixed(3)}`);
});

test('with every setting zero, input and target are the face itself', async () => {
  const face = await faceCrop('a', 64);
  const { input, target } = augmentFace(face, 64, Rng.fromSeed(1), NONE);
  assert.ok(mad(target, face) < 1e-6);
  assert.ok(mad(input, face) < 1e-6);
});

test('flip mirrors the face', async () => {
  const face = await faceCrop('b', 64);
  const { target } = augmentFace(face, 64, Rng.fromSeed(1), { ...NONE, flip: 1 });
  for (const [u, v] of [[0, 0], [10, 20], [63, 40]] as const) {
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(target[(v * 64 + u) * 3 + c]! - face[(v * 64 + (63 - u)) * 3 + c]!) < 1e-5);
  }
});

test('the random warp changes the input, not the target, and keeps the face recognisable', async () => {
  const face = await faceCrop('a', 64);
  const { input, target } = augmentFace(face, 64, Rng.fromSeed(3), { ...NONE, warp: DEFAULT_AUGMENT.warp });
  assert.ok(mad(target, face) < 1e-6);
  const d = mad(input, target);
  assert.ok(d > 0.005 && d < 0.08, `mean abs difference ${d.toFixed(4)}`);
});

test('the same generator state gives the same augmentation', async () => {
  const face = await faceCrop('a', 64);
  const a = augmentFace(face, 64, Rng.fromSeed(9));
  const b = augmentFace(face, 64, Rng.fromSeed(9));
  assert.equal(Array.from(a.input), Array.from(b.input));
  assert.ok(mad(a.target, face) > 0.005, 'default settings do change the face');
});

test.run();
