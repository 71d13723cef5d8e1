/**
 * DeeperForensics-1.0's seven real-world perturbations (Jiang et al., CVPR 2020), applied to a
 * video frame by frame, seeded: the same seed and input give the same bytes out. Each type has
 * five levels; the parameters are theirs (`perturbation/add_distortion_to_video.py`) and each
 * frame operation does what their `perturbation/distortions.py` does:
 *
 * | type | their parameter (levels 1..5)          | what one frame gets                                          |
 * |------|----------------------------------------|--------------------------------------------------------------|
 * | CS   | 0.4 0.3 0.2 0.1 0.0 chroma multiplier   | OpenCV YCrCb (float), Cb and Cr scaled about neutral, luma kept |
 * | CC   | 0.85 0.725 0.6 0.475 0.35 multiplier   | every value × p, truncated (darker and flatter, not about the mean) |
 * | BW   | 16 32 48 64 80 blocks                  | that many 8x8 blocks of gray 128 at uniform random places, × min(h,w)//256 |
 * | GNC  | .001 .002 .005 .01 .05 variance        | N(0, p) added to Y, Cb and Cr on their 0..1 scale, per frame |
 * | GB   | 7 9 13 17 21 kernel size k             | Gaussian blur k×k, sigma k/6 (not OpenCV's sigma-from-ksize), reflect-101 edges |
 * | JPEG | 2 3 4 5 6 factor f                     | bilinear resize to (w//f, h//f) and back (their "JPEG" is this, not a JPEG quality) |
 * | VC   | 30 32 35 38 40 x264 crf                | the encode itself at that crf                                |
 *
 * Where they write uint8 with `astype` (CS, CC, GNC) values are truncated as there; OpenCV's own
 * uint8 outputs (blur, resize) are rounded. BW departs from them on purpose for small frames:
 * their count is min(h,w)//256 × p, which places no block at all below 256 px; here the
 * multiplier is at least 1, so a 128-255 px video gets p blocks (a frame at 256 px and up gets
 * exactly their count).
 *
 * A mixture (DeeperForensics uses 2-4 types) is applied in the order given, each type once; VC,
 * wherever it is listed, is the final encode. Without VC the encode is the c23 rung of
 * compress.ts (libx264 yuv420p crf 23 preset medium, single-threaded, bitexact); with it the same
 * at VC's crf. DeeperForensics re-encoded after every type (through XVID, then ffmpeg's default
 * x264 crf 23); here there is one encode per video. Audio and container tags are kept as
 * compress.ts keeps them.
 *
 *   await perturbVideo('real/x.mp4', 'perturbed/x.mp4', [{ type: 'GB', level: 3 }, { type: 'VC', level: 2 }], 7);
 *   perturbationLabel({ type: 'CS', level: 3 })     // 'CS:3', as their meta files write it
 *   parsePerturbation('GNC:5')                      // { type: 'GNC', level: 5 }
 *   perturbFrame(frame.data, frame.width, frame.height, { type: 'BW', level: 2 }, Rng.fromSeed(1));   // in place
 */
