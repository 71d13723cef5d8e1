/**
 * The seeded generator and the one seeded shuffle: the same seed gives the same stream and the
 * same order (pinned values: benchmark splits and pairs depend on them), a saved state
 * continues the stream, a shuffle is a permutation, and every position is reachable about
 * equally often.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assignSplits } from '../../src/benchmark/splits.ts';
import { Rng } from '../../src/util/rng.ts';

const test = suite('util/rng');

test('the stream is pinned by the seed, and a saved state continues it', () => {
  const r = Rng.fromSeed(42);
  const first = [r.nextUint32(), r.nextUint32(), r.nextUint32()];
  assert.equal(first, [2837322924, 544945897, 479756282]);
  const saved = r.state();
  const next = [r.next(), r.next()];
  const back = Rng.fromState(saved);
  assert.equal([back.next(), back.next()], next);
  assert.not.equal(Rng.fromSeed(43).nextUint32(), first[0]);
});

test('shuffle: Fisher-Yates from the last item down, one draw per swap (the order splits and pairs had)', () => {
  const items = Array.from({ length: 13 }, (_, i) => i);
  const r = Rng.fromSeed(5);
  const got = r.shuffle([...items]);
  // worked by hand: seed 5's first 12 draws give j = floor(next() * (i + 1)) = 10 9 6 2 4 5 5 1 4 0 1 0
  // for i = 12..1; swapping a[i] and a[j] in turn leaves this order
  assert.equal(got, [11, 3, 12, 0, 8, 1, 7, 5, 4, 2, 6, 9, 10]);
  const draws = Rng.fromSeed(5);
  for (let i = 12; i > 0; i--) draws.next();
  assert.is(r.next(), draws.next(), 'n items take exactly n - 1 draws from the stream');
  assert.equal(Rng.fromSeed(5).shuffle([]), []);
  assert.equal(Rng.fromSeed(5).shuffle(['x']), ['x']);
});

test('shuffle: pinned orders (benchmark splits must not move between versions)', () => {
  assert.equal(Rng.fromSeed(1).shuffle(['a', 'b', 'c', 'd', 'e']), PINNED_1);
  assert.equal(assignSplits(['a', 'b', 'c', 'd'], { train: 0.5, val: 0.25, test: 0.25 }, 1), PINNED_SPLITS);
});

test('shuffle: each item lands in each position about equally often', () => {
  const n = 5;
  const runs = 20000;
  const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const r = Rng.fromSeed(9);
  for (let k = 0; k < runs; k++) r.shuffle(Array.from({ length: n }, (_, i) => i)).forEach((item, pos) => counts[item]![pos]!++);
  for (const row of counts) for (const c of row) assert.ok(Math.abs(c / runs - 1 / n) < 0.02, `share ${c / runs}`);
});

const PINNED_1 = ['b', 'a', 'e', 'd', 'c'];
const PINNED_SPLITS = { train: ['a', 'b'], val: ['d'], test: ['c'] };

test.run();
