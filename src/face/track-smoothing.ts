/**
 * Smoothing the target's landmarks over a video's face tracks without holding them: a run is the
 * frames one face track holds in a row without a jump (a change of track, another person or
 * place, or landmarks that jumped start a new one: two shots are never averaged); each frame's
 * smoothed landmarks come from its run alone. The local methods (`window`, `none`) are computed a
 * frame at a time from the frames around it; the others (`kalman`, `one-euro`) a run at a time,
 * and only the current run is held (its landmarks in and out: a shot as long as the video holds
 * them all). The landmarks are read through `get` (extraction reads the detection files again),
 * so with the local methods memory does not grow with the video's length.
 *
 *   const runOf = runsOf(frames, get, trackOf);            // one pass: the run of each frame (-1: none)
 *   const s = new TrackSmoother(frames, get, runOf, cfg, 25);
 *   s.at(t)                                                // frame t's smoothed landmarks (or null)
 *   smoothByTrack(track, trackOf, cfg, 25)                 // the same for landmarks held in an array
 */
import type { ExtractConfig } from '../config/extract.ts';
import type { Point } from '../util/geometry.ts';
import { landmarkBounds } from './face-api.ts';
import { LOCAL_SMOOTHERS, smoothLandmarks, type FrameLandmarks } from './smoothing.ts';

/**
 * A followed face whose landmarks moved by more than 40% of its width, or grew or shrank by more
 * than 30%, in one frame: no face moves so between two frames of a shot, so the landmark net
 * was fitting something else (the face turned away, was covered, or the shot changed).
 */
export function jumped(before: { readonly landmarks: readonly Point[] }, after: { readonly landmarks: readonly Point[] }): boolean {
  const a = landmarkBounds(before.landmarks);
  const b = landmarkBounds(after.landmarks);
  const scale = b.width / Math.max(1e-6, a.width);
  const moved = Math.hypot(b.x + b.width / 2 - (a.x + a.width / 2), b.y + b.height / 2 - (a.y + a.height / 2)) / Math.max(1e-6, a.width);
  return moved > 0.4 || scale > 1.3 || scale < 1 / 1.3;
}

/** Per frame, the run it belongs to (numbered from 0 in frame order), or -1 where `get` gives no landmarks. */
export function runsOf(frames: number, get: FrameLandmarks, trackOf: ArrayLike<number>): Int32Array {
  const runOf = new Int32Array(frames).fill(-1);
  let run = -1;
  let prev: readonly Point[] | null = null;
  for (let t = 0; t < frames; t++) {
    const p = get(t) ?? null;
    if (p && !(prev && trackOf[t] === trackOf[t - 1] && !jumped({ landmarks: prev }, { landmarks: p }))) run++;
    if (p) runOf[t] = run;
    prev = p;
  }
  return runOf;
}

/** Frame by frame smoothed landmarks of the runs `runOf` numbers (asked in any order; in frame order each run is smoothed once). */
export class TrackSmoother {
  /** The run a non-local method smoothed last, whole. */
  private held: { run: number; start: number; out: Point[][] } | null = null;
  constructor(
    private readonly frames: number,
    private readonly get: FrameLandmarks,
    private readonly runOf: Int32Array,
    private readonly cfg: Pick<ExtractConfig, 'smooth' | 'smoothing' | 'smoothWindow' | 'kalmanMeasurementNoise' | 'kalmanProcessNoise' | 'oneEuroMinCutoff' | 'oneEuroBeta' | 'oneEuroDCutoff'>,
    private readonly fps: number,
  ) {}

  at(t: number): Point[] | null {
    const run = this.runOf[t]!;
    if (run < 0) return null;
    const method = this.cfg.smooth ? this.cfg.smoothing : 'none';
    const inRun: FrameLandmarks = (u) => (u >= 0 && u < this.frames && this.runOf[u] === run ? this.get(u) : null);
    if (method === 'window' || method === 'none') return LOCAL_SMOOTHERS[method](inRun, t, this.cfg);
    if (this.held?.run !== run) {
      let start = t;
      while (start > 0 && this.runOf[start - 1] === run) start--;
      const landmarks: Point[][] = [];
      for (let u = start; u < this.frames && this.runOf[u] === run; u++) landmarks.push(this.get(u) as Point[]);
      this.held = null; // the previous run's landmarks go before this one's are smoothed
      this.held = { run, start, out: smoothLandmarks(landmarks, this.cfg, this.fps) as Point[][] };
    }
    return this.held.out[t - this.held.start]!;
  }
}

/** smoothLandmarks over each run of a track held in an array (`trackOf`: each frame's face track). */
export function smoothByTrack(track: readonly (Point[] | null)[], trackOf: readonly number[], cfg: ExtractConfig, fps: number): (Point[] | null)[] {
  const get = (u: number) => track[u];
  const smoother = new TrackSmoother(track.length, get, runsOf(track.length, get, trackOf), cfg, fps);
  return track.map((_, t) => smoother.at(t));
}
