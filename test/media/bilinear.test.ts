/**
 * The one bilinear sampler: exact at pixel centres, linear between them, edges repeated. A
 * bilinear function (a + bx + cy + dxy) sampled at its pixels is given back exactly at any point
 * between them, so random images of such planes check every point against a known value:
 * float images of 1 to 4 channels (augmentation), a uint8 crop and its alpha through one tap
 * (compositing), and warpAffine's rounding and borders (alignment); warpAffine, which writes the
 * sampler out over locals, gives on noise the very bytes sampling through a tap gives.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bilinearAt, newTap, sampleBilinear } from '../../src/media/bilinear.ts';
import { IDENTITY, similarity, warpAffine } from '../../src/media/warp-affine.ts';
import type { RgbImage } from '../../src/util/geometry.ts';
import { rng } from '../helpers/numbers.ts';

const test = suite('media/bilinear');

/** A bilinear function of the point: bilinear interpolation of its pixels gives it back exactly. */
type Plane = (x: number, y: number) => number;
const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);

/** An interleaved `width` x `height` image whose channel c holds planes[c] at each pixel. */
function imageOf<T extends Float64Array | Uint8Array>(make: (n: number) => T, width: number, height: number, planes: Plane[]): T {
  const img = make(width * height * planes.length);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) planes.forEach((f, c) => (img[(y * width + x) * planes.length + c] = f(x, y)));
  return img;
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

test('a bilinear function is reproduced exactly between pixels, and at the clamped point outside (1 to 4 channels)', () => {
  const r = rng(11);
  for (const ch of [1, 2, 3, 4]) {
    const width = 5 + Math.floor(r() * 20);
    const height = 5 + Math.floor(r() * 20);
    const planes = Array.from({ length: ch }, (): Plane => {
      const [a, b, c, d] = [r() * 4 - 2, r() * 4 - 2, r() * 4 - 2, r() * 0.4 - 0.2];
      return (x, y) => a + b * x + c * y + d * x * y;
    });
    const img = imageOf((n) => new Float64Array(n), width, height, planes);
    const t = newTap();
    for (let k = 0; k < 400; k++) {
      const x = r() * (width + 6) - 3;
      const y = r() * (height + 6) - 3;
      bilinearAt(x, y, width, height, t);
      assert.ok(Math.abs(t.w00 + t.w10 + t.w01 + t.w11 - 1) < 1e-12, 'weights sum to 1');
      for (let c = 0; c < ch; c++) {
        const want = planes[c]!(clamp(x, width - 1), clamp(y, height - 1));
        assert.ok(Math.abs(sampleBilinear(img, ch, t, c) - want) < 1e-9, `ch ${c} at (${x}, ${y}): ${sampleBilinear(img, ch, t, c)} vs ${want}`);
      }
    }
  }
});

test('one tap reads a uint8 colour crop and its float alpha (as compositing does), exactly', () => {
  const size = 15;
  const colour: Plane[] = [(x, y) => 1 + x + 2 * y + x * y, (x, y) => 60 + 5 * x + 4 * y, (x, y) => 240 - 6 * x - 9 * y]; // all within 0..255
  const alphaPlane: Plane = (x, y) => 0.25 + 0.02 * x + 0.03 * y;
  const rgb = imageOf((n) => new Uint8Array(n), size, size, colour);
  const alpha = imageOf((n) => new Float64Array(n), size, size, [alphaPlane]);
  assert.is(rgb[(14 * size + 14) * 3]!, 1 + 14 + 28 + 196, 'the uint8 image holds the planes unclipped');
  const r = rng(12);
  for (let k = 0; k < 500; k++) {
    const u = r() * (size - 1);
    const v = r() * (size - 1);
    const t = bilinearAt(u, v, size, size);
    assert.ok(Math.abs(sampleBilinear(alpha, 1, t, 0) - alphaPlane(u, v)) < 1e-12, `alpha at (${u}, ${v})`);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(sampleBilinear(rgb, 3, t, c) - colour[c]!(u, v)) < 1e-9, `colour ${c} at (${u}, ${v})`);
  }
});