import { extname } from 'node:path';
import { PERTURBATION_LEVEL_NUMBERS, PERTURBATION_LEVELS, PERTURBATION_TYPES, perturbationLabel, type Perturbation, type PerturbationType } from '../config/perturbation.ts';
import { reserveTemp, withAtomicPath } from '../util/atomic-write.ts';
import { choices, UserError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import { bilinearAt, newTap } from './bilinear.ts';
import { decodeFrames } from './decode.ts';
import { openVideoWriter } from './encode.ts';
import { audioCodecFor, fileArg, runFfmpeg } from './ffmpeg.ts';
import { probeVideo } from './probe.ts';

// the registry (types, levels, parameters, labels) lives once, in config/perturbation.ts
export { PERTURBATION_LEVEL_NUMBERS, PERTURBATION_LEVELS, PERTURBATION_NAMES, PERTURBATION_TYPES, perturbationLabel } from '../config/perturbation.ts';
export type { Perturbation, PerturbationType } from '../config/perturbation.ts';

/** The crf of the encode without VC: compress.ts's c23 rung. */
const PLAIN_CRF = 23;
/** BW's block: 8x8 pixels of gray 128. */
const BLOCK = 8;
const GRAY = 128;

/** The inverse of perturbationLabel: "CS:3" -> { type: 'CS', level: 3 }. */
export function parsePerturbation(label: string): Perturbation {
  const m = /^([A-Z]+):(\d)$/.exec(label.trim());
  if (!m) throw new UserError(`expected a perturbation as TYPE:LEVEL (e.g. "CS:3"), got ${JSON.stringify(label)}`, `TYPE is one of ${choices(PERTURBATION_TYPES)}, LEVEL one of ${PERTURBATION_LEVEL_NUMBERS.join('|')}`);
  return checkPerturbation({ type: m[1] as PerturbationType, level: Number(m[2]) });
}

/** The published parameter of `p` (PERTURBATION_LEVELS). */
export function perturbationParam(p: Perturbation): number {
  checkPerturbation(p);
  return PERTURBATION_LEVELS[p.type][p.level - 1]!;
}

function checkPerturbation(p: Perturbation): Perturbation {
  if (!(PERTURBATION_TYPES as readonly string[]).includes(p.type)) throw new UserError(`expected a perturbation type to be one of ${choices(PERTURBATION_TYPES)}, got ${JSON.stringify(p.type)}`);
  if (!(PERTURBATION_LEVEL_NUMBERS as readonly number[]).includes(p.level)) throw new UserError(`expected the level of ${p.type} to be one of ${PERTURBATION_LEVEL_NUMBERS.join('|')}, got ${JSON.stringify(p.level)}`);
  return p;
}

/**
 * Apply one frame perturbation to an RGB24 frame (row-major, width*height*3 bytes: what
 * decodeFrames yields) in place, drawing from `rng` (BW and GNC draw; the rest do not). Returns
 * `rgb`. VC is no frame operation (it is the encode: perturbVideo) and is refused here.
 */
export function perturbFrame(rgb: Uint8Array, width: number, height: number, p: Perturbation, rng: Rng): Uint8Array {
  const param = perturbationParam(p);
  if (rgb.length !== width * height * 3) throw new Error(`expected a ${width}x${height} RGB frame (${width * height * 3} bytes), got ${rgb.length} bytes`);
  switch (p.type) {
    case 'CS':
      colourSaturation(rgb, param);
      break;
    case 'CC':
      colourContrast(rgb, param);
      break;
    case 'BW':
      blockWise(rgb, width, height, param, rng);
      break;
    case 'GNC':
      gaussianNoiseColour(rgb, param, rng);
      break;
    case 'GB':
      gaussianBlur(rgb, width, height, param);
      break;
    case 'JPEG':
      downUpResize(rgb, width, height, param);
      break;
    case 'VC':
      throw new Error('VC is the encode, not a frame operation: perturbVideo applies it');
  }
  return rgb;
}

// OpenCV's float YCrCb (cvtColor COLOR_BGR2YCrCb / COLOR_YCrCb2BGR on float32 input)
const KR = 0.299;
const KG = 0.587;
const KB = 0.114;
const CR = 0.713;
const CB = 0.564;
const R_CR = 1.403;
const G_CR = -0.714;
const G_CB = -0.344;
const B_CB = 1.773;

/** numpy's float -> uint8 `astype` of a value in range: truncation (after clamping, as their clip does). */
function truncByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v);
}

/**
 * CS: Cb and Cr scaled by `p` about neutral, luma kept. Their chroma passes through a
 * studio-range scaling whose neutral is not exactly OpenCV's, which leaves an offset of
 * -(1 - p)/448 (in 0..255 units) on both chroma channels: kept, for their exact values.
 */
function colourSaturation(rgb: Uint8Array, p: number): void {
  const offset = -(1 - p) / 448;
  for (let i = 0; i < rgb.length; i += 3) {
    const r = rgb[i]!;
    const g = rgb[i + 1]!;
    const b = rgb[i + 2]!;
    const y = KR * r + KG * g + KB * b;
    const cr = (r - y) * CR * p + offset;
    const cb = (b - y) * CB * p + offset;
    rgb[i] = truncByte(y + R_CR * cr);
    rgb[i + 1] = truncByte(y + G_CR * cr + G_CB * cb);
    rgb[i + 2] = truncByte(y + B_CB * cb);
  }
}

/** CC: every value times `p` in float32, truncated (their `(img.astype(float32) * p).astype(uint8)`). */
function colourContrast(rgb: Uint8Array, p: number): void {
  const lut = new Uint8Array(256);
  const pf = Math.fround(p);
  for (let v = 0; v < 256; v++) lut[v] = truncByte(Math.fround(v * pf));
  for (let i = 0; i < rgb.length; i++) rgb[i] = lut[rgb[i]!]!;
}

