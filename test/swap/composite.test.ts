/**
 * Re-compositing with an identity "swap" (the aligned face itself) reproduces the original
 * frame; colour transfer brings a darkened face back to the frame's light; the replaced-pixel
 * mask covers the face only; seamless (Poisson) blending meets the frame at the mask's edge;
 * rct converts back only the pixels it is told are read, exactly as it would all of them; the
 * fast paths (the byte table of the sRGB curve, the min filter, the blend on the alpha's box
 * only, the pixels the blend reads) give exactly what the plain per-pixel definitions give, the
 * feather what plain box sums give, and the scratch arrays reused from face to face carry nothing
 * from one to the next.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { alignFace } from '../../src/face/align.ts';
import { detectFaces } from '../../src/face/face-api.ts';
import { extendedMask } from '../../src/face/mask.ts';
import { readFrame } from '../../src/media/decode.ts';
import type { RgbImage } from '../../src/util/geometry.ts';
import { COLOUR_METHODS, toByte, toByteExact } from '../../src/swap/colour.ts';
import { compositeFace, erode, feather, pixelsRead } from '../../src/swap/composite.ts';
import { similarity, composeAffine } from '../../src/media/warp-affine.ts';
import { bilinearAt, sampleBilinear } from '../../src/media/bilinear.ts';
import { seamlessClone } from '../../src/swap/seamless.ts';
import { SAMPLE_A, requireSamples } from '../helpers/fixtures.ts';
import { faceApi } from '../helpers/faces.ts';

const test = suite('swap/composite');
test.before(() => requireSamples());

function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / Math.max(1e-9, se / a.length));
}

async function setup() {
  const fa = await faceApi();
  const frame = await readFrame(SAMPLE_A, 50);
  const [face] = await detectFaces(fa, frame, { detector: 'ssd', minScore: 0.5, descriptors: false });
  const aligned = alignFace(frame, face!.landmarks, { size: 256, coverage: 1.6 });
  return { frame, aligned, mask: extendedMask(aligned.landmarks, 256) };
}

test('an identity swap composited back reproduces the frame', async () => {
  const { frame, aligned, mask } = await setup();
  for (const colour of ['none', 'rct', 'hist'] as const) {
    const { image, replaced } = compositeFace(frame, aligned.image, aligned.matrix, mask, { colour, erode: 2, feather: 4 });
    const p = psnr(image.data, frame.data);
    assert.ok(p > 36, `${colour}: PSNR ${p.toFixed(1)} dB against the original frame`);
    const area = replaced.data.reduce((s, v) => s + (v > 0 ? 1 : 0), 0) / replaced.data.length;
    assert.ok(area > 0.05 && area < 0.6, `${colour}: ${(area * 100).toFixed(1)}% of the frame replaced`);
    assert.is(replaced.data[0], 0, 'the corner is untouched');
  }
});

test('colour transfer (rct) brings a darkened face back to the original\'s light', async () => {
  const { aligned, mask } = await setup();
  const dark: RgbImage = { ...aligned.image, data: Uint8Array.from(aligned.image.data, (v) => Math.round(v * 0.6)) };
  const meanIn = (img: RgbImage) => {
    let s = 0;
    let n = 0;
    for (let i = 0; i < mask.data.length; i++) if (mask.data[i]! > 127) (s += img.data[i * 3]! + img.data[i * 3 + 1]! + img.data[i * 3 + 2]!), (n += 3);
    return s / n;
  };
  const fixed = COLOUR_METHODS.rct(aligned.image, dark, mask);
  const hist = COLOUR_METHODS.hist(aligned.image, dark, mask);
  const target = meanIn(aligned.image);
  assert.ok(Math.abs(meanIn(fixed) - target) < 3, `rct: ${meanIn(dark).toFixed(1)} -> ${meanIn(fixed).toFixed(1)} (original ${target.toFixed(1)})`);
  assert.ok(Math.abs(meanIn(hist) - target) < 3, `hist: ${meanIn(hist).toFixed(1)} (original ${target.toFixed(1)})`);
});

test("rct told which pixels are read converts those exactly as without, and leaves the rest as the new face's", async () => {
  const { aligned, mask } = await setup();
  const dark: RgbImage = { ...aligned.image, data: Uint8Array.from(aligned.image.data, (v) => Math.round(v * 0.6)) };
  const needed = Uint8Array.from(mask.data, (v, i) => (v > 0 || i % 7 === 0 ? 1 : 0));
  const all = COLOUR_METHODS.rct(aligned.image, dark, mask);
  const some = COLOUR_METHODS.rct(aligned.image, dark, mask, needed);
  let read = 0;
  for (let i = 0; i < needed.length; i++) {
    for (let c = 0; c < 3; c++) assert.is(some.data[i * 3 + c], needed[i] ? all.data[i * 3 + c] : dark.data[i * 3 + c], `pixel ${i} channel ${c}`);
    read += needed[i]!;
  }
  assert.ok(read > 0 && read < needed.length);
});

test('seamless blending: an identity swap is unchanged; a shifted face meets the frame at the mask edge and keeps its detail inside', async () => {
  const { frame, aligned, mask } = await setup();
  const { image } = compositeFace(frame, aligned.image, aligned.matrix, mask, { colour: 'none', seamless: true, erode: 2, feather: 4 });
  assert.ok(psnr(image.data, frame.data) > 36, `identity + seamless: ${psnr(image.data, frame.data).toFixed(1)} dB`);
  // a face 40 levels brighter: seamless brings the edge back to the original, keeps the inside's gradients
  const bright: RgbImage = { ...aligned.image, data: Uint8Array.from(aligned.image.data, (v) => Math.min(255, v + 40)) };
  const out = seamlessClone(aligned.image, bright, mask);
  const edge: number[] = [];
  const inner: number[] = [];
  const w = mask.width;
  const inside = erode(mask, 12);
  for (let i = 0; i < mask.data.length; i++) {
    if (!mask.data[i]) continue;
    const y = Math.floor(i / w);
    const x = i % w;
    const border = [i - 1, i + 1, i - w, i + w].some((j) => !mask.data[j]);
    const d = (out.data[i * 3 + 1]! - aligned.image.data[i * 3 + 1]!);
    if (border && x > 0 && y > 0) edge.push(Math.abs(d));
    if (inside.data[i]) inner.push(out.data[i * 3 + 1]! - bright.data[i * 3 + 1]!);
  }
  const mean = (a: number[]) => a.reduce((p, q) => p + q, 0) / a.length;
  assert.ok(mean(edge) < 4, `edge differs from the original by ${mean(edge).toFixed(2)} levels`);
  // inside, the result is the bright face plus a smooth correction: its gradients equal the face's
  let gradErr = 0;
  let n = 0;
  for (let i = 0; i < mask.data.length - 1; i++) {
    if (!inside.data[i] || !inside.data[i + 1]) continue;
    const g = (img: Uint8Array) => img[(i + 1) * 3 + 1]! - img[i * 3 + 1]!;
    if (bright.data[i * 3 + 1] === 255 || bright.data[(i + 1) * 3 + 1] === 255) continue;
    gradErr += Math.abs(g(out.data) - g(bright.data));
    n++;
  }
  assert.ok(gradErr / n < 1, `inner gradients differ by ${(gradErr / n).toFixed(2)} levels per pixel`);
  assert.ok(mean(inner) < -20, `the inside was pulled towards the original's light (${mean(inner).toFixed(1)})`);
});

test('erosion shrinks the mask', async () => {
  const { mask } = await setup();
  const count = (m: { data: Uint8Array }) => m.data.reduce((s, v) => s + (v ? 1 : 0), 0);
  assert.ok(count(erode(mask, 4)) < count(mask) * 0.97);
});

test('the sRGB byte table gives the byte the curve rounds to, at every step and between', () => {
  const f64 = new Float64Array(1);
  const bits = new BigInt64Array(f64.buffer);
  const next = (c: number, ulps: bigint) => ((f64[0] = c), (bits[0] = bits[0]! + ulps), f64[0]!);
  // the steps: where the exact byte changes, found by bisection here too
  let steps = 0;
  for (let k = 1; k <= 255; k++) {
    let lo = 0;
    let hi = 1.5;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (toByteExact(mid) >= k) hi = mid;
      else lo = mid;
    }
    for (let u = -3n; u <= 3n; u++) {
      const c = next(hi, u);
      assert.is(toByte(c), toByteExact(c), `byte ${k}: c = ${c}`);
    }
    steps++;
  }
  assert.is(steps, 255);
  let seed = 7;
  for (let i = 0; i < 200000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const c = (seed / 2147483648) * 1.3 - 0.1;
    assert.is(toByte(c), toByteExact(c), `c = ${c}`);
  }
  for (const c of [-1, 0, 1e-300, 1, 2, Infinity, -Infinity, Number.NaN]) assert.is(toByte(c), Number.isNaN(c) ? 0 : toByteExact(c), `c = ${c}`);
});

/** The mask, windows of it of odd sizes (widths not a multiple of 16 or 2, one narrower than the filters), and random bytes. */
async function masks() {
  const { mask } = await setup();
  const crop = (x0: number, y0: number, w: number, h: number) => ({ width: w, height: h, data: Uint8Array.from({ length: w * h }, (_, i) => mask.data[(y0 + Math.floor(i / w)) * mask.width + x0 + (i % w)]!) });
  let seed = 5;
  const random = (w: number, h: number) => ({ width: w, height: h, data: Uint8Array.from({ length: w * h }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed >> 23)) });
  return [mask, crop(60, 70, 37, 23), crop(100, 40, 5, 90), crop(20, 120, 211, 9), random(45, 29), random(19, 33)];
}

