/**
 * Telling variable frame rate from constant, and the rate it is resampled at, from the stream's
 * stated rates and a sample of packet timestamps: CFR streams (exact, or rounded to a coarse
 * time base, or sampled in decode order up to a B-frame's reference) are left alone; jitter, a gap or held frames are caught; the rate snaps to a
 * common one (or to 1/1000 fps) and ignores gaps and held frames.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resampleFilter, snapRate, vfrTiming, type TimingInput } from '../../src/media/vfr.ts';

const test = suite('media/vfr');

const r = (num: number, den = 1) => ({ num, den });
/** pts in ticks of `tb` seconds for frame times in seconds. */
const ticks = (times: number[], tb: number) => times.map((t) => Math.round(t / tb));
const input = (times: number[], o: Partial<TimingInput> = {}): TimingInput => {
  const timeBase = o.timeBase ?? 1 / 90000;
  return { rFrameRate: r(25), avgFrameRate: r(25), duration: 5, timeBase, pts: ticks(times, timeBase), ...o };
};
const even = (n: number, fps: number) => Array.from({ length: n }, (_, i) => i / fps);

test('CFR streams are not VFR and keep their stated rate: exact, in coded (B-frame) order, 29.97 in a millisecond time base', () => {
  assert.equal(vfrTiming(input(even(125, 25))), { vfr: false, fps: r(25), why: '' });
  const coded = even(125, 25);
  [coded[3], coded[5]] = [coded[5]!, coded[3]!];
  assert.is(vfrTiming(input(coded)).vfr, false, 'packets in decode order');
  const ntsc = input(even(240, 30000 / 1001), { rFrameRate: r(30000, 1001), avgFrameRate: r(30000, 1001), duration: 240 / (30000 / 1001), timeBase: 1 / 1000 });
  assert.equal(vfrTiming(ntsc), { vfr: false, fps: r(30000, 1001), why: '' }, '33/34 ms intervals are rounding, not VFR');
  assert.is(vfrTiming(input([], { avgFrameRate: null })).fps.num, 25, 'no sample, no avg: the base rate');
  // I P B B P B B ... in decode order, the sample cut after a P: its B-frames were not read
  const decodeOrder = [0, ...Array.from({ length: 80 }, (_, g) => [3 * g + 3, 3 * g + 1, 3 * g + 2]).flat(), 243].map((i) => i / 25);
  assert.is(vfrTiming(input(decodeOrder)).vfr, false, 'a sample cut in the middle of a reordered group');
});

test('jitter is VFR; resampled at the mean interval, snapped to a common rate', () => {
  const phone = Array.from({ length: 201 }, (_, i) => i / 30 + (i % 3 === 1 ? 0.009 : 0));
  const t = vfrTiming(input(phone, { rFrameRate: r(30), avgFrameRate: r(30), duration: 201 / 30 }));
  assert.ok(t.vfr);
  assert.match(t.why, /frame intervals from 24 to 42 ms/);
  assert.ok([30, 30000 / 1001].includes(t.fps.num / t.fps.den), `30 fps give or take the jitter's rounding, got ${t.fps.num}/${t.fps.den}`);
});

test('a gap or held frames anywhere (the average rate is off by a frame or more) is VFR at the base rate; less than a frame is not', () => {
  const gap = [...even(100, 25), ...even(25, 25).map((x) => x + 5)];
  const t = vfrTiming(input(gap.slice(0, 100), { avgFrameRate: r(125, 6), duration: 6 })); // the gap lies beyond the sample
  assert.ok(t.vfr);
  assert.match(t.why, /average rate 125\/6 is not the base rate 25\/1/);
  assert.equal(t.fps, r(25), 'the sampled intervals give 25');
  const held = [...even(50, 25), ...even(50, 25).map((x) => x + 2 + 0.04)];
  assert.equal(vfrTiming(input(held, { avgFrameRate: r(100 * 1000, 4040), duration: 4.04 })).fps, r(25), 'the held frame is left out of the mean');
  assert.is(vfrTiming(input(even(125, 25), { avgFrameRate: r(2500, 100.5), duration: 5 })).vfr, false, 'half a frame over the clip');
});

test('snapRate: within 1% of a common rate, that rate (the nearest); else 1/1000 fps', () => {
  assert.equal(snapRate(29.95), r(30000, 1001));
  assert.equal(snapRate(29.99), r(30));
  assert.equal(snapRate(24.9), r(25));
  assert.equal(snapRate(35.7), r(357, 10));
  assert.equal(snapRate(0.5), r(1, 2));
  assert.is(resampleFilter(r(30000, 1001)), 'fps=fps=30000/1001:start_time=0:round=near');
});

test.run();
