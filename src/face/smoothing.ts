/**
 * Temporal smoothing of landmarks across consecutive frames, and the jitter it removes.
 * Jitter is the mean frame-to-frame landmark motion left after removing the face's global
 * motion (the best similarity transform between the two frames' landmarks), in pixels of the
 * aligned crop — the wobble that makes a swapped face flicker.
 *
 *   const smoothed = smoothTrack(track, 5);   // track: (Point[] | null)[] indexed by frame
 *   jitter(track, 256 / 1.6)                  // e.g. 1.9 (px in the aligned crop)
 */
import type { Point } from './face-api.ts';
import { meanDistance, transformPoints, umeyama } from './umeyama.ts';

/** Triangle-weighted centred moving average over runs of consecutive frames (gaps break runs). */
export function smoothTrack(track: readonly (readonly Point[] | null)[], window: number): (Point[] | null)[] {
  const half = Math.floor(window / 2);
  return track.map((pts, t) => {
    if (!pts) return null;
    const out: Point[] = pts.map(() => [0, 0]);
    let wsum = 0;
    for (let d = -half; d <= half; d++) {
      // stop at a gap on either side
      let ok = true;
      for (let k = Math.min(0, d); k <= Math.max(0, d); k++) if (!track[t + k]) ok = false;
      if (!ok) continue;
      const w = half + 1 - Math.abs(d);
      const q = track[t + d]!;
      for (let i = 0; i < pts.length; i++) {
        out[i]![0] += w * q[i]![0];
        out[i]![1] += w * q[i]![1];
      }
      wsum += w;
    }
    return out.map(([x, y]) => [x / wsum, y / wsum] as Point);
  });
}

/** Mean residual frame-to-frame motion, scaled to a face `faceWidthPx` wide (jaw to jaw). */
export function jitter(track: readonly (readonly Point[] | null)[], faceWidthPx: number): number | null {
  let sum = 0;
  let n = 0;
  for (let t = 0; t + 1 < track.length; t++) {
    const a = track[t];
    const b = track[t + 1];
    if (!a || !b) continue;
    const m = umeyama(a, b);
    const width = Math.hypot(b[16]![0] - b[0]![0], b[16]![1] - b[0]![1]);
    sum += (meanDistance(transformPoints(m, a), b) * faceWidthPx) / width;
    n++;
  }
  return n ? sum / n : null;
}