test('erode is the plain min filter (outside the image counts as 0)', async () => {
  for (const mask of await masks()) {
    for (const r of [1, 3, 6]) {
      const fast = erode(mask, r);
      const { width: w, height: h } = mask;
      const step = w * h > 10000 ? 3 : 1;
      for (let y = 0; y < h; y += step) {
        for (let x = 0; x < w; x += step) {
          let m = 255;
          for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) m = Math.min(m, x + dx < 0 || y + dy < 0 || x + dx >= w || y + dy >= h ? 0 : mask.data[(y + dy) * w + x + dx]!);
          assert.is(fast.data[y * w + x], m, `${w}x${h}, r ${r} at (${x}, ${y})`);
        }
      }
    }
  }
});

test('the blend covers every frame pixel the plain definition does: a rotated face, alpha in one corner of the crop', async () => {
  const { frame, aligned } = await setup();
  const size = 256;
  // alpha only in a corner square, and the crop turned, so the crop's box is mostly empty
  const mask = { width: size, height: size, data: new Uint8Array(size * size) };
  for (let y = 10; y < 90; y++) for (let x = 160; x < 250; x++) mask.data[y * size + x] = 255;
  const matrix = composeAffine(similarity(1, 0.4, 20, -30), aligned.matrix);
  const opts = { colour: 'none' as const, erode: 2, feather: 5 };
  const { image, replaced } = compositeFace(frame, aligned.image, matrix, mask, opts);
  const alpha = feather(erode(mask, opts.erode), opts.feather);
  let changed = 0;
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const u = matrix[0] * x + matrix[1] * y + matrix[2];
      const v = matrix[3] * x + matrix[4] * y + matrix[5];
      const o = (y * frame.width + x) * 3;
      let k = 0;
      if (u >= 0 && v >= 0 && u <= size - 1 && v <= size - 1) k = sampleBilinear(alpha, 1, bilinearAt(u, v, size, size), 0);
      const t = bilinearAt(u, v, size, size);
      for (let c = 0; c < 3; c++) {
        const want = k > 0 ? Math.round(k * sampleBilinear(aligned.image.data, 3, t, c) + (1 - k) * frame.data[o + c]!) : frame.data[o + c]!;
        if (image.data[o + c] !== want) assert.unreachable(`pixel (${x}, ${y}) channel ${c}: ${image.data[o + c]}, the definition gives ${want}`);
      }
      if (replaced.data[y * frame.width + x] !== (k > 0 ? Math.round(255 * k) : 0)) assert.unreachable(`replaced at (${x}, ${y})`);
      if (k > 0) changed++;
    }
  }
  assert.ok(changed > 3000, `${changed} pixels blended`);
});

