/**
 * Temporal smoothing of landmarks across consecutive frames, and what it leaves: jitter and
 * lag. A registry of methods (`SMOOTHERS`, names in src/config/extract.ts): `window` (a
 * triangle-weighted centred average), `kalman` (a constant-velocity Kalman filter per
 * coordinate, with a Rauch–Tung–Striebel backward pass: extraction sees the whole track, so
 * the smoothed track does not lag), `one-euro` (Casiez, Roussel & Vogel 2012: a low-pass whose
 * cutoff rises with speed; causal), `none`. Every method works on runs of consecutive frames
 * with the face and starts afresh after a gap. Filter settings are in face widths (jaw to jaw,
 * the run's median) and seconds, so they do not depend on the video's size.
 *
 * Jitter is the mean frame-to-frame landmark motion left after removing the face's global
 * motion (the best similarity transform between the two frames' landmarks), in pixels of the
 * aligned crop — the wobble that makes a swapped face flicker. Lag (`faceShift`) is how far
 * smoothing moved the face as a whole from where it was detected.
 *
 *   const smoothed = smoothLandmarks(track, cfg, 25);   // track: (Point[] | null)[] indexed by frame
 *   jitter(track, 256 / 1.6)                            // e.g. 1.9 (px in the aligned crop)
 *   faceShift(track, smoothed, 256 / 1.6)               // e.g. 0.3 (px in the aligned crop)
 */
import type { ExtractConfig, SmoothingMethod } from '../config/extract.ts';
import type { Point } from '../util/geometry.ts';
import { meanDistance, transformPoints, umeyama } from './umeyama.ts';

export type Track = readonly (readonly Point[] | null)[];
export type SmoothingSettings = Pick<ExtractConfig, 'smoothWindow' | 'kalmanMeasurementNoise' | 'kalmanProcessNoise' | 'oneEuroMinCutoff' | 'oneEuroBeta' | 'oneEuroDCutoff'>;

/** One run of consecutive frames, in face widths: smooth it and return it in the same units. */
type RunFilter = (run: readonly (readonly Point[])[], s: SmoothingSettings, fps: number) => Point[][];

/** Landmarks of frame `u` (null or undefined: no face there, another run, past either end). */
export type FrameLandmarks = (u: number) => readonly Point[] | null | undefined;

/**
 * The methods whose value at a frame depends only on the frames around it: computed a frame at
 * a time (extraction smooths a video's landmarks without holding them all; src/face/track-smoothing.ts).
 */
export const LOCAL_SMOOTHERS = Object.freeze({
  window: (get: FrameLandmarks, t: number, s: Pick<SmoothingSettings, 'smoothWindow'>) => windowAt(get, t, s.smoothWindow),
  none: (get: FrameLandmarks, t: number) => get(t)?.map(([x, y]) => [x, y] as Point) ?? null,
} satisfies Partial<Record<SmoothingMethod, (get: FrameLandmarks, t: number, s: SmoothingSettings) => Point[] | null>>);

/** Each method, by name. `window` works in pixels (it is linear), the filters in face widths. */
export const SMOOTHERS = Object.freeze({
  window: (track: Track, s: SmoothingSettings) => smoothTrack(track, s.smoothWindow),
  kalman: (track: Track, s: SmoothingSettings, fps: number) => byRun(track, s, fps, kalmanRun),
  'one-euro': (track: Track, s: SmoothingSettings, fps: number) => byRun(track, s, fps, oneEuroRun),
  none: (track: Track) => track.map((_, t) => LOCAL_SMOOTHERS.none((u) => track[u], t)),
} satisfies Record<SmoothingMethod, (track: Track, s: SmoothingSettings, fps: number) => (Point[] | null)[]>);

/** Smooth a track with the configured method (`smooth: false` is `none`). */
export function smoothLandmarks(track: Track, cfg: SmoothingSettings & Pick<ExtractConfig, 'smooth' | 'smoothing'>, fps: number): (Point[] | null)[] {
  return SMOOTHERS[cfg.smooth ? cfg.smoothing : 'none'](track, cfg, fps);
}

