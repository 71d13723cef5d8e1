/**
 * Variable frame rate: tell it from the stream, choose the constant rate it is resampled to, and
 * the one filter every decode of it uses. Janus writes its videos at a constant rate with the
 * source's audio copied beside, so a VFR source (a phone clip whose frame intervals vary, a clip
 * with a gap or held frames) is resampled at decode: frame i is the picture the source shows in
 * the middle of frame i's slot, at (i + ½) / fps, so the output's timeline, hence its audio,
 * stays in sync (within half a frame).
 * CFR video is decoded as it always was (every coded frame once).
 *
 *   const timing = vfrTiming({ rFrameRate, avgFrameRate, duration, timeBase, pts });
 *   // { vfr: true, fps: { num: 25, den: 1 }, why: 'frame intervals from 32 to 540 ms' }
 *   resampleFilter({ num: 25, den: 1 })   // 'fps=fps=25/1:start_time=0:round=near'
 *
 * Cheap for ordinary files: the container's rates and duration, and the timestamps of the
 * first PACKET_SAMPLE packets (demuxed, not decoded).
 */
import type { Rational } from './probe.ts';

/** How many video packets' timestamps the probe reads (from the start of the file). */
export const PACKET_SAMPLE = 240;

/** The most frames a codec shows out of decode order (H.264/HEVC reorder up to 16). */
const REORDER = 16;

/** Common frame rates a resampling rate snaps to when it lies within 1% of one. */
const STANDARD: readonly Rational[] = [
  { num: 24000, den: 1001 },
  { num: 24, den: 1 },
  { num: 25, den: 1 },
  { num: 30000, den: 1001 },
  { num: 30, den: 1 },
  { num: 48, den: 1 },
  { num: 50, den: 1 },
  { num: 60000, den: 1001 },
  { num: 60, den: 1 },
  { num: 90, den: 1 },
  { num: 100, den: 1 },
  { num: 120, den: 1 },
  { num: 240, den: 1 },
];

export interface TimingInput {
  /** The stream's r_frame_rate and avg_frame_rate (null when absent). */
  rFrameRate: Rational | null;
  avgFrameRate: Rational | null;
  /** Stream duration in seconds (0 when unknown). */
  duration: number;
  /** Seconds per pts tick. */
  timeBase: number;
  /** Presentation timestamps (ticks) of a sample of the video packets, in any order. */
  pts: readonly number[];
}

export interface Timing {
  vfr: boolean;
  /** The constant rate frames are decoded at (for CFR: the stream's own). */
  fps: Rational;
  /** Why the stream counts as VFR (empty for CFR). */
  why: string;
}

const value = (r: Rational) => r.num / r.den;

function gcd(a: number, b: number): number {
  return b ? gcd(b, a % b) : a;
}

/** The rate a measured one is resampled at: a common rate within 1%, else rounded to 1/1000 fps. */
export function snapRate(rate: number): Rational {
  let best: Rational | null = null;
  for (const r of STANDARD) if (Math.abs(value(r) - rate) / rate <= 0.01 && (!best || Math.abs(value(r) - rate) < Math.abs(value(best) - rate))) best = r;
  if (best) return best;
  const num = Math.max(1, Math.round(rate * 1000));
  const g = gcd(num, 1000);
  return { num: num / g, den: 1000 / g };
}

/**
 * Is the stream VFR, and at what constant rate is it decoded?
 * VFR when (a) its average rate and its base rate differ by a frame or more over its duration
 * (frames missing, held or added anywhere in the file), or (b) a sampled frame interval differs
 * from the median by more than 10% (and more than a tick's rounding). The resampling rate is
 * the mean of the sampled intervals that are not gaps or held frames (up to 1.5 × the median),
 * snapped to a common rate.
 */
export function vfrTiming(t: TimingInput): Timing {
  const stated = t.avgFrameRate ?? t.rFrameRate;
  if (!stated) throw new Error('vfrTiming: the stream states no frame rate');
  const all = [...new Set(t.pts.filter(Number.isFinite))].sort((a, b) => a - b);
  // packets come in decode order: the frames shown between the last ones read (B-frames) may
  // not have been read, so the latest REORDER timestamps are left out of the intervals
  const sorted = all.length > 2 * REORDER ? all.slice(0, all.length - REORDER) : all;
  const deltas = sorted.slice(1).map((p, i) => p - sorted[i]!);
  const median = deltas.length ? [...deltas].sort((a, b) => a - b)[Math.floor(deltas.length / 2)]! : 0;
  let why = '';
  if (t.rFrameRate && t.avgFrameRate && t.duration > 0) {
    const frames = Math.abs(value(t.rFrameRate) - value(t.avgFrameRate)) * t.duration;
    if (frames >= 1) why = `average rate ${t.avgFrameRate.num}/${t.avgFrameRate.den} is not the base rate ${t.rFrameRate.num}/${t.rFrameRate.den} (${frames.toFixed(1)} frames over ${t.duration.toFixed(2)} s)`;
  }
  if (median > 0) {
    const slack = Math.max(1.5, 0.1 * median);
    const off = deltas.filter((d) => Math.abs(d - median) > slack);
    if (off.length && !why) {
      const ms = (d: number) => Math.round(d * t.timeBase * 1000);
      why = `frame intervals from ${ms(Math.min(...deltas))} to ${ms(Math.max(...deltas))} ms in the first ${sorted.length} frames`;
    }
  }
  if (!why) return { vfr: false, fps: stated, why };
  const regular = deltas.filter((d) => d <= 1.5 * median);
  const mean = regular.length ? (regular.reduce((a, b) => a + b, 0) / regular.length) * t.timeBase : 0;
  const rate = mean > 0 ? 1 / mean : value(t.rFrameRate && value(t.rFrameRate) <= 2 * value(stated) ? t.rFrameRate : stated);
  return { vfr: true, fps: snapRate(rate), why };
}

/**
 * The ffmpeg filter that resamples a VFR stream to `fps`: output frame i is the input frame the
 * source shows at (i + ½) / fps on the file's timeline, which starts at 0 as the audio does (a
 * late first frame is repeated back to 0). Every decode of a VFR file, and its exact frame
 * count, use it.
 */
export function resampleFilter(fps: Rational): string {
  return `fps=fps=${fps.num}/${fps.den}:start_time=0:round=near`;
}

/** The filters a decode of this video starts with: the resampling for a VFR one, none otherwise. */
export function decodeFilters(info: { vfr: boolean; fps: Rational }): string[] {
  return info.vfr ? [resampleFilter(info.fps)] : [];
}