test('feather is two box blurs of radius r (edges repeated): to float precision the plain sums, and bit for bit the running sums along each line', async () => {
  for (const mask of await masks()) {
    const { width: w, height: h } = mask;
    const clamp = (v: number, hi: number) => (v < 0 ? 0 : v > hi ? hi : v);
    // the running sum of one line of `len` values at src[start + i * step], as feather sums each row and column
    const line = (src: Float32Array, out: Float32Array, start: number, step: number, len: number, r: number) => {
      let s = 0;
      for (let d = -r; d <= r; d++) s += src[start + clamp(d, len - 1) * step]!;
      for (let i = 0; i < len; i++) {
        out[start + i * step] = s / (2 * r + 1);
        s += src[start + clamp(i + r + 1, len - 1) * step]! - src[start + clamp(i - r, len - 1) * step]!;
      }
    };
    for (const r of [1, 8]) {
      const fast = feather(mask, r);
      // the plain definition: each pass a mean over 2r + 1 pixels along the rows, then the columns
      let a = Float64Array.from(mask.data, (v) => v / 255);
      for (let pass = 0; pass < 2; pass++) {
        const rows = new Float64Array(a.length);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
          let s = 0;
          for (let d = -r; d <= r; d++) s += a[y * w + clamp(x + d, w - 1)]!;
          rows[y * w + x] = s / (2 * r + 1);
        }
        const cols = new Float64Array(a.length);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
          let s = 0;
          for (let d = -r; d <= r; d++) s += rows[clamp(y + d, h - 1) * w + x]!;
          cols[y * w + x] = s / (2 * r + 1);
        }
        a = cols;
      }
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(fast[i]! - a[i]!));
      assert.ok(worst < 1e-5, `r ${r}: differs by up to ${worst}`);
      if (mask.width === 256) assert.ok(fast.some((v) => v > 0 && v < 1), `r ${r}: a soft edge`);
      // the running sums line by line, each row then each column: the same floats
      const b = Float32Array.from(mask.data, (v) => v / 255);
      const tmp = new Float32Array(b.length);
      for (let k = 0; k < 2; k++) {
        for (let y = 0; y < h; y++) line(b, tmp, y * w, 1, w, r);
        for (let x = 0; x < w; x++) line(tmp, b, x, w, h, r);
      }
      for (let i = 0; i < b.length; i++) if (fast[i] !== b[i]) assert.unreachable(`${w}x${h}, r ${r}, pixel ${i}: ${fast[i]}, the running sums give ${b[i]}`);
    }
  }
});