/** Split a track into runs of consecutive frames, scale each to face widths, filter, scale back. */
function byRun(track: Track, s: SmoothingSettings, fps: number, filter: RunFilter): (Point[] | null)[] {
  const out: (Point[] | null)[] = track.map(() => null);
  for (let t = 0; t < track.length; ) {
    if (!track[t]) {
      t++;
      continue;
    }
    let end = t;
    while (end < track.length && track[end]) end++;
    const run = track.slice(t, end) as (readonly Point[])[];
    const widths = run.map((p) => Math.hypot(p[16]![0] - p[0]![0], p[16]![1] - p[0]![1])).sort((a, b) => a - b);
    const w = widths[Math.floor(widths.length / 2)]! || 1;
    const [ox, oy] = run[0]![0]!;
    const scaled = run.map((p) => p.map(([x, y]) => [(x - ox) / w, (y - oy) / w] as Point));
    filter(scaled, s, fps).forEach((p, k) => (out[t + k] = p.map(([x, y]) => [x * w + ox, y * w + oy] as Point)));
    t = end;
  }
  return out;
}

/**
 * Constant-velocity Kalman filter (state: position and velocity; white-noise acceleration of
 * standard deviation q per frame², measurement noise r), forward, then the Rauch–Tung–Striebel
 * backward pass. Every coordinate sees the same noise and the same frames, so the covariances
 * and gains are computed once per run and applied to all 136 coordinates.
 */
function kalmanRun(run: readonly (readonly Point[])[], s: SmoothingSettings): Point[][] {
  const n = run.length;
  const r2 = s.kalmanMeasurementNoise ** 2;
  const q2 = s.kalmanProcessNoise ** 2;
  // covariances [p00, p01, p11] after the update (filtered) and after the prediction, per frame
  const filt: [number, number, number][] = [];
  const pred: [number, number, number][] = [];
  const gain: [number, number][] = [];
  // the first frame: position measured, velocity unknown (a face width per second at 25 fps)
  let P: [number, number, number] = [r2, 0, 0.04 ** 2];
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      // predict: F = [[1, 1], [0, 1]], Q = q² [[1/4, 1/2], [1/2, 1]]
      const [a, b, c] = P;
      P = [a + 2 * b + c + q2 / 4, b + c + q2 / 2, c + q2];
    }
    pred.push(P);
    if (t === 0) {
      gain.push([1, 0]);
      filt.push(P);
      continue;
    }
    const S = P[0] + r2;
    const k: [number, number] = [P[0] / S, P[1] / S];
    gain.push(k);
    P = [(1 - k[0]) * P[0], (1 - k[0]) * P[1], P[2] - k[1] * P[1]];
    filt.push(P);
  }
  const coords = run[0]!.length * 2;
  const out: Point[][] = run.map((p) => p.map(() => [0, 0] as Point));
  const xs = new Float64Array(n);
  const vs = new Float64Array(n);
  for (let c = 0; c < coords; c++) {
    const z = (t: number) => run[t]![c >> 1]![c & 1]!;
    // forward
    let x = z(0);
    let v = 0;
    xs[0] = x;
    vs[0] = v;
    for (let t = 1; t < n; t++) {
      x += v;
      const e = z(t) - x;
      x += gain[t]![0] * e;
      v += gain[t]![1] * e;
      xs[t] = x;
      vs[t] = v;
    }
    // backward (RTS): smoothed = filtered + C (smoothed next - predicted next), C = P F' Ppred⁻¹
    let sx = xs[n - 1]!;
    let sv = vs[n - 1]!;
    out[n - 1]![c >> 1]![c & 1] = sx;
    for (let t = n - 2; t >= 0; t--) {
      const [a, b, cc] = filt[t]!;
      const [pa, pb, pc] = pred[t + 1]!;
      // P F' = [[a + b, b], [b + cc, cc]]; inverse of the predicted covariance
      const det = pa * pc - pb * pb;
      const i00 = pc / det;
      const i01 = -pb / det;
      const i11 = pa / det;
      const m00 = a + b;
      const m01 = b;
      const m10 = b + cc;
      const m11 = cc;
      const C00 = m00 * i00 + m01 * i01;
      const C01 = m00 * i01 + m01 * i11;
      const C10 = m10 * i00 + m11 * i01;
      const C11 = m10 * i01 + m11 * i11;
      const dx = sx - (xs[t]! + vs[t]!);
      const dv = sv - vs[t]!;
      sx = xs[t]! + C00 * dx + C01 * dv;
      sv = vs[t]! + C10 * dx + C11 * dv;
      out[t]![c >> 1]![c & 1] = sx;
    }
  }
  return out;
}