/** BW: `count` gray 8x8 blocks; their top-left corner uniform in [0, w-9] x [0, h-9] (x drawn first, as theirs). */
function blockWise(rgb: Uint8Array, width: number, height: number, count: number, rng: Rng): void {
  const n = Math.max(1, Math.floor(Math.min(width, height) / 256)) * count;
  for (let k = 0; k < n; k++) {
    const x0 = rng.int(Math.max(1, width - BLOCK));
    const y0 = rng.int(Math.max(1, height - BLOCK));
    const x1 = Math.min(width, x0 + BLOCK);
    const y1 = Math.min(height, y0 + BLOCK);
    for (let y = y0; y < y1; y++) rgb.fill(GRAY, (y * width + x0) * 3, (y * width + x1) * 3);
  }
}

/**
 * GNC: white noise of variance `variance` added to each of Y, Cb, Cr on the 0..1 scale of their
 * studio-range YCbCr (Y spans 219/255 of it, chroma 224/255); in OpenCV's 0..255 units the
 * standard deviation is sqrt(variance) * 255²/219 on Y and * 255²/224 on Cb and Cr. Clipped
 * and truncated, as theirs.
 */
function gaussianNoiseColour(rgb: Uint8Array, variance: number, rng: Rng): void {
  const sd = Math.sqrt(variance);
  const sy = (sd * 255 * 255) / 219;
  const sc = (sd * 255 * 255) / 224;
  const normal = normalPairs(rng);
  for (let i = 0; i < rgb.length; i += 3) {
    const r = rgb[i]!;
    const g = rgb[i + 1]!;
    const b = rgb[i + 2]!;
    const y0 = KR * r + KG * g + KB * b;
    const y = y0 + sy * normal();
    const cb = (b - y0) * CB + sc * normal();
    const cr = (r - y0) * CR + sc * normal();
    rgb[i] = truncByte(y + R_CR * cr);
    rgb[i + 1] = truncByte(y + G_CR * cr + G_CB * cb);
    rgb[i + 2] = truncByte(y + B_CB * cb);
  }
}

/** Standard normals from `rng` (Marsaglia's polar method, both of each pair used; no allocation per draw). */
function normalPairs(rng: Rng): () => number {
  let spare = 0;
  let hasSpare = false;
  return () => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * rng.next() - 1;
      v = 2 * rng.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * f;
    hasSpare = true;
    return u * f;
  };
}

/** OpenCV's BORDER_REFLECT_101 index (…2 1 | 0 1 2 … n-1 | n-2 …), for any distance outside. */
function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/** GB: separable Gaussian, k taps, sigma k/6 (their `cv2.GaussianBlur(img, (k, k), k / 6)`), rounded. */
function gaussianBlur(rgb: Uint8Array, width: number, height: number, k: number): void {
  const radius = (k - 1) / 2;
  const sigma = k / 6;
  const weights = new Float64Array(k);
  let sum = 0;
  for (let t = 0; t < k; t++) sum += weights[t] = Math.exp(-((t - radius) ** 2) / (2 * sigma * sigma));
  for (let t = 0; t < k; t++) weights[t]! /= sum;
  // source column (row) of tap t at x (y): xs[x * k + t]
  const xs = new Int32Array(width * k);
  for (let x = 0; x < width; x++) for (let t = 0; t < k; t++) xs[x * k + t] = reflect101(x + t - radius, width);
  const ys = new Int32Array(height * k);
  for (let y = 0; y < height; y++) for (let t = 0; t < k; t++) ys[y * k + t] = reflect101(y + t - radius, height);

  const rows = new Float32Array(rgb.length); // the horizontal pass
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let t = 0; t < k; t++) {
        const w = weights[t]!;
        const s = row + xs[x * k + t]! * 3;
        r += w * rgb[s]!;
        g += w * rgb[s + 1]!;
        b += w * rgb[s + 2]!;
      }
      const o = row + x * 3;
      rows[o] = r;
      rows[o + 1] = g;
      rows[o + 2] = b;
    }
  }
  const stride = width * 3;
  const acc = new Float64Array(stride); // the vertical pass, a row at a time (rows read in order)
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let t = 0; t < k; t++) {
      const w = weights[t]!;
      const s = ys[y * k + t]! * stride;
      for (let i = 0; i < stride; i++) acc[i]! += w * rows[s + i]!;
    }
    const o = y * stride;
    for (let i = 0; i < stride; i++) {
      const v = acc[i]!;
      rgb[o + i] = v >= 255 ? 255 : Math.round(v);
    }
  }
}

