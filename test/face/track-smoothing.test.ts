/**
 * TrackSmoother, extraction's frame-at-a-time smoothing, against the definition it replaces:
 * smoothLandmarks over each run's landmarks held whole (a run: one track's frames in a row
 * without a jump). The same numbers for every method, whatever order the frames are asked in;
 * and the local methods read only the frames within half a window of the one asked, the others
 * only the frames of its run (what keeps extraction's memory flat in the video's length).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExtractConfig, SMOOTHING_METHODS } from '../../src/config/extract.ts';
import { smoothLandmarks } from '../../src/face/smoothing.ts';
import { jumped, runsOf, smoothByTrack, TrackSmoother } from '../../src/face/track-smoothing.ts';
import type { Point } from '../../src/util/geometry.ts';

const test = suite('face/track-smoothing');

/** A seeded wobbling face: runs broken by gaps, a change of track and a jump (a cut to the same track elsewhere). */
function video(): { track: (Point[] | null)[]; trackOf: number[] } {
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  const track: (Point[] | null)[] = [];
  const trackOf: number[] = [];
  for (let t = 0; t < 90; t++) {
    const gap = t === 0 || (t >= 20 && t < 23) || t === 51 || t === 89;
    const dx = t < 40 ? 0 : t < 70 ? 0.5 * (t - 40) : 150; // frame 70 jumps a face width
    track.push(gap ? null : Array.from({ length: 68 }, (_, i) => [300 + dx + 60 * Math.cos(i) + 2 * rand(), 200 + 70 * Math.sin(i) + 2 * rand()] as Point));
    trackOf.push(gap ? -1 : t < 45 ? 3 : 8); // frame 45: another track at the same place
  }
  return { track, trackOf };
}

/** The triangle window as it was written before it was computed a frame at a time (smoothTrack of 2026-12-02). */
function windowDefinition(track: readonly (Point[] | null)[], window: number): (Point[] | null)[] {
  const half = Math.floor(window / 2);
  return track.map((pts, t) => {
    if (!pts) return null;
    const out: Point[] = pts.map(() => [0, 0]);
    let wsum = 0;
    for (let d = -half; d <= half; d++) {
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

/** The definition: each run smoothed held whole (the window and no smoothing written out here; the filters by smoothLandmarks). */
function byRuns(track: readonly (Point[] | null)[], trackOf: readonly number[], cfg: ExtractConfig): (Point[] | null)[] {
  const out: (Point[] | null)[] = track.map(() => null);
  for (let t = 0; t < track.length; ) {
    if (!track[t]) {
      t++;
      continue;
    }
    let end = t + 1;
    while (end < track.length && track[end] && trackOf[end] === trackOf[t] && !jumped({ landmarks: track[end - 1]! }, { landmarks: track[end]! })) end++;
    const run = track.slice(t, end);
    const method = cfg.smooth ? cfg.smoothing : 'none';
    const smoothed = method === 'window' ? windowDefinition(run, cfg.smoothWindow) : method === 'none' ? run.map((p) => p!.map(([x, y]) => [x, y] as Point)) : smoothLandmarks(run, cfg, 25);
    smoothed.forEach((p, k) => (out[t + k] = p));
    t = end;
  }
  return out;
}

const settings = [...SMOOTHING_METHODS.map((smoothing) => ({ smoothing })), { smoothing: 'window' as const, smoothWindow: 3 }, { smoothing: 'window' as const, smoothWindow: 15 }, { smooth: false }];

test('runs: a gap, a change of track and a jump each start one', () => {
  const { track, trackOf } = video();
  const runOf = Array.from(runsOf(track.length, (u) => track[u], trackOf));
  assert.is(runOf[0], -1);
  assert.is(runOf[1], 0);
  assert.is(runOf[19], 0);
  assert.equal([runOf[20], runOf[22]], [-1, -1]);
  assert.equal([runOf[23], runOf[44], runOf[45], runOf[50], runOf[52], runOf[69], runOf[70], runOf[88], runOf[89]], [1, 1, 2, 2, 3, 3, 4, 4, -1]);
});

test('every method: the same numbers as smoothing each run held whole, asked in frame order, backwards or at random', () => {
  const { track, trackOf } = video();
  for (const s of settings) {
    const cfg = ExtractConfig.parse(s);
    const want = byRuns(track, trackOf, cfg);
    assert.ok(want.some((p, t) => p && track[t] && p[0]![0] !== track[t]![0]![0]) || !cfg.smooth || cfg.smoothing === 'none', `${JSON.stringify(s)} moves landmarks`);
    assert.equal(smoothByTrack(track, trackOf, cfg, 25), want, JSON.stringify(s));
    const get = (u: number) => track[u];
    const smoother = new TrackSmoother(track.length, get, runsOf(track.length, get, trackOf), cfg, 25);
    const order = track.map((_, t) => t).reverse();
    order.push(...order.map((_, i) => (i * 37) % track.length));
    for (const t of order) assert.equal(smoother.at(t), want[t], `${JSON.stringify(s)} frame ${t}`);
  }
});

test('what each frame reads: half a window around it (window, none), its run (kalman, one-euro)', () => {
  const { track, trackOf } = video();
  for (const s of settings) {
    const cfg = ExtractConfig.parse(s);
    const runOf = runsOf(track.length, (u) => track[u], trackOf);
    const read: number[] = [];
    const smoother = new TrackSmoother(track.length, (u) => (read.push(u), track[u]), runOf, cfg, 25);
    const local = !cfg.smooth || cfg.smoothing === 'window' || cfg.smoothing === 'none';
    const half = cfg.smooth && cfg.smoothing === 'window' ? Math.floor(cfg.smoothWindow / 2) : 0;
    let runsSmoothed = 0;
    for (let t = 0; t < track.length; t++) {
      read.length = 0;
      smoother.at(t);
      if (local) {
        assert.ok(read.every((u) => Math.abs(u - t) <= half), `${JSON.stringify(s)} frame ${t} read ${read.join(',')}`);
        assert.ok(read.every((u) => runOf[u] === runOf[t]), `${JSON.stringify(s)} frame ${t}: only its run`);
      } else {
        assert.ok(read.every((u) => runOf[u] === runOf[t]), `${JSON.stringify(s)} frame ${t} read ${read.join(',')}: only its run`);
        if (read.length) runsSmoothed++;
      }
    }
    if (!local) assert.is(runsSmoothed, 5, 'each run smoothed once in frame order');
  }
});

test.run();
