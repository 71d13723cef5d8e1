/**
 * Landmark smoothing compared (issue 12, part 8): extraction of each sample clip with each
 * smoothing method, and per method
 * - jitter: the frame-to-frame landmark wobble left after removing the face's global motion
 *   (src/face/smoothing.ts `jitter`), px of the 256-px aligned crop (face 160 px wide);
 * - error against the camera: the clips are rendered from still photos through a known camera
 *   path (src/samples/make-sample.ts), so mapping a frame's landmarks back into the photo should
 *   give the same points in every frame; error is their mean distance from their own mean over
 *   the clip, px of the crop. Noise, wobble and lag all count; a constant bias of the landmark
 *   net does not. (The faces are rigid photos on a smooth camera path: real faces also move on
 *   their own, which favours lighter smoothing than these clips do.)
 * - shift: how far smoothing moved the face as a whole from where it was detected, px of the
 *   crop (`faceShift`): a causal filter's lag shows here, and so does whole-face noise removed;
 * - flicker of a still-face composite: the first aligned face of the clip pasted (no colour
 *   transfer) into every frame through that frame's alignment matrix, so the output moves only as
 *   the alignment does; its frame-to-frame change inside the replaced pixels against the
 *   source's (src/swap/flicker.ts; 1.0 = as stable as the source).
 * - gain at 2 Hz and 4 Hz: how much of a face moving back and forth at that rate (0.05 face
 *   widths, a nod or a syllable) survives smoothing, the amplitude out over in: the price of
 *   smoothing on real faces, which these rigid clips do not charge. Methods are compared at
 *   a like gain.
 * Detection (pass 1) runs once per clip and is shared by the methods, cached in
 * runs/smoothing-bench/<clip>/detections.json; pass 2 (smoothing, alignment, faces, masks) runs
 * per method, as `janus extract` would with `smoothing: <method>`.
 *
 *   npx tsx test/bench/smoothing-bench.ts                     # samples a, b, c, d; a table and JSON lines
 *   npx tsx test/bench/smoothing-bench.ts --clips a,b --set oneEuroBeta=4 --set kalmanProcessNoise=0.002
 *   npx tsx test/bench/smoothing-bench.ts --sweep             # jitter and shift only, over a grid of filter settings
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExtractConfig, SMOOTHING_METHODS, type SmoothingMethod } from '../../src/config/extract.ts';
import { resolveBackendChoice, selectBackend } from '../../src/engine/backend.ts';
import { detectionList, finishExtraction, type FrameDetections } from '../../src/face/extract.ts';
import { FaceFollower } from '../../src/face/face-follower.ts';
import { readAlignments, type AlignmentsDoc } from '../../src/face/alignments-file.ts';
import { loadFaceApi } from '../../src/face/face-api.ts';
import { faceShift, jitter, smoothLandmarks } from '../../src/face/smoothing.ts';
import { decodeFrames, prefetch } from '../../src/media/decode.ts';
import { readGrayImage, readImage } from '../../src/media/image.ts';
import { probeVideo, rationalValue, type VideoInfo } from '../../src/media/probe.ts';
import { applyAffine } from '../../src/media/warp-affine.ts';
import { SampleClipConfig, type SampleName } from '../../src/config/samples.ts';
import { shotAt, shotMatrix } from '../../src/samples/make-sample.ts';
import { compositeFace } from '../../src/swap/composite.ts';
import { FlickerMeter } from '../../src/swap/flicker.ts';
import type { Point } from '../../src/util/geometry.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const CLIPS = (arg('--clips') ?? 'a,b,c,d').split(',');
const SWEEP = process.argv.includes('--sweep');
const overrides: Record<string, unknown> = {};
process.argv.forEach((a, i) => {
  if (a === '--set') {
    const [k, v] = process.argv[i + 1]!.split('=');
    overrides[k!] = Number.isFinite(Number(v)) ? Number(v) : v;
  }
});
const OUT = 'runs/smoothing-bench';

async function detections(clip: string, video: string, info: VideoInfo, cfg: ExtractConfig): Promise<FrameDetections[]> {
  const file = join(OUT, clip, 'detections.json');
  const stamp = `${statSync(video).size}:${statSync(video).mtimeMs}:${cfg.detector}:${cfg.detectEvery}`;
  if (existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { stamp: string; detections: FrameDetections[] };
    if (cached.stamp === stamp) return cached.detections;
  }
  const fa = await loadFaceApi();
  const out: FrameDetections[] = [];
  const follower = new FaceFollower(fa, cfg);
  const t0 = performance.now();
  for await (const frame of prefetch(decodeFrames(video, { info }))) out.push(await follower.next(frame));
  process.stderr.write(`${clip}: detected ${out.length} frames in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  mkdirSync(join(OUT, clip), { recursive: true });
  writeFileSync(file, JSON.stringify({ stamp, detections: out }));
  return out;
}

/** The target's landmarks per frame as extraction tracked them (before smoothing), and after. */
function tracks(doc: AlignmentsDoc): { raw: (Point[] | null)[]; smoothed: (Point[] | null)[] } {
  const pick = doc.frames.map((f) => f.faces.find((r) => r.smoothed) ?? null);
  return { raw: pick.map((r) => r?.landmarks ?? null), smoothed: pick.map((r) => r?.smoothed ?? null) };
}

