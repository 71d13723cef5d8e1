/**
 * Model input and output: the coverage square, crops to [0, 1] floats at the model's size,
 * the output pasted back into that square (a round trip returns the crop), masks the same way,
 * and no tensor left behind (inputBatch's one tensor is the caller's).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { coverageBox, inputBatch, maskInput, modelInput, pasteMasks, pasteOutputs } from '../../src/model/input.ts';
import type { RgbImage } from '../../src/util/geometry.ts';
import { rng } from '../helpers/numbers.ts';

const test = suite('model/input');
test.before(async () => {
  await selectBackend('wasm');
});

function crop(size: number, seed: number): RgbImage {
  const r = rng(seed);
  return { width: size, height: size, data: Uint8Array.from({ length: size * size * 3 }, () => Math.floor(r() * 256)) };
}

test('coverageBox: the centred square the coverage keeps; a bad coverage is an error', () => {
  assert.equal(coverageBox(256, 0.75), { left: 32, top: 32, side: 192 });
  assert.equal(coverageBox(64, 1), { left: 0, top: 0, side: 64 });
  assert.throws(() => coverageBox(64, 0), /coverage in \(0, 1\]/);
  assert.throws(() => coverageBox(64, 1.2), /coverage in \(0, 1\]/);
});

test('modelInput: the coverage square at the model size, 0..1; a non-square crop is an error', async () => {
  const c = crop(16, 1);
  const x = await modelInput(c, 16, 1);
  assert.is(x.length, 16 * 16 * 3);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i]! - c.data[i]! / 255) < 1e-7);
  const inner = await modelInput(c, 8, 0.5); // the middle 8x8, as is
  for (let y = 0; y < 8; y++) for (let k = 0; k < 24; k++) assert.ok(Math.abs(inner[y * 24 + k]! - c.data[((y + 4) * 16 + 4) * 3 + k]! / 255) < 1e-7);
  const err = await modelInput({ width: 4, height: 2, data: new Uint8Array(24) }, 4).then(() => null, (e: Error) => e);
  assert.match(err?.message ?? '', /expected a square aligned crop, got 4x2/);
  const m = await maskInput({ width: 4, height: 4, data: Uint8Array.from({ length: 16 }, (_, i) => (i < 8 ? 255 : 0)) }, 4);
  assert.equal(Array.from(m), Array.from({ length: 16 }, (_, i) => (i < 8 ? 1 : 0)));
});

test('inputBatch gives one tensor [n, s, s, 3] and nothing else; paste round-trips and leaves no tensors', async () => {
  const before = tf.memory().numTensors;
  // a smooth first crop (gradients), so resampling it up and down again changes little
  const smooth: RgbImage = { width: 32, height: 32, data: Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => ((Math.floor(i / 3) % 32) * 4 + Math.floor(i / 96) * 3 + (i % 3) * 10)) };
  const crops = [smooth, crop(32, 3), crop(32, 4)];
  const x = await inputBatch(crops, 32, 0.5);
  assert.equal(x.shape, [3, 32, 32, 3]);
  assert.is(tf.memory().numTensors, before + 1);
  const first = tf.tidy(() => tf.slice(x, [0, 0, 0, 0], [1, 32, 32, 3]));
  // the middle 16x16 went in at 32x32; put back at 16x16 it is the crop again (within resampling)
  const [back] = await pasteOutputs([crops[0]!], first, 0.5);
  const box = coverageBox(32, 0.5);
  let worst = 0;
  for (let y = 0; y < 32; y++)
    for (let xx = 0; xx < 32; xx++)
      for (let k = 0; k < 3; k++) {
        const i = (y * 32 + xx) * 3 + k;
        const inside = y >= box.top && y < box.top + box.side && xx >= box.left && xx < box.left + box.side;
        if (!inside) assert.is(back!.data[i], crops[0]!.data[i], 'outside the square: untouched');
        else worst = Math.max(worst, Math.abs(back!.data[i]! - crops[0]!.data[i]!));
      }
  assert.ok(worst <= 4, `inside: the crop again, resampled (worst ${worst})`);
  // the batch pasted at once is each crop pasted alone, byte for byte
  const all = await pasteOutputs(crops, x, 0.5);
  for (const [i, c] of crops.entries()) {
    const one = tf.tidy(() => tf.slice(x, [i, 0, 0, 0], [1, 32, 32, 3]));
    assert.equal(all[i]!.data, (await pasteOutputs([c], one, 0.5))[0]!.data, `crop ${i}: batch = alone`);
    one.dispose();
  }
  // crops of other sizes in one batch: each gets its own square
  const two = tf.tidy(() => tf.slice(x, [1, 0, 0, 0], [2, 32, 32, 3]));
  const mixed = await pasteOutputs([crops[1]!, crop(48, 5)], two, 0.5);
  two.dispose();
  assert.equal([mixed[0]!.width, mixed[1]!.width], [32, 48]);
  assert.equal(mixed[0]!.data, all[1]!.data, 'the 32 crop pasted beside a 48 crop is the same');
  const maskOut = tf.tidy(() => tf.ones([1, 8, 8, 1]) as tf.Tensor4D);
  const [pasted] = await pasteMasks([32], maskOut, 0.5);
  assert.is(pasted!.data.reduce((a, b) => a + (b === 255 ? 1 : 0), 0), 16 * 16);
  assert.is(pasted!.data.reduce((a, b) => a + (b === 0 ? 1 : 0), 0), 32 * 32 - 16 * 16);
  tf.dispose([x, first, maskOut]);
  assert.is(tf.memory().numTensors, before, 'paste and batch leave nothing behind');
});

test.run();
