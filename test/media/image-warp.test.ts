import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { faceApiDemoDir } from '../../src/face/package-files.ts';
import { readImage, writeImage } from '../../src/media/image.ts';
import { applyAffine, composeAffine, invertAffine, similarity, warpAffine, IDENTITY } from '../../src/media/warp-affine.ts';
import { UserError } from '../../src/util/errors.ts';
import { tempDir } from '../helpers/fixtures.ts';
import type { RgbImage } from '../../src/util/geometry.ts';

const test = suite('media/image-warp');
const tmp = tempDir('image');
test.after(() => tmp.cleanup());

let photo: RgbImage;
test.before(async () => {
  photo = await readImage(join(faceApiDemoDir(), 'sample1.jpg'));
});

test('reads a face-api demo photo as RGB at its real size', () => {
  assert.is(photo.width, 1920);
  assert.is(photo.height, 1280);
  assert.is(photo.data.length, 1920 * 1280 * 3);
});

test('PNG write then read is lossless', async () => {
  const crop = warpAffine(photo, [1, 0, 400, 0, 1, 350], 200, 240);
  const f = join(tmp.dir, 'crop.png');
  await writeImage(f, crop);
  const back = await readImage(f);
  assert.is(back.width, 200);
  assert.is(back.height, 240);
  assert.ok(Buffer.compare(Buffer.from(back.data), Buffer.from(crop.data)) === 0);
});

test('an unreadable image and an unknown extension are clear errors', async () => {
  try {
    await readImage(join(tmp.dir, 'missing.png'));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /image file not found: ".*missing\.png"/);
  }
  try {
    await writeImage(join(tmp.dir, 'x.bmp'), { width: 1, height: 1, data: new Uint8Array(3) });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /expected an image file name ending in \.png\|\.jpg\|\.jpeg\|\.webp, got "\.bmp"/);
  }
});

test('identity warp and integer translation copy pixels exactly', () => {
  const small = warpAffine(photo, [1, 0, 500, 0, 1, 400], 64, 64);
  const same = warpAffine(small, IDENTITY, 64, 64);
  assert.ok(Buffer.compare(Buffer.from(same.data), Buffer.from(small.data)) === 0);
  const shifted = warpAffine(small, [1, 0, 3, 0, 1, 2], 32, 32); // out(u,v) = small(u+3, v+2)
  for (const [u, v] of [[0, 0], [10, 7], [31, 31]] as const) {
    for (let c = 0; c < 3; c++) assert.is(shifted.data[(v * 32 + u) * 3 + c], small.data[((v + 2) * 64 + (u + 3)) * 3 + c]);
  }
});

test('a warp of only the marked pixels gives those exactly as the whole warp, and 0 elsewhere', () => {
  const m = similarity(0.7, 0.3, 400, 250);
  const whole = warpAffine(photo, m, 96, 80);
  const only = Uint8Array.from({ length: 96 * 80 }, (_, i) => (i % 5 === 0 || i % 7 === 0 ? 1 : 0));
  const some = warpAffine(photo, m, 96, 80, { only });
  for (let i = 0; i < only.length; i++) for (let c = 0; c < 3; c++) assert.is(some.data[i * 3 + c], only[i] ? whole.data[i * 3 + c] : 0, `pixel ${i}`);
});

test('invert and compose are exact inverses; warp then inverse warp restores the region', () => {
  const m = similarity(0.8, 0.3, 40, -12);
  const back = composeAffine(invertAffine(m), m);
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(back[i]! - IDENTITY[i]!) < 1e-12);
  const [x, y] = applyAffine(m, 10, 20);
  const [x2, y2] = applyAffine(invertAffine(m), x, y);
  assert.ok(Math.abs(x2 - 10) < 1e-9 && Math.abs(y2 - 20) < 1e-9);
  // forward: a face region rotated and scaled up into a 256 crop; inverse: back to the original frame
  const region = warpAffine(photo, [1, 0, 420, 0, 1, 360], 200, 200);
  const fwd = similarity(1.2, 0.2, 20, -10); // region -> crop
  const crop = warpAffine(region, invertAffine(fwd), 256, 256);
  const restored = warpAffine(crop, fwd, 200, 200);
  let err = 0;
  let n = 0;
  for (let v = 40; v < 160; v++) for (let u = 40; u < 160; u++) for (let c = 0; c < 3; c++) {
    err += Math.abs(restored.data[(v * 200 + u) * 3 + c]! - region.data[(v * 200 + u) * 3 + c]!);
    n++;
  }
  assert.ok(err / n < 4, `mean abs error ${(err / n).toFixed(2)} (of 255) after warp + inverse warp`);
});

test('constant border fills outside the source', () => {
  const out = warpAffine({ width: 2, height: 2, data: new Uint8Array(12).fill(100) }, [1, 0, -5, 0, 1, 0], 4, 1, { border: 'constant', fill: [1, 2, 3] });
  assert.equal(Array.from(out.data.slice(0, 3)), [1, 2, 3]);
});

test.run();
