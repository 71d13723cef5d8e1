/**
 * Landmark smoothing methods (window, Kalman, One-Euro) on a real track from sample a: each
 * cuts jitter against no smoothing; a face that does not move stays exactly where it is (no
 * drift); a gap restarts the filter. The flicker metric is 1 when the output is the source and
 * above 1 when noise is added to the output only.
 *
 * @tier e2e (encodes videos with ffmpeg)
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExtractConfig, SMOOTHING_METHODS } from '../../src/config/extract.ts';
import { FaceFollower } from '../../src/face/face-follower.ts';
import type { Box, Point, RgbImage } from '../../src/util/geometry.ts';
import { SMOOTHERS, faceShift, jitter, smoothLandmarks } from '../../src/face/smoothing.ts';
import { decodeFrames } from '../../src/media/decode.ts';
import { FlickerMeter, videoFlicker } from '../../src/swap/flicker.ts';
import { SAMPLE_A, ffmpegSync, requireSamples, tempDir } from '../helpers/fixtures.ts';
import { rng } from '../helpers/numbers.ts';
import { faceApi } from '../helpers/faces.ts';

const test = suite('face/smoothing');
const tmp = tempDir('smoothing');
const FILTERS = ['window', 'kalman', 'one-euro'] as const;
const FPS = 25;
const FACE = 160; // face width in the default 256-px crop
let track: Point[][] = [];
const frames: RgbImage[] = [];

test.before(async () => {
  requireSamples();
  // the target's landmarks over 45 frames of sample a, as extraction finds them (detection
  // frames, landmarks followed between): the face nearest the frame centre
  const fa = await faceApi();
  const cfg = ExtractConfig.parse({});
  const follower = new FaceFollower(fa, cfg);
  for await (const f of decodeFrames(SAMPLE_A, { maxFrames: 45 })) {
    const prev = await follower.next(f);
    const centre = (b: Box) => Math.hypot(b.x + b.width / 2 - f.width / 2, b.y + b.height / 2 - f.height / 2);
    track.push(prev.faces.reduce((p, q) => (centre(q.box) < centre(p.box) ? q : p)).landmarks);
    if (frames.length < 8) frames.push(f);
  }
});
test.after(() => tmp.cleanup());

test('the registry holds every method the config names', () => {
  assert.equal(Object.keys(SMOOTHERS).sort(), [...SMOOTHING_METHODS].sort());
  assert.is(ExtractConfig.parse({}).smoothing, 'window', 'the default, chosen by test/bench/smoothing-bench.ts (README)');
});

test('each filter cuts the jitter of a real track against no smoothing', () => {
  const none = jitter(smoothLandmarks(track, ExtractConfig.parse({ smoothing: 'none' }), FPS), FACE)!;
  assert.ok(none > 0.2, `the raw track jitters (${none.toFixed(3)} px)`);
  for (const smoothing of FILTERS) {
    const cfg = ExtractConfig.parse({ smoothing });
    const out = smoothLandmarks(track, cfg, FPS);
    const j = jitter(out, FACE)!;
    assert.ok(j < 0.6 * none, `${smoothing}: jitter ${none.toFixed(3)} -> ${j.toFixed(3)} px`);
    const shift = faceShift(track, out, FACE)!;
    assert.ok(shift < 2, `${smoothing}: the face stays where it was found (moved ${shift.toFixed(2)} px)`);
  }
  // smooth: false (--no-smooth) is none, whatever the method
  const off = smoothLandmarks(track, ExtractConfig.parse({ smooth: false, smoothing: 'kalman' }), FPS);
  assert.equal(off, track);
});

test('a face that does not move stays put: no drift from any filter', () => {
  const still = Array.from({ length: 60 }, () => track[0]!);
  for (const smoothing of SMOOTHING_METHODS) {
    const out = smoothLandmarks(still, ExtractConfig.parse({ smoothing }), FPS);
    let worst = 0;
    out.forEach((p) => p!.forEach(([x, y], i) => (worst = Math.max(worst, Math.hypot(x - still[0]![i]![0], y - still[0]![i]![1])))));
    assert.ok(worst < 1e-6, `${smoothing}: moved a still face by ${worst} px`);
  }
});

test('a gap restarts the filter: nothing carries across it', () => {
  const a = track.slice(0, 20);
  const moved = track.slice(20, 40).map((p) => p.map(([x, y]) => [x + 80, y + 30] as Point));
  const gapped = [...a, null, ...moved];
  for (const smoothing of SMOOTHING_METHODS) {
    const cfg = ExtractConfig.parse({ smoothing });
    const out = smoothLandmarks(gapped, cfg, FPS);
    assert.is(out[20], null, `${smoothing}: the gap stays empty`);
    // each side is smoothed exactly as if it were alone
    const before = smoothLandmarks(a, cfg, FPS);
    const after = smoothLandmarks(moved, cfg, FPS);
    for (let t = 0; t < 20; t++) {
      for (let i = 0; i < 68; i++) {
        assert.ok(Math.hypot(out[t]![i]![0] - before[t]![i]![0], out[t]![i]![1] - before[t]![i]![1]) < 1e-9, `${smoothing}: frame ${t} before the gap`);
        assert.ok(Math.hypot(out[21 + t]![i]![0] - after[t]![i]![0], out[21 + t]![i]![1] - after[t]![i]![1]) < 1e-9, `${smoothing}: frame ${21 + t} after the gap`);
      }
    }
    // and the first frame after the gap starts from where the face is, not from before the gap
    const firstShift = faceShift([moved[0]!], [out[21]!], FACE)!;
    assert.ok(firstShift < 1, `${smoothing}: first frame after the gap is ${firstShift.toFixed(2)} px from the face`);
  }
});

test('flicker: 1 for an output equal to its source, above 1 with noise added to the output only', () => {
  const mask = { width: frames[0]!.width, height: frames[0]!.height, data: new Uint8Array(frames[0]!.width * frames[0]!.height) };
  // the replaced region: a disc round the face in the middle of the frame
  for (let y = 0; y < mask.height; y++) for (let x = 0; x < mask.width; x++) if (Math.hypot(x - mask.width / 2, y - mask.height / 2) < 120) mask.data[y * mask.width + x] = 255;
  const same = new FlickerMeter();
  for (const f of frames) same.add(f, f, mask);
  const s = same.result()!;
  assert.is(s.ratio, 1);
  assert.is(s.pairs, frames.length - 1);
  assert.ok(s.source > 0, 'the sample moves');
  const r = rng(5);
  const noisy = new FlickerMeter();
  for (const f of frames) noisy.add(f, { ...f, data: Uint8Array.from(f.data, (v) => Math.max(0, Math.min(255, v + Math.round((r() - 0.5) * 16)))) }, mask);
  const n = noisy.result()!;
  assert.ok(n.ratio! > 1.2, `noise on the output only: flicker ${n.ratio!.toFixed(3)}`);
  assert.is(n.source, s.source, 'the source side is unchanged');
  // no replaced pixel: nothing to measure
  const empty = new FlickerMeter();
  for (const f of frames) empty.add(f, f, { ...mask, data: new Uint8Array(mask.data.length) });
  assert.is(empty.result(), null);
});

test('flicker from video files: the source against itself is 1, a noisier copy is above 1', async () => {
  const clip = join(tmp.dir, 'a.mp4');
  const mask = join(tmp.dir, 'mask.mp4');
  ffmpegSync(['-i', SAMPLE_A, '-frames:v', '10', '-an', '-c:v', 'libx264', '-crf', '18', clip]);
  ffmpegSync(['-f', 'lavfi', '-i', 'color=black:s=512x512:r=25', '-vf', 'drawbox=x=156:y=156:w=200:h=200:color=white:t=fill', '-frames:v', '10', '-c:v', 'libx264rgb', '-crf', '0', mask]);
  const r = (await videoFlicker(clip, clip, mask))!;
  assert.is(r.ratio, 1);
  assert.is(r.pairs, 9);
  // temporal noise in the output: its frame-to-frame change outgrows the source's
  const noisy = join(tmp.dir, 'noisy.mp4');
  ffmpegSync(['-i', clip, '-vf', 'noise=alls=20:allf=t', '-c:v', 'libx264', '-crf', '18', noisy]);
  const n = (await videoFlicker(clip, noisy, mask))!;
  assert.ok(n.ratio! > 1.2, `flicker ratio of the noisy copy: ${n.ratio}`);
});

test.run();