test('the pixels the blend reads are the 3x3 neighbourhoods of those with alpha or mask, and the box is that of the alpha', async () => {
  const { mask: real } = await setup();
  // the real mask and alpha, and a random 37-pixel crop (a side not a multiple of 16; sparse alpha and mask)
  let seed = 9;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648);
  const small = { width: 37, height: 37, data: Uint8Array.from({ length: 37 * 37 }, () => (rand() < 0.03 ? 255 : 0)) };
  const cases: Array<[typeof real, Float32Array]> = [
    [real, feather(erode(real, 3), 8)],
    [small, Float32Array.from({ length: 37 * 37 }, () => (rand() < 0.05 ? rand() : 0))],
  ];
  for (const [mask, alpha] of cases) {
    const size = mask.width;
    const { needed, box } = pixelsRead(alpha, mask);
    let x0 = size, y0 = size, x1 = -1, y1 = -1;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (alpha[y * size + x]! > 0) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
        let want = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const [u, v] = [x + dx, y + dy];
          if (u >= 0 && v >= 0 && u < size && v < size && (alpha[v * size + u]! > 0 || mask.data[v * size + u])) want = 1;
        }
        if (needed[y * size + x] !== want) assert.unreachable(`${size}: (${x}, ${y}): ${needed[y * size + x]}, the definition gives ${want}`);
      }
    }
    assert.equal(box, [x0, y0, x1, y1]);
    assert.ok(x1 > x0 && y1 > y0, 'some alpha');
    assert.ok(needed.some((v) => !v), 'some pixels not read');
  }
});

test('compositing a face gives the same bytes whatever was composited before it (scratch arrays carry nothing over)', async () => {
  const { frame, aligned, mask } = await setup();
  const opts = { colour: 'rct' as const, erode: 3, feather: 8 };
  const first = compositeFace(frame, aligned.image, aligned.matrix, mask, opts);
  // between the two: another face (a smaller crop, a full mask, other settings) through every scratch array
  const small = { width: 128, height: 128, data: aligned.image.data.subarray(0, 128 * 128 * 3) };
  const full = { width: 128, height: 128, data: new Uint8Array(128 * 128).fill(255) };
  compositeFace(frame, small, composeAffine(similarity(0.5, 0, 0, 0), aligned.matrix), full, { colour: 'rct', erode: 1, feather: 2 });
  compositeFace(frame, aligned.image, composeAffine(similarity(1, 0.3, 5, 5), aligned.matrix), { ...mask, data: mask.data.map((v) => 255 - v) }, { colour: 'rct', erode: 6, feather: 20 });
  const again = compositeFace(frame, aligned.image, aligned.matrix, mask, opts);
  assert.ok(Buffer.from(first.image.data).equals(Buffer.from(again.image.data)), 'the same image');
  assert.ok(Buffer.from(first.replaced.data).equals(Buffer.from(again.replaced.data)), 'the same replaced pixels');
  assert.ok(first.replaced.data.some((v) => v > 0), 'a face was blended');
  // a mask of another size than the face is refused up front, not read out of bounds
  const half = { width: 128, height: 128, data: new Uint8Array(128 * 128) };
  assert.throws(() => compositeFace(frame, aligned.image, aligned.matrix, half, opts), /expected a square face and a mask of its size, got a 256x256 face and a 128x128 mask/);
});

test.run();
