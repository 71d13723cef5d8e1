/**
 * Which swaps a benchmark makes: ordered identity pairs (source video's person, target face)
 * within each split (a fake mixes two people, so both must be on the same side of the split),
 * all of them or `n` per split sampled with the seed; and a seed per pair derived from the
 * benchmark seed and the pair's names, so adding a pair never changes another's.
 *
 *   choosePairs({ train: ['a', 'b', 'c'], val: [], test: [] }, 'all', 'both', 1)
 *   // [{ split: 'train', source: 'a', target: 'b', seed: … }, { source: 'b', target: 'a' }, …]
 */
import { createHash } from 'node:crypto';
import { SPLITS } from '../config/benchmark.ts';
import { Rng } from '../util/rng.ts';
import type { Pair } from './plan-files.ts';
import type { Splits } from './splits.ts';

export type { Pair };

/** A 31-bit seed from the benchmark seed and a name (sha256, so it is stable across versions). */
export function deriveSeed(seed: number, name: string): number {
  return createHash('sha256').update(`${seed}:${name}`).digest().readUInt32BE(0) & 0x7fffffff;
}

export function choosePairs(splits: Splits, count: 'all' | number, directions: 'both' | 'one', seed: number): Pair[] {
  const out: Pair[] = [];
  for (const split of SPLITS) {
    const ids = [...splits[split]].sort();
    let pairs: Array<[string, string]> = [];
    for (let i = 0; i < ids.length; i++) {
      for (let j = 0; j < ids.length; j++) {
        if (i === j || (directions === 'one' && j < i)) continue;
        pairs.push([ids[i]!, ids[j]!]);
      }
    }
    if (count !== 'all' && pairs.length > count) {
      const rng = Rng.fromSeed(deriveSeed(seed, `pairs:${split}`));
      pairs = rng.shuffle(pairs).slice(0, count).sort((p, q) => (p[0] + p[1] < q[0] + q[1] ? -1 : 1));
    }
    for (const [source, target] of pairs) out.push({ split, source, target, key: `${source}__${target}`, seed: deriveSeed(seed, `${source}__${target}`) });
  }
  return out;
}
