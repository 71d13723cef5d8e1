/**
 * The one bilinear sampler: exact at pixel centres, linear between them, edges repeated, and
 * equal to the three samplers it replaced (warp-affine's, augment's, composite's: kept here as
 * references, written as they were) on random images and points, inside and outside.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bilinearAt, newTap, sampleBilinear } from '../../src/media/bilinear.ts';
import { similarity, warpAffine } from '../../src/media/warp-affine.ts';
import type { RgbImage } from '../../src/util/geometry.ts';
import { rng } from '../helpers/numbers.ts';

const test = suite('media/bilinear');

/** media/warp-affine.ts's sampler before the merge: one RGB pixel, rounded. */
function warpReference(s: Uint8Array, sw: number, sh: number, x: number, y: number): number[] {
  const xc = x < 0 ? 0 : x > sw - 1 ? sw - 1 : x;
  const yc = y < 0 ? 0 : y > sh - 1 ? sh - 1 : y;
  const x0 = Math.floor(xc);
  const y0 = Math.floor(yc);
  const x1 = x0 + 1 < sw ? x0 + 1 : x0;
  const y1 = y0 + 1 < sh ? y0 + 1 : y0;
  const fx = xc - x0;
  const fy = yc - y0;
  const p = (xx: number, yy: number, ch: number) => s[(yy * sw + xx) * 3 + ch]!;
  return [0, 1, 2].map((ch) => Math.floor((1 - fx) * (1 - fy) * p(x0, y0, ch) + fx * (1 - fy) * p(x1, y0, ch) + (1 - fx) * fy * p(x0, y1, ch) + fx * fy * p(x1, y1, ch) + 0.5));
}

/** train/augment.ts's sampler before the merge: all channels of a square float image. */
function augmentReference(img: Float32Array, size: number, ch: number, x: number, y: number): number[] {
  const xc = x < 0 ? 0 : x > size - 1 ? size - 1 : x;
  const yc = y < 0 ? 0 : y > size - 1 ? size - 1 : y;
  const x0 = Math.floor(xc);
  const y0 = Math.floor(yc);
  const x1 = x0 + 1 < size ? x0 + 1 : size - 1;
  const y1 = y0 + 1 < size ? y0 + 1 : size - 1;
  const fx = xc - x0;
  const fy = yc - y0;
  const at = (xx: number, yy: number, c: number) => img[(yy * size + xx) * ch + c]!;
  return Array.from({ length: ch }, (_, c) => (1 - fx) * (1 - fy) * at(x0, y0, c) + fx * (1 - fy) * at(x1, y0, c) + (1 - fx) * fy * at(x0, y1, c) + fx * fy * at(x1, y1, c));
}

/** swap/composite.ts's sampler before the merge: one channel at a point inside the crop. */
function compositeReference(img: ArrayLike<number>, size: number, ch: number, c: number, u: number, v: number): number {
  const ui = Math.floor(u);
  const vi = Math.floor(v);
  const u1 = Math.min(ui + 1, size - 1);
  const v1 = Math.min(vi + 1, size - 1);
  const fu = u - ui;
  const fv = v - vi;
  const p = (uu: number, vv: number) => img[(vv * size + uu) * ch + c]!;
  return (1 - fu) * (1 - fv) * p(ui, vi) + fu * (1 - fv) * p(u1, vi) + (1 - fu) * fv * p(ui, v1) + fu * fv * p(u1, v1);
}

test('exact at pixel centres, the mean between four pixels, the edge pixel outside', () => {
  // 2x2 grey image: 0 10 / 20 30
  const img = Float32Array.of(0, 10, 20, 30);
  const at = (x: number, y: number) => sampleBilinear(img, 1, bilinearAt(x, y, 2, 2), 0);
  assert.is(at(0, 0), 0);
  assert.is(at(1, 0), 10);
  assert.is(at(0, 1), 20);
  assert.is(at(1, 1), 30);
  assert.is(at(0.5, 0.5), 15);
  assert.is(at(0.25, 0), 2.5);
  assert.is(at(-3, -1), 0);
  assert.is(at(5, 0.5), 20);
  const t = bilinearAt(0.3, 0.8, 2, 2);
  assert.ok(Math.abs(t.w00 + t.w10 + t.w01 + t.w11 - 1) < 1e-12, 'weights sum to 1');
});

test('equal to the augmentation sampler it replaced (1 to 4 channels, points inside and out)', () => {
  const r = rng(11);
  for (const ch of [1, 2, 3, 4]) {
    const size = 5 + Math.floor(r() * 20);
    const img = Float32Array.from({ length: size * size * ch }, () => r());
    const t = newTap();
    for (let k = 0; k < 400; k++) {
      const x = r() * (size + 6) - 3;
      const y = r() * (size + 6) - 3;
      bilinearAt(x, y, size, size, t);
      const ref = augmentReference(img, size, ch, x, y);
      for (let c = 0; c < ch; c++) assert.ok(Math.abs(sampleBilinear(img, ch, t, c) - ref[c]!) < 1e-12, `ch ${c} at (${x}, ${y})`);
    }
  }
});

test('equal to the compositing sampler it replaced (inside the crop, colour and alpha)', () => {
  const r = rng(12);
  const size = 17;
  const rgb = Uint8Array.from({ length: size * size * 3 }, () => Math.floor(r() * 256));
  const alpha = Float32Array.from({ length: size * size }, () => r());
  for (let k = 0; k < 500; k++) {
    const u = r() * (size - 1);
    const v = r() * (size - 1);
    const t = bilinearAt(u, v, size, size);
    assert.ok(Math.abs(sampleBilinear(alpha, 1, t, 0) - compositeReference(alpha, size, 1, 0, u, v)) < 1e-12);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(sampleBilinear(rgb, 3, t, c) - compositeReference(rgb, size, 3, c, u, v)) < 1e-9);
  }
});

test('warpAffine through it equals the warp it replaced, pixel for pixel (non-square source, both borders)', () => {
  const r = rng(13);
  const src: RgbImage = { width: 53, height: 31, data: Uint8Array.from({ length: 53 * 31 * 3 }, () => Math.floor(r() * 256)) };
  for (let k = 0; k < 5; k++) {
    const inverse = similarity(0.4 + r() * 1.5, r() * 6, r() * 40 - 10, r() * 30 - 10);
    const out = warpAffine(src, inverse, 40, 24);
    const fill = [7, 77, 177] as const;
    const constant = warpAffine(src, inverse, 40, 24, { border: 'constant', fill });
    for (let v = 0; v < 24; v++)
      for (let u = 0; u < 40; u++) {
        const x = inverse[0] * u + inverse[1] * v + inverse[2];
        const y = inverse[3] * u + inverse[4] * v + inverse[5];
        const ref = warpReference(src.data, src.width, src.height, x, y);
        const o = (v * 40 + u) * 3;
        assert.equal(Array.from(out.data.subarray(o, o + 3)), ref, `replicate (${u}, ${v})`);
        const outside = x < -0.5 || y < -0.5 || x > src.width - 0.5 || y > src.height - 0.5;
        assert.equal(Array.from(constant.data.subarray(o, o + 3)), outside ? [...fill] : ref, `constant (${u}, ${v})`);
      }
  }
});

test.run();