test('warpAffine: the identity and a whole-pixel shift copy pixels; a similarity samples the source to the nearest level (non-square, both borders)', () => {
  const r = rng(13);
  const [sw, sh] = [53, 31];
  const noise: RgbImage = { width: sw, height: sh, data: Uint8Array.from({ length: sw * sh * 3 }, () => Math.floor(r() * 256)) };
  const pixel = (img: RgbImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
  const copy = warpAffine(noise, IDENTITY, 40, 24);
  const shifted = warpAffine(noise, [1, 0, 7, 0, 1, 4], 40, 24);
  for (let v = 0; v < 24; v++)
    for (let u = 0; u < 40; u++) {
      assert.equal(pixel(copy, u, v), pixel(noise, u, v), `identity (${u}, ${v})`);
      assert.equal(pixel(shifted, u, v), pixel(noise, u + 7, v + 4), `shift (${u}, ${v})`);
    }
  // planes within 0..255 over the source: every output is the plane at the (clamped) source point, rounded
  const planes: Plane[] = [(x, y) => 10 + 3 * x + 2 * y, (x, y) => 240 - 2 * x - 3 * y, (x, y) => 20 + x + 5 * y];
  const src: RgbImage = { width: sw, height: sh, data: imageOf((n) => new Uint8Array(n), sw, sh, planes) };
  const fill = [7, 77, 177] as const;
  let outside = 0;
  for (let k = 0; k < 5; k++) {
    const inverse = similarity(0.4 + r() * 1.5, r() * 6, r() * 40 - 10, r() * 30 - 10);
    const out = warpAffine(src, inverse, 40, 24);
    const constant = warpAffine(src, inverse, 40, 24, { border: 'constant', fill });
    for (let v = 0; v < 24; v++)
      for (let u = 0; u < 40; u++) {
        const x = inverse[0] * u + inverse[1] * v + inverse[2];
        const y = inverse[3] * u + inverse[4] * v + inverse[5];
        const want = planes.map((f) => f(clamp(x, sw - 1), clamp(y, sh - 1)));
        const got = pixel(out, u, v);
        assert.ok(got.every((g, c) => Math.abs(g - want[c]!) <= 0.5 + 1e-6), `replicate (${u}, ${v}): ${got} vs ${want}`);
        // more than half a pixel past the edge is outside the image
        const off = x < -0.5 || y < -0.5 || x > sw - 0.5 || y > sh - 0.5;
        outside += off ? 1 : 0;
        assert.equal(pixel(constant, u, v), off ? [...fill] : got, `constant (${u}, ${v})`);
      }
  }
  assert.ok(outside > 100 && outside < 5 * 40 * 24 - 100, `both borders are exercised (${outside} points outside)`);
});

test('warpAffine gives on noise the very bytes the tap gives (its own loop is the sampler written out), at the edges too', () => {
  const r = rng(29);
  const [sw, sh] = [61, 37];
  const noise: RgbImage = { width: sw, height: sh, data: Uint8Array.from({ length: sw * sh * 3 }, () => Math.floor(r() * 256)) };
  const t = newTap();
  let checked = 0;
  for (let k = 0; k < 6; k++) {
    const inverse = similarity(0.3 + r() * 2, r() * 6, r() * 50 - 15, r() * 30 - 10);
    const out = warpAffine(noise, inverse, 45, 29);
    for (let v = 0, o = 0; v < 29; v++) {
      // the warp steps along a row by adding (a, d): the same points here
      let x = inverse[1] * v + inverse[2];
      let y = inverse[4] * v + inverse[5];
      for (let u = 0; u < 45; u++, x += inverse[0], y += inverse[3], o += 3) {
        bilinearAt(x, y, sw, sh, t);
        for (let c = 0; c < 3; c++) {
          const want = Math.trunc(sampleBilinear(noise.data, 3, t, c) + 0.5);
          if (out.data[o + c] !== want) assert.unreachable(`map ${k} at (${u}, ${v}) channel ${c}: ${out.data[o + c]}, the tap gives ${want}`);
          checked++;
        }
      }
    }
  }
  assert.is(checked, 6 * 45 * 29 * 3);
});

test.run();