/** One-Euro filter per landmark: the cutoff rises with the landmark's (smoothed) speed. */
function oneEuroRun(run: readonly (readonly Point[])[], s: SmoothingSettings, fps: number): Point[][] {
  const alpha = (cutoff: number) => 1 / (1 + fps / (2 * Math.PI * cutoff));
  const aD = alpha(s.oneEuroDCutoff);
  const out: Point[][] = [run[0]!.map(([x, y]) => [x, y] as Point)];
  const speed = run[0]!.map(() => [0, 0] as Point);
  for (let t = 1; t < run.length; t++) {
    const prev = out[t - 1]!;
    out.push(
      run[t]!.map(([x, y], i) => {
        const d = speed[i]!;
        d[0] += aD * ((x - prev[i]![0]) * fps - d[0]);
        d[1] += aD * ((y - prev[i]![1]) * fps - d[1]);
        const a = alpha(s.oneEuroMinCutoff + s.oneEuroBeta * Math.hypot(d[0], d[1]));
        return [prev[i]![0] + a * (x - prev[i]![0]), prev[i]![1] + a * (y - prev[i]![1])] as Point;
      }),
    );
  }
  return out;
}

/** Triangle-weighted centred moving average over runs of consecutive frames (gaps break runs). */
export function smoothTrack(track: Track, window: number): (Point[] | null)[] {
  return track.map((_, t) => windowAt((u) => track[u], t, window));
}

/** The triangle-weighted centred average at frame `t`, stopping at a gap (a frame `get` gives none for) on either side. */
export function windowAt(get: FrameLandmarks, t: number, window: number): Point[] | null {
  const pts = get(t);
  if (!pts) return null;
  const half = Math.floor(window / 2);
  // the frames from t out to the first gap on either side, at most half a window: each read once
  const near: (readonly Point[])[] = [pts];
  let lo = 0;
  for (let q; lo > -half && (q = get(t + lo - 1)); lo--) near.unshift(q);
  for (let q, hi = 0; hi < half && (q = get(t + hi + 1)); hi++) near.push(q);
  const out: Point[] = pts.map(() => [0, 0]);
  let wsum = 0;
  for (let j = 0; j < near.length; j++) {
    const d = lo + j;
    const w = half + 1 - Math.abs(d);
    const q = near[j]!;
    for (let i = 0; i < pts.length; i++) {
      out[i]![0] += w * q[i]![0];
      out[i]![1] += w * q[i]![1];
    }
    wsum += w;
  }
  return out.map(([x, y]) => [x / wsum, y / wsum] as Point);
}

/** Mean residual frame-to-frame motion, scaled to a face `faceWidthPx` wide (jaw to jaw). */
export function jitter(track: Track, faceWidthPx: number): number | null {
  const j = new JitterSum(faceWidthPx);
  for (let t = 0; t < track.length; t++) j.add(track[t] ?? null);
  return j.value();
}

/** `jitter` a frame at a time: `add` each frame's landmarks (null: none) in order. */
export class JitterSum {
  private sum = 0;
  private n = 0;
  private prev: readonly Point[] | null = null;
  constructor(private readonly faceWidthPx: number) {}
  add(b: readonly Point[] | null): void {
    const a = this.prev;
    this.prev = b;
    if (!a || !b) return;
    const m = umeyama(a, b);
    const width = Math.hypot(b[16]![0] - b[0]![0], b[16]![1] - b[0]![1]);
    this.sum += (meanDistance(transformPoints(m, a), b) * this.faceWidthPx) / width;
    this.n++;
  }
  value(): number | null {
    return this.n ? this.sum / this.n : null;
  }
}

/**
 * How far smoothing moved the face as a whole: per frame, the length of the mean displacement
 * of the landmarks from where they were detected (noise removal moves landmarks every which
 * way and averages out; lag moves them all together), scaled to a face `faceWidthPx` wide;
 * the mean over frames.
 */
export function faceShift(raw: Track, smoothed: Track, faceWidthPx: number): number | null {
  let sum = 0;
  let n = 0;
  raw.forEach((a, t) => {
    const b = smoothed[t];
    if (!a || !b) return;
    let dx = 0;
    let dy = 0;
    for (let i = 0; i < a.length; i++) {
      dx += b[i]![0] - a[i]![0];
      dy += b[i]![1] - a[i]![1];
    }
    const width = Math.hypot(a[16]![0] - a[0]![0], a[16]![1] - a[0]![1]);
    sum += (Math.hypot(dx, dy) / a.length) * (faceWidthPx / width);
    n++;
  });
  return n ? sum / n : null;
}
