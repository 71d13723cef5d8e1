/**
 * The one SSIM: ssimMap matches the textbook formula computed by hand on sample windows (7x7,
 * C1 = 0.01², C2 = 0.03², per channel), and metrics.json's SSIM / Mask-SSIM equal 1 - 2·DSSIM
 * of the training loss on the same images (whole image, and weighted by the same mask), so the
 * metric measures what the loss optimises. A batch scored at once (one readback) gives each
 * face's own value, as one face at a time did, within 1e-6. No tensors are left behind.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { dssim } from '../../src/model/losses.ts';
import { SSIM_WINDOW, ssimMap, weightedWindowMean, windowWeights } from '../../src/model/ssim.ts';
import { maskSsim, ssim, ssimBatch } from '../../src/swap/metrics.ts';
import { faceCrop } from '../helpers/data.ts';
import { randomArray } from '../helpers/numbers.ts';

const test = suite('model/ssim');
test.before(async () => {
  await selectBackend('wasm');
});

/** SSIM of one window (top-left x0, y0) of channel c of two HWC images, by the formula. */
function windowSsim(a: Float32Array, b: Float32Array, width: number, x0: number, y0: number, c: number): number {
  const n = SSIM_WINDOW * SSIM_WINDOW;
  let ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
  for (let y = y0; y < y0 + SSIM_WINDOW; y++)
    for (let x = x0; x < x0 + SSIM_WINDOW; x++) {
      const p = a[(y * width + x) * 3 + c]!;
      const q = b[(y * width + x) * 3 + c]!;
      ma += p / n;
      mb += q / n;
      saa += (p * p) / n;
      sbb += (q * q) / n;
      sab += (p * q) / n;
    }
  const va = saa - ma * ma;
  const vb = sbb - mb * mb;
  const cov = sab - ma * mb;
  const C1 = 0.01 ** 2;
  const C2 = 0.03 ** 2;
  return ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
}

const size = 32;
let face: Float32Array;
let noisy: Float32Array;
test.before(async () => {
  face = await faceCrop('a', size);
  const noise = randomArray(size * size * 3, 4, 0.15);
  noisy = face.map((v, i) => Math.min(1, Math.max(0, v + noise[i]!)));
});

test('ssimMap is the textbook SSIM: 7x7 windows, C1 = 0.01², C2 = 0.03², per channel', () => {
  const before = tf.memory().numTensors;
  const map = tf.tidy(() => ssimMap(tf.tensor4d(noisy, [1, size, size, 3]), tf.tensor4d(face, [1, size, size, 3])));
  assert.equal(map.shape, [1, size - SSIM_WINDOW + 1, size - SSIM_WINDOW + 1, 3]);
  const m = map.dataSync();
  const w = size - SSIM_WINDOW + 1;
  for (const [x, y] of [[0, 0], [5, 11], [w - 1, w - 1], [20, 3]] as const)
    for (let c = 0; c < 3; c++) {
      const want = windowSsim(noisy, face, size, x, y, c);
      const got = m[(y * w + x) * 3 + c]!;
      assert.ok(Math.abs(got - want) < 2e-4, `window (${x}, ${y}) channel ${c}: ${got} vs ${want}`);
    }
  map.dispose();
  assert.is(tf.memory().numTensors, before);
});

test("metrics.json's SSIM is 1 - 2·DSSIM of the loss on the same images", async () => {
  const before = tf.memory().numTensors;
  const metric = await ssim(noisy, face, size, size);
  const loss = tf.tidy(() => dssim(tf.tensor4d(noisy, [1, size, size, 3]), tf.tensor4d(face, [1, size, size, 3])).dataSync()[0]!);
  assert.ok(metric > 0.2 && metric < 0.95, `SSIM ${metric}`);
  assert.ok(Math.abs(metric - (1 - 2 * loss)) < 1e-5, `metric ${metric} vs loss ${1 - 2 * loss}`);
  assert.is(tf.memory().numTensors, before);
});

test('Mask-SSIM is 1 - 2·DSSIM weighted by the same mask; the mask changes the value', async () => {
  const before = tf.memory().numTensors;
  // the face's middle: a disc of radius 11
  const mask = Float32Array.from({ length: size * size }, (_, i) => (Math.hypot((i % size) - 15.5, Math.floor(i / size) - 15.5) < 11 ? 1 : 0));
  const metric = await maskSsim(noisy, face, mask, size, size);
  const loss = tf.tidy(() => dssim(tf.tensor4d(noisy, [1, size, size, 3]), tf.tensor4d(face, [1, size, size, 3]), SSIM_WINDOW, tf.tensor4d(mask, [1, size, size, 1])).dataSync()[0]!);
  assert.ok(Math.abs(metric - (1 - 2 * loss)) < 1e-5, `metric ${metric} vs loss ${1 - 2 * loss}`);
  assert.ok(Math.abs(metric - (await ssim(noisy, face, size, size))) > 1e-3, 'the mask selects windows');
  assert.ok(Number.isNaN(await maskSsim(noisy, face, new Float32Array(size * size), size, size)), 'an empty mask has no SSIM');
  assert.is(tf.memory().numTensors, before);
});

test('a batch scored at once gives each real face its own SSIM and Mask-SSIM, as one at a time (within 1e-6)', async () => {
  const before = tf.memory().numTensors;
  const faces = [await faceCrop('a', size), await faceCrop('b', size), face];
  const others = [noisy, await faceCrop('a', size), await faceCrop('b', size)];
  const disc = (r: number) => Float32Array.from({ length: size * size }, (_, i) => (Math.hypot((i % size) - 15.5, Math.floor(i / size) - 15.5) < r ? 1 : 0));
  const masks = [disc(11), disc(14), new Float32Array(size * size)];
  /** One face at a time, as metrics.json and the probe scored before: the scalar mean of one image's windows. */
  const alone = (k: number, masked: boolean) =>
    tf.tidy(() => {
      const map = ssimMap(tf.tensor4d(others[k]!, [1, size, size, 3]), tf.tensor4d(faces[k]!, [1, size, size, 3]));
      const w = masked ? windowWeights(tf.tensor4d(masks[k]!, [1, size, size, 1])) : null;
      return [weightedWindowMean(map, w).dataSync()[0]!, w ? tf.sum(w).dataSync()[0]! : 1] as const;
    });
  const batch = (arrays: Float32Array[], ch: number) => tf.tensor4d(Float32Array.from(arrays.flatMap((a) => Array.from(a))), [arrays.length, size, size, ch]);
  const [x, y, m] = [batch(others, 3), batch(faces, 3), batch(masks, 1)];
  const [plain, masked] = [await ssimBatch(x, y), await ssimBatch(x, y, m)];
  tf.dispose([x, y, m]);
  for (let k = 0; k < faces.length; k++) {
    const [want] = alone(k, false);
    assert.ok(Math.abs(plain[k]! - want) < 1e-6, `face ${k}: batch ${plain[k]} vs alone ${want}`);
    assert.ok(Math.abs(plain[k]! - (await ssim(others[k]!, faces[k]!, size, size))) < 1e-6);
    const [wantM, total] = alone(k, true);
    if (total > 0) assert.ok(Math.abs(masked[k]! - wantM) < 1e-6, `face ${k} masked: batch ${masked[k]} vs alone ${wantM}`);
    else assert.ok(Number.isNaN(masked[k]!), 'an empty mask has no SSIM');
  }
  assert.ok(plain[0]! < 0.95 && plain[1]! < 0.5, 'the pairs differ (noise, another person)');
  assert.is(tf.memory().numTensors, before);
});

test.run();
