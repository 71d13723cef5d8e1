/**
 * The training schedule: the budget share (iterations or minutes, whichever ends first), the
 * learning rate's warm-up and cosine decay, and random warp switched off for the last part.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { learningRateAt, progress, warpOn } from '../../src/train/schedule.ts';

const test = suite('train/schedule');

test('the budget share is the larger of iterations done and minutes spent, capped at 1', () => {
  assert.is(progress({ iteration: 250, iterations: 1000, seconds: 0 }), 0.25);
  assert.is(progress({ iteration: 250, iterations: 1000, seconds: 300, minutes: 10 }), 0.5);
  assert.is(progress({ iteration: 900, iterations: 1000, seconds: 300, minutes: 10 }), 0.9);
  assert.is(progress({ iteration: 10, iterations: 10, seconds: 9999, minutes: 1 }), 1);
});

test('learning rate: linear warm-up, then cosine from the peak down to the floor at the end of the budget', () => {
  const s = { learningRate: 1e-3, warmup: 100, decay: 'cosine' as const, minLrShare: 0.1 };
  assert.ok(Math.abs(learningRateAt(s, 0, 0) - 1e-5) < 1e-12, 'first step: 1/100 of the peak');
  assert.ok(Math.abs(learningRateAt(s, 49, 0) - 5e-4) < 1e-12, 'half-way up');
  assert.ok(Math.abs(learningRateAt(s, 99, 0) - 1e-3) < 1e-12, 'the peak after warm-up');
  assert.ok(Math.abs(learningRateAt(s, 5000, 0.5) - 1e-3 * (0.1 + 0.9 * 0.5)) < 1e-12, 'half-way down at half the budget');
  assert.ok(Math.abs(learningRateAt(s, 9999, 1) - 1e-4) < 1e-12, 'the floor at the end');
  let prev = Infinity;
  for (let p = 0; p <= 1; p += 0.05) {
    const lr = learningRateAt(s, 1000, p);
    assert.ok(lr <= prev + 1e-15, 'decay never rises');
    prev = lr;
  }
  assert.is(learningRateAt({ ...s, decay: 'none', warmup: 0 }, 7, 0.9), 1e-3, 'constant without decay and warm-up');
});

test('random warp for the first share of the budget, off after', () => {
  assert.ok(warpOn(0.8, 0));
  assert.ok(warpOn(0.8, 0.79));
  assert.not.ok(warpOn(0.8, 0.8));
  assert.not.ok(warpOn(0, 0), 'warpShare 0: never');
  assert.ok(warpOn(1, 0.999), 'warpShare 1: always');
});

test.run();
