/**
 * Item lists as queue jobs carry them: runs of consecutive zero-padded numbers become pairs,
 * everything else stays as it is, and expanding gives the same set back.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compactItems, expandItems } from '../../src/queue/item-runs.ts';

const test = suite('queue/item-runs');

test('runs of frames become pairs; gaps, short runs, other widths and names stay items; the set comes back', () => {
  const frames = Array.from({ length: 18000 }, (_, i) => String(i).padStart(6, '0'));
  const c = compactItems(frames);
  assert.equal(c, { items: [], runs: [['000000', '017999']] });
  assert.ok(JSON.stringify(c).length < 60, 'an 18,000-frame list in a few bytes');
  const mixed = ['000010', '000011', '000012', '000014', '000015', '99', '100', '101', '0102', 'face_3_1', '000013', '000020'];
  const m = compactItems(mixed);
  assert.equal(m.runs, [['000010', '000015']]);
  assert.equal(new Set(m.items), new Set(['99', '100', '101', '0102', '000020', 'face_3_1']), 'numbers of other widths are not one run');
  assert.equal(new Set(expandItems(m)), new Set(mixed));
  assert.equal(expandItems(compactItems([])), []);
  assert.throws(() => expandItems({ items: [], runs: [['0010', '009']] }), /not two numbers of one width in order/);
});

test.run();
