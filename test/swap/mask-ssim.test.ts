/**
 * Mask-SSIM per fake (swap/mask-ssim.ts) on frames of the sample clips: a frame against itself
 * is 1; the face region replaced by another person's, or blurred, is lower; a change outside the
 * mask (the rest of the frame, up to the mask's edge) does not count; an empty mask has none,
 * frames of two sizes are an error;
 * the mask's bounding box gives the value the whole frame does. On videos (lossless, so decoding
 * gives back what was written): the frames asked for whose mask is not empty are measured, each
 * as frameMaskSsim scores it. metrics.json takes the new field, and files without it still read.
 *
 * @tier e2e (encodes and decodes videos: about 20 s)
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { decodeFrames, readFrame } from '../../src/media/decode.ts';
import { openVideoWriter } from '../../src/media/encode.ts';
import type { Pixels } from '../../src/swap/flicker.ts';
import { frameMaskSsim, maskBox, videoMaskSsim } from '../../src/swap/mask-ssim.ts';
import { METRICS_SCHEMA, SwapMetrics } from '../../src/swap/metrics-file.ts';
import { maskSsim } from '../../src/swap/metrics.ts';
import { SAMPLE_A, SAMPLE_B, requireSamples, tempDir } from '../helpers/fixtures.ts';

const test = suite('swap/mask-ssim');
const tmp = tempDir('mask-ssim');
let a: Pixels;
let b: Pixels;
test.before(async () => {
  requireSamples();
  await selectBackend('wasm');
  a = await readFrame(SAMPLE_A, 20);
  b = await readFrame(SAMPLE_B, 20);
});
test.after(() => tmp.cleanup());

const W = 512;
/** A disc over the face of the 512x512 sample frames, with a feathered edge of `feather` px (blend weights in the first channel). */
function disc(cx = 256, cy = 240, r = 110, feather = 0): Pixels {
  const data = new Uint8Array(W * W * 3);
  for (let y = 0; y < W; y++)
    for (let x = 0; x < W; x++) {
      const d = Math.hypot(x - cx, y - cy);
      const w = d <= r - feather ? 255 : d < r ? Math.round((255 * (r - d)) / feather) : 0;
      data.fill(w, (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
  return { width: W, height: W, data };
}

/** `base` with the pixels where `where(x, y)` taken from `from`. */
function mixed(base: Pixels, from: Pixels, where: (x: number, y: number) => boolean): Pixels {
  const data = Uint8Array.from(base.data);
  for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) if (where(x, y)) for (let c = 0; c < 3; c++) data[(y * W + x) * 3 + c] = from.data[(y * W + x) * 3 + c]!;
  return { width: W, height: W, data };
}

/** A 5x5 box blur of the whole frame. */
function blurred(img: Pixels): Pixels {
  const data = new Uint8Array(img.data.length);
  for (let y = 0; y < W; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        let n = 0;
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
          const u = x + dx;
          const v = y + dy;
          if (u < 0 || v < 0 || u >= W || v >= W) continue;
          s += img.data[(v * W + u) * 3 + c]!;
          n++;
        }
        data[(y * W + x) * 3 + c] = Math.round(s / n);
      }
  return { width: W, height: W, data };
}

const inDisc = (x: number, y: number, r = 110) => Math.hypot(x - 256, y - 240) <= r;

test('a frame against itself is 1; the face replaced or blurred is lower', async () => {
  const mask = disc();
  assert.ok(Math.abs((await frameMaskSsim(a, a, mask))! - 1) < 1e-4);
  const swapped = await frameMaskSsim(a, mixed(a, b, inDisc), mask);
  assert.ok(swapped! < 0.6, `another person's face: ${swapped}`);
  const soft = await frameMaskSsim(a, blurred(a), mask);
  assert.ok(soft! < 0.98 && soft! > swapped!, `a blurred face: ${soft} (another face: ${swapped})`);
});

test('a change outside the mask does not count, up to its edge; an empty mask has no Mask-SSIM', async () => {
  const mask = disc(256, 240, 110, 8);
  // everything outside the disc is the other clip's frame
  assert.ok(Math.abs((await frameMaskSsim(a, mixed(b, a, inDisc), mask))! - 1) < 1e-4, 'outside changed');
  // a ring hugging the disc's edge, inside the bounding box
  const ring = mixed(a, blurred(b), (x, y) => !inDisc(x, y) && inDisc(x, y, 130));
  assert.ok(Math.abs((await frameMaskSsim(a, ring, mask))! - 1) < 1e-4, 'a ring just outside the mask');
  assert.is(await frameMaskSsim(a, b, { width: W, height: W, data: new Uint8Array(W * W * 3) }), null);
  const err = await frameMaskSsim(a, b, { width: 2, height: 2, data: new Uint8Array(12) }).then(() => null, (e: Error) => e);
  assert.match(err?.message ?? '', /expected frames of one size, got source 512x512, output 512x512, mask 2x2/);
});

test('the mask\'s bounding box gives the value the whole frame does', async () => {
  const mask = disc(300, 200, 60, 6);
  assert.equal(maskBox(mask), { x: 241, y: 141, width: 119, height: 119 });
  const out = mixed(a, blurred(b), (x, y) => Math.hypot(x - 300, y - 200) < 40);
  const f = (img: Pixels) => Float32Array.from(img.data, (v) => v / 255);
  const weights = Float32Array.from({ length: W * W }, (_, i) => mask.data[i * 3]! / 255);
  const whole = await maskSsim(f(out), f(a), weights, W, W);
  const boxed = await frameMaskSsim(a, out, mask);
  assert.ok(Math.abs(boxed! - whole) < 1e-5, `box ${boxed} vs whole frame ${whole}`);
});

/** The 256x256 middle of a 512x512 frame: the face, smaller videos. */
const V = 256;
function middle(img: Pixels): Pixels {
  const data = new Uint8Array(V * V * 3);
  for (let y = 0; y < V; y++) data.set(img.data.subarray(((y + 112) * W + 128) * 3, ((y + 112) * W + 128 + V) * 3), y * V * 3);
  return { width: V, height: V, data };
}

async function writeVideo(file: string, frames: Pixels[]): Promise<void> {
  const w = await openVideoWriter({ out: file, width: V, height: V, fps: { num: 25, den: 1 }, crf: 0, preset: 'ultrafast', deterministic: true });
  for (const f of frames) await w.write(f.data);
  await w.close();
}

async function framesOf(file: string, maxFrames?: number): Promise<Pixels[]> {
  const out: Pixels[] = [];
  for await (const f of decodeFrames(file, { maxFrames })) out.push({ width: f.width, height: f.height, data: Uint8Array.from(f.data) });
  return out;
}

test('on videos: the frames asked for whose mask is not empty, each as frameMaskSsim scores it', async () => {
  const source = (await framesOf(SAMPLE_A, 6)).map(middle);
  const faces = new Set([2, 3, 4]);
  const face = middle(disc(256, 240, 90));
  const other = middle(blurred(b));
  const inFace = (x: number, y: number) => face.data[(y * V + x) * 3]! > 0;
  const output = source.map((s, i) => (faces.has(i) ? mixed(s, other, inFace) : s));
  const empty: Pixels = { width: V, height: V, data: new Uint8Array(V * V * 3) };
  const masks = source.map((_, i) => (faces.has(i) ? face : empty));
  const [src, out, msk] = ['source.mp4', 'output.mp4', 'mask.mp4'].map((f) => join(tmp.dir, f)) as [string, string, string];
  await Promise.all([writeVideo(src, source), writeVideo(out, output), writeVideo(msk, masks)]);
  const [s, o, m] = await Promise.all([framesOf(src), framesOf(out), framesOf(msk)]);
  const expected = async (i: number) => (await frameMaskSsim(s[i]!, o[i]!, m[i]!))!;

  const r = await videoMaskSsim(src, out, msk, [1, 3, 4]);
  assert.is(r!.frames, 2, 'frame 1 has an empty mask');
  const want = ((await expected(3)) + (await expected(4))) / 2;
  assert.ok(Math.abs(r!.mean - want) < 1e-9 && r!.mean < 0.8, `mean ${r!.mean} vs ${want}`);
  const all = await videoMaskSsim(src, out, msk);
  assert.is(all!.frames, 3, 'every frame with a mask');
  assert.is(await videoMaskSsim(src, out, msk, [0, 1]), null, 'no frame asked for has a mask');
  assert.is(await videoMaskSsim(src, out, msk, []), null);
});

test('metrics.json: maskSsim validated; files written before it still read; null when unmeasured', () => {
  const m = {
    schema: METRICS_SCHEMA,
    direction: 'a-to-b',
    identities: { source: 'a', target: 'b' },
    model: { iteration: 10, fingerprint: 'f', preset: 'tiny' },
    identity: { what: 'x', threshold: 0.6, swapped: null, originals: null, identityChanged: null },
    reconstruction: { what: 'y' },
    frames: { total: 10, swapped: 5, skipped: 0 },
    sample: { source: 5, target: 5 },
    flicker: null,
  };
  assert.ok(SwapMetrics.safeParse(m).success, 'without maskSsim (an older file)');
  assert.ok(SwapMetrics.safeParse({ ...m, maskSsim: null }).success);
  assert.equal(SwapMetrics.parse({ ...m, maskSsim: { what: 'z', mean: 0.87, frames: 48 } }).maskSsim, { what: 'z', mean: 0.87, frames: 48 });
  assert.not.ok(SwapMetrics.safeParse({ ...m, maskSsim: { what: 'z', mean: 1.5, frames: 48 } }).success, 'above 1');
  assert.not.ok(SwapMetrics.safeParse({ ...m, maskSsim: { what: 'z', mean: 0.8, frames: 0 } }).success, 'no frame');
});

test.run();
