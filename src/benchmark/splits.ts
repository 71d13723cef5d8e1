/**
 * Identity-disjoint splits: every identity goes to exactly one of train / val / test, so no
 * person a detector is tested on was seen in training (the FaceForensics++ / DFDC rule).
 * Deterministic from the seed: identities are shuffled by a seeded generator, then cut by the
 * fractions (largest remainders, so the counts add up); with at least three identities and
 * non-zero fractions every split gets one.
 *
 *   assignSplits(['a', 'b', 'c', 'd'], { train: 0.5, val: 0.25, test: 0.25 }, 1)
 *   // { train: ['a', 'b'], val: ['d'], test: ['c'] }
 */
import { SPLITS, type SplitName } from '../config/benchmark.ts';
import { Rng } from '../util/rng.ts';

export type Splits = Record<SplitName, string[]>;

export function assignSplits(identities: readonly string[], fractions: Record<SplitName, number>, seed: number): Splits {
  const ids = Rng.fromSeed(seed).shuffle([...new Set(identities)].sort());
  const n = ids.length;
  const want = SPLITS.map((s) => fractions[s] * n);
  const counts = want.map(Math.floor);
  // non-zero fractions get at least one identity when there are enough to go round
  const active = SPLITS.map((s) => fractions[s] > 0);
  if (n >= active.filter(Boolean).length) SPLITS.forEach((_, k) => active[k] && counts[k] === 0 && (counts[k] = 1));
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = SPLITS.map((_, k) => k).sort((x, y) => want[y]! - counts[y]! - (want[x]! - counts[x]!) || x - y);
  for (let k = 0; left > 0; k = (k + 1) % order.length) {
    if (!active[order[k]!]) continue;
    counts[order[k]!]!++;
    left--;
  }
  while (left < 0) {
    const k = counts.indexOf(Math.max(...counts));
    counts[k]!--;
    left++;
  }
  const out = {} as Splits;
  let at = 0;
  SPLITS.forEach((s, k) => {
    out[s] = ids.slice(at, at + counts[k]!);
    at += counts[k]!;
  });
  return out;
}