/** Landmark error against the known camera path, px of the aligned crop (see the header). */
function cameraError(clip: SampleName, track: (Point[] | null)[], faceWidthPx: number): number {
  const c = SampleClipConfig.parse({});
  const back = track.map((pts, i) => {
    if (!pts) return null;
    const m = shotMatrix(shotAt(clip, i / c.fps, c.seconds), c.size);
    return pts.map(([x, y]) => applyAffine(m, x, y));
  });
  const present = back.filter((p): p is Point[] => p !== null);
  const mean = present[0]!.map((_, i) => [present.reduce((s, p) => s + p[i]![0], 0) / present.length, present.reduce((s, p) => s + p[i]![1], 0) / present.length] as Point);
  const width = Math.hypot(mean[16]![0] - mean[0]![0], mean[16]![1] - mean[0]![1]);
  let sum = 0;
  for (const p of present) for (let i = 0; i < p.length; i++) sum += Math.hypot(p[i]![0] - mean[i]![0], p[i]![1] - mean[i]![1]);
  return (sum / (present.length * mean.length)) * (faceWidthPx / width);
}

/** Amplitude out / in of a face shaking sideways at `hz` (0.05 face widths), after smoothing. */
function gainAt(hz: number, cfg: ExtractConfig, shape: readonly Point[], fps = 25): number {
  const width = Math.hypot(shape[16]![0] - shape[0]![0], shape[16]![1] - shape[0]![1]);
  const amp = 0.05 * width;
  const n = 250;
  const track = Array.from({ length: n }, (_, t) => shape.map(([x, y]) => [x + amp * Math.sin((2 * Math.PI * hz * t) / fps), y] as Point));
  const out = smoothLandmarks(track, cfg, fps);
  // least-squares amplitude of the sinusoid in the middle of the run (ends excluded)
  let ss = 0;
  let sc = 0;
  let k = 0;
  for (let t = 50; t < n - 50; t++) {
    const dx = out[t]![30]![0] - shape[30]![0];
    ss += dx * Math.sin((2 * Math.PI * hz * t) / fps);
    sc += dx * Math.cos((2 * Math.PI * hz * t) / fps);
    k++;
  }
  return Math.hypot(ss, sc) / (k / 2) / amp;
}

/** Flicker of the first aligned face pasted into every frame through that frame's matrix. */
async function stillFaceFlicker(video: string, info: VideoInfo, doc: AlignmentsDoc, dir: string): Promise<number | null> {
  const kept = doc.frames.map((f) => f.faces.find((r) => r.kept) ?? null);
  const first = kept.find((r) => r);
  if (!first) return null;
  const face = await readImage(join(dir, first.face!));
  const mask = await readGrayImage(join(dir, first.mask!));
  const meter = new FlickerMeter();
  const none = { width: info.width, height: info.height, data: new Uint8Array(info.width * info.height) };
  for await (const frame of prefetch(decodeFrames(video, { info }))) {
    const r = kept[frame.index];
    if (!r?.matrix) {
      meter.add(frame, frame, none);
      continue;
    }
    const out = compositeFace(frame, face, r.matrix, mask, { colour: 'none', erode: 3, feather: 8 });
    meter.add(frame, out.image, out.replaced);
  }
  return meter.result()?.ratio ?? null;
}

const { choice } = resolveBackendChoice();
await selectBackend(choice);
const base = ExtractConfig.parse({ ...overrides });
const faceWidth = base.size / base.coverage;
type Row = { clip: string; method: string; jitter: number; error: number; shift: number; flicker: number | null };
let shape: Point[] | null = null;
const rows: Row[] = [];
const rawTracks: Record<string, { clip: SampleName; raw: (Point[] | null)[]; fps: number }> = {};