/**
 * JPEG (their sense): resize to (w//f, h//f) and back, both bilinear with OpenCV's pixel-centre
 * mapping (source x = (x + ½)·scale − ½, clamped at the edges; two taps, no anti-aliasing on the
 * way down, as cv2.resize's INTER_LINEAR), each result rounded to uint8 as theirs is.
 */
function downUpResize(rgb: Uint8Array, width: number, height: number, factor: number): void {
  const sw = Math.max(1, Math.floor(width / factor));
  const sh = Math.max(1, Math.floor(height / factor));
  const small = new Uint8Array(sw * sh * 3);
  resizeBilinear(rgb, width, height, small, sw, sh);
  resizeBilinear(small, sw, sh, rgb, width, height);
}

const tap = newTap();

function resizeBilinear(src: Uint8Array, sw: number, sh: number, dst: Uint8Array, dw: number, dh: number): void {
  const sx = sw / dw;
  const sy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const fy = (y + 0.5) * sy - 0.5;
    for (let x = 0; x < dw; x++) {
      const t = bilinearAt((x + 0.5) * sx - 0.5, fy, sw, sh, tap);
      const a = t.i00 * 3;
      const b = t.i10 * 3;
      const c = t.i01 * 3;
      const d = t.i11 * 3;
      const o = (y * dw + x) * 3;
      for (let ch = 0; ch < 3; ch++) dst[o + ch] = Math.round(t.w00 * src[a + ch]! + t.w10 * src[b + ch]! + t.w01 * src[c + ch]! + t.w11 * src[d + ch]!);
    }
  }
}

/**
 * Decode `input`, apply `perturbations` (in order, VC as the encode) to every frame with one
 * seeded generator (frames in order: a frame's draws depend on the seed and the frames before
 * it), encode and write `out` atomically. Same seed and input, same bytes.
 */
export async function perturbVideo(input: string, out: string, perturbations: readonly Perturbation[], seed: number, opts: { tags?: Record<string, string> } = {}): Promise<void> {
  for (const p of perturbations) checkPerturbation(p);
  const types = perturbations.map((p) => p.type);
  const twice = types.find((t, i) => types.indexOf(t) !== i);
  if (twice) throw new UserError(`expected each perturbation type at most once, got ${twice} twice in ${perturbations.map(perturbationLabel).join(' ')}`, 'DeeperForensics mixes distinct types: drop the repeated one');
  if (!Number.isSafeInteger(seed)) throw new UserError(`expected the perturbation seed to be an integer, got ${seed}`);
  const vc = perturbations.find((p) => p.type === 'VC');
  const frameOps = perturbations.filter((p) => p.type !== 'VC');
  const crf = vc ? perturbationParam(vc) : PLAIN_CRF;

  const info = await probeVideo(input);
  const audio = info.audio[0];
  const rng = Rng.fromSeed(seed);
  // the perturbed frames first (video only), then muxed with the source's audio and tags
  const frames = reserveTemp(`${out}.frames.mp4`);
  try {
    const writer = await openVideoWriter({ out: frames.tmp, width: info.width, height: info.height, fps: info.fps, crf, preset: 'medium', deterministic: true, thread: true });
    try {
      for await (const f of decodeFrames(input, { info, thread: true })) {
        for (const p of frameOps) perturbFrame(f.data, f.width, f.height, p, rng);
        await writer.write(f.data);
      }
      await writer.close();
    } catch (err) {
      await writer.abort();
      throw err;
    }
    const tags = Object.entries(opts.tags ?? {}).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
    await withAtomicPath(out, async (tmp) => {
      const args = ['-v', 'error', '-nostdin', '-y', '-i', fileArg(frames.tmp), '-i', fileArg(input), '-map', '0:v:0', '-c:v', 'copy'];
      if (audio) args.push('-map', '1:a:0', '-c:a', audioCodecFor(audio.codec, '.mp4'));
      args.push('-threads', '1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '1', ...tags);
      if (extname(out).toLowerCase() !== '.mkv') args.push('-movflags', '+faststart+use_metadata_tags');
      args.push(tmp);
      await runFfmpeg(args, `cannot write the perturbed video "${out}"`, 'check the free disk space and that the output folder is writable');
    });
  } finally {
    await frames.discard();
  }
}
