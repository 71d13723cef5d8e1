/** Composite segments: `size` frames each; a 1- or 2-frame tail joins the segment before it (joined, it would skew the output's frame rate). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { segmentCount } from '../../src/stages/composite.ts';

const test = suite('stages/segments');

test('whole segments, a tail of 3 or more its own, a tail of 1 or 2 joined to the one before', () => {
  assert.is(segmentCount(24, 8), 3);
  assert.is(segmentCount(25, 8), 3, '8 + 8 + 9, not 8 + 8 + 8 + 1');
  assert.is(segmentCount(26, 8), 3, '8 + 8 + 10');
  assert.is(segmentCount(27, 8), 4, '8 + 8 + 8 + 3');
  assert.is(segmentCount(5, 8), 1);
  assert.is(segmentCount(1, 8), 1);
  assert.is(segmentCount(0, 8), 0);
});

test.run();
