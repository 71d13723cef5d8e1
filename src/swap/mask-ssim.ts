/**
 * Mask-SSIM of a fake, as Celeb-DF reports it for each dataset (Li et al., CVPR 2020, Table 2: FF++
 * Deepfakes 0.81, DFDC preview 0.84, Celeb-DF 0.92): the SSIM between each swapped frame and the
 * same frame of the video it was made from, over the region whose pixels were replaced, then
 * the mean over frames. Celeb-DF takes the measure from Ma et al. 2017 (PG², person images); the
 * evaluation code of that line of work (e.g. Pose-Transfer's getMetrics) zeroes the outside of
 * the mask in both images and scores them whole (Gaussian windows, σ 1.5). Celeb-DF's own code
 * and crop are unpublished, so its figures compare with ours in kind, not to the decimal.
 *
 * Ours, per frame: the project's one SSIM (model/ssim.ts, via swap/metrics.ts maskSsim: 7x7
 * box windows, C1 = 0.01², C2 = 0.03² on values in 0..1, each RGB channel, the mean over
 * channels) of output against source, over the windows that lie wholly inside the replaced-pixel
 * mask, each weighted by its smallest blend weight: a pixel outside the mask never counts, nor
 * does the zeroed background that lifts PG²'s score. Computed on the mask's bounding box (the
 * same value as on the whole frame, faster). The training quality probe's Mask-SSIM is this one
 * too. Needs a tfjs backend (stages/engine.ts ensureEngine).
 *
 *   await frameMaskSsim(sourceFrame, outputFrame, maskFrame)   // 0.87; null: empty mask
 *   await videoMaskSsim('in.mp4', 'output.mp4', 'mask.mp4', spread(composite.swappedFrames, 48))
 *   // { mean: 0.86, frames: 48 }: the frames asked for whose mask is not empty
 */
import { decodeFrames } from '../media/decode.ts';
import type { Pixels } from './flicker.ts';
import { maskSsim } from './metrics.ts';

export interface MaskSsimResult {
  /** Mean over the frames measured of each frame's Mask-SSIM (1 = the replaced region equals the source's). */
  mean: number;
  /** Frames measured: those asked for whose mask had a whole window inside it. */
  frames: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The bounding box of the pixels with a non-zero blend weight (the mask's first channel); null when there are none. */
export function maskBox(mask: Pixels): Box | null {
  const { width, height, data } = mask;
  const mc = data.length / (width * height);
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (!data[(row + x) * mc]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** The box of an RGB image as floats in 0..1 (HWC). */
function cropRgb(img: Pixels, b: Box): Float32Array {
  const out = new Float32Array(b.width * b.height * 3);
  for (let y = 0; y < b.height; y++) {
    const from = ((b.y + y) * img.width + b.x) * 3;
    for (let i = 0; i < b.width * 3; i++) out[y * b.width * 3 + i] = img.data[from + i]! / 255;
  }
  return out;
}

/** The box of the mask's blend weight (first channel) in 0..1. */
function cropWeight(mask: Pixels, b: Box): Float32Array {
  const mc = mask.data.length / (mask.width * mask.height);
  const out = new Float32Array(b.width * b.height);
  for (let y = 0; y < b.height; y++) for (let x = 0; x < b.width; x++) out[y * b.width + x] = mask.data[((b.y + y) * mask.width + b.x + x) * mc]! / 255;
  return out;
}

/**
 * One frame's Mask-SSIM: the output against the source inside the mask (see the header); null
 * when the mask is empty or too thin for a whole 7x7 window.
 */
export async function frameMaskSsim(source: Pixels, output: Pixels, mask: Pixels): Promise<number | null> {
  const { width, height } = source;
  if (output.width !== width || output.height !== height || mask.width !== width || mask.height !== height) {
    throw new Error(`Mask-SSIM: expected frames of one size, got source ${width}x${height}, output ${output.width}x${output.height}, mask ${mask.width}x${mask.height}`);
  }
  if (source.data.length !== width * height * 3 || output.data.length !== width * height * 3) {
    throw new Error(`Mask-SSIM: expected RGB frames of ${width * height * 3} bytes, got source ${source.data.length}, output ${output.data.length}`);
  }
  const box = maskBox(mask);
  if (!box) return null;
  const s = await maskSsim(cropRgb(output, box), cropRgb(source, box), cropWeight(mask, box), box.width, box.height);
  // float32 sums put an unchanged region a hair above 1 (1 + 1e-5)
  return Number.isFinite(s) ? Math.min(1, Math.max(-1, s)) : null;
}

/**
 * Mask-SSIM of a swapped video against its source, inside its replaced-pixel mask video, on the
 * frames `frames` (indices, every frame when absent); frames whose mask is empty are skipped.
 * Decoding stops after the last frame asked for. Null when no frame was measured.
 */
export async function videoMaskSsim(sourceVideo: string, outputVideo: string, maskVideo: string, frames?: readonly number[]): Promise<MaskSsimResult | null> {
  const wanted = frames ? new Set(frames) : null;
  const last = frames ? Math.max(-1, ...frames) : Infinity;
  if (last < 0) return null;
  const streams = [sourceVideo, outputVideo, maskVideo].map((v) => decodeFrames(v, { thread: true }));
  let sum = 0;
  let n = 0;
  try {
    for (let i = 0; i <= last; i++) {
      const [s, o, m] = await Promise.all(streams.map((x) => x.next()));
      if (s!.done || o!.done || m!.done) break;
      if (wanted && !wanted.has(i)) continue;
      const v = await frameMaskSsim(s!.value, o!.value, m!.value);
      if (v === null) continue;
      sum += v;
      n++;
    }
  } finally {
    await Promise.all(streams.map((x) => x.return(undefined)));
  }
  return n ? { mean: sum / n, frames: n } : null;
}
