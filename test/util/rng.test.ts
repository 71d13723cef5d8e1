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

test('shuffle: Fisher-Yates from the last item down, drawing from the stream (what splits and pairs did inline)', () => {
  const items = Array.from({ length: 13 }, (_, i) => i);
  const reference = [...items];
  const r = Rng.fromSeed(5);
  for (let i = reference.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [reference[i], reference[j]] = [reference[j]!, reference[i]!];
  }
  const got = Rng.fromSeed(5).shuffle([...items]);
  assert.equal(got, reference);
  assert.equal([...got].sort((a, b) => a - b), items, 'a permutation');
  assert.not.equal(got, items, 'not the identity for this seed');
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
