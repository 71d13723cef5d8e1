/**
 * The training schedule: where a run stands in its budget (iterations or minutes, whichever ends
 * first) and what that means for the learning rate (linear warm-up, then cosine decay to a floor)
 * and the random warp (on for the first `warpShare` of the budget, off for the rest: the model
 * finishes on undistorted faces, faceswap's "no warp" phase).
 *
 *   const p = progress({ iteration: 500, iterations: 1000, seconds: 30, minutes: 10 });   // 0.5
 *   learningRateAt({ learningRate: 5e-4, warmup: 100, decay: 'cosine', minLrShare: 0.1 }, 500, p)
 *   warpOn(0.8, p)   // true
 */

export interface ScheduleSettings {
  learningRate: number;
  warmup: number;
  decay: 'cosine' | 'none';
  minLrShare: number;
}

/** Share of the budget used, 0..1: the larger of iterations done and minutes spent. */
export function progress(o: { iteration: number; iterations: number; seconds: number; minutes?: number }): number {
  const byIterations = o.iteration / o.iterations;
  const byTime = o.minutes ? o.seconds / (o.minutes * 60) : 0;
  return Math.min(1, Math.max(byIterations, byTime));
}

/** The learning rate of iteration `iteration` (0-based, of the whole run) at budget share `p`. */
export function learningRateAt(s: ScheduleSettings, iteration: number, p: number): number {
  const warm = s.warmup > 0 ? Math.min(1, (iteration + 1) / s.warmup) : 1;
  const decay = s.decay === 'cosine' ? s.minLrShare + (1 - s.minLrShare) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, p))) : 1;
  return s.learningRate * warm * decay;
}

export function warpOn(warpShare: number, p: number): boolean {
  return p < warpShare;
}