for (const clip of CLIPS) {
  const video = `samples/${clip}.mp4`;
  const name = clip as SampleName;
  if (!existsSync(video)) throw new Error(`${video} is missing: run \`make samples\``);
  const info = await probeVideo(video);
  const dets = await detections(clip, video, info, base);
  for (const method of SWEEP ? (['none'] as const) : SMOOTHING_METHODS) {
    const cfg = ExtractConfig.parse({ ...overrides, smoothing: method });
    const dir = join(OUT, clip, method);
    await finishExtraction({ video, info, detections: detectionList(dets), cfg, alignmentsFile: join(dir, 'alignments.json'), facesDir: join(dir, 'faces'), masksDir: join(dir, 'masks') });
    const doc = readAlignments(join(dir, 'alignments.json'));
    const t = tracks(doc);
    rawTracks[clip] = { clip: name, raw: t.raw, fps: rationalValue(info.fps) };
    shape ??= t.raw.find((p) => p) ?? null;
    if (SWEEP) continue;
    const row: Row = { clip, method, jitter: doc.jitter.after!, error: cameraError(name, t.smoothed, faceWidth), shift: faceShift(t.raw, t.smoothed, faceWidth)!, flicker: await stillFaceFlicker(video, info, doc, dir) };
    rows.push(row);
    console.log(JSON.stringify({ bench: 'smoothing', ...row, jitterBefore: doc.jitter.before }));
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
if (SWEEP) {
  // jitter and shift of the raw tracks under a grid of filter settings (no extraction, no composite)
  const grid: Array<[SmoothingMethod, Record<string, number>]> = [['none', {}]];
  for (const w of [3, 5, 7, 9, 11]) grid.push(['window', { smoothWindow: w }]);
  // the smoother depends on the ratio of the two noises (tested: scaling both leaves it alike), so one sweeps
  for (const q of [0.0002, 0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.01]) grid.push(['kalman', { kalmanMeasurementNoise: 0.005, kalmanProcessNoise: q }]);
  for (const c of [0.25, 0.5, 1, 2, 4]) for (const b of [0, 4, 16, 64, 256]) grid.push(['one-euro', { oneEuroMinCutoff: c, oneEuroBeta: b }]);
  for (const [method, settings] of grid) {
    const cfg = ExtractConfig.parse({ ...overrides, ...settings, smoothing: method });
    const j: number[] = [];
    const s: number[] = [];
    const e: number[] = [];
    for (const { clip, raw, fps } of Object.values(rawTracks)) {
      const sm = smoothLandmarks(raw, cfg, fps);
      j.push(jitter(sm, faceWidth)!);
      s.push(faceShift(raw, sm, faceWidth)!);
      e.push(cameraError(clip, sm, faceWidth));
    }
    const g = `gain 2 Hz ${gainAt(2, cfg, shape!).toFixed(2)} 4 Hz ${gainAt(4, cfg, shape!).toFixed(2)}`;
    console.log(`${method.padEnd(9)} ${JSON.stringify(settings).padEnd(62)} ${g}  jitter ${mean(j).toFixed(3)}  error ${mean(e).toFixed(3)} (${e.map((x) => x.toFixed(3)).join(' ')})  shift ${mean(s).toFixed(3)}`);
  }
} else {
  console.log(`\n| method | ${CLIPS.map((c) => `jitter ${c}`).join(' | ')} | jitter (mean) | error vs camera (mean) | shift (mean) | still-face flicker (mean) | gain 2 Hz | gain 4 Hz |`);
  console.log(`|---|${CLIPS.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|---:|`);
  for (const method of SMOOTHING_METHODS) {
    const cfg = ExtractConfig.parse({ ...overrides, smoothing: method });
    const mine = rows.filter((r) => r.method === method);
    const fl = mine.map((r) => r.flicker).filter((x): x is number => x !== null);
    console.log(`| ${method} | ${mine.map((r) => r.jitter.toFixed(3)).join(' | ')} | ${mean(mine.map((r) => r.jitter)).toFixed(3)} | ${mean(mine.map((r) => r.error)).toFixed(3)} | ${mean(mine.map((r) => r.shift)).toFixed(3)} | ${fl.length ? mean(fl).toFixed(3) : '–'} | ${gainAt(2, cfg, shape!).toFixed(2)} | ${gainAt(4, cfg, shape!).toFixed(2)} |`);
  }
}
