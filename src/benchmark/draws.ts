/**
 * The benchmark's seeded draws beyond splits and pairs: which fakes are temporally partial
 * (ForgeryNet) and their swapped spans, and which real videos are perturbed (DeeperForensics-1.0)
 * and how. Each item's draw comes from its own seed (the benchmark seed and its name), and the
 * items chosen are those whose seeds rank lowest: the same seed gives the same draws, and the
 * share chosen is exact (rounded), whatever the order of the manifest.
 *
 *   chooseShare(['a', 'b', 'c', 'd'], 0.5, 1, 'partial')   // Set { 'c', 'a' }: two of four
 *   partialSpans(deriveSeed(1, 'partial:x'), 2)            // [[0.12, 0.31], [0.55, 0.7]]
 *   perturbationDraw(deriveSeed(1, 'perturb:anna-01'), config)   // [{ type: 'GB', level: 3 }]
 */
import type { BenchmarkConfig } from '../config/benchmark.ts';
import { PERTURBATION_TYPES, type Perturbation } from '../config/perturbation.ts';
import { Rng } from '../util/rng.ts';
import { deriveSeed } from './pairs.ts';

/** round(share * n) of the names, those whose seeds (from `seed` and `what:name`) rank lowest. */
export function chooseShare(names: readonly string[], share: number, seed: number, what: string): Set<string> {
  const k = Math.round(share * names.length);
  if (k === 0) return new Set();
  const ranked = names.map((n) => [deriveSeed(seed, `${what}:${n}`), n] as const).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  return new Set(ranked.slice(0, k).map(([, n]) => n));
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * A partial fake's swapped spans, as fractions [from, to] of its video: 1 to `most` spans that
 * cover 20-60% of the video together, one inside each of as many equal slots (so they never
 * overlap), ascending.
 */
export function partialSpans(seed: number, most: number): Array<[number, number]> {
  const rng = Rng.fromSeed(seed);
  const k = 1 + Math.floor(rng.next() * most);
  const each = (0.2 + 0.4 * rng.next()) / k;
  const slot = 1 / k;
  return Array.from({ length: k }, (_, i) => {
    const from = i * slot + rng.next() * (slot - each);
    return [round4(from), round4(Math.min(1, from + each))] as [number, number];
  });
}

/** One video's perturbations: one type, or (share perturbMix) a mixture of 2-4, each at a level drawn from perturbLevels; in DeeperForensics' order (video compression last). */
export function perturbationDraw(seed: number, c: Pick<BenchmarkConfig, 'perturbTypes' | 'perturbLevels' | 'perturbMix'>): Perturbation[] {
  const rng = Rng.fromSeed(seed);
  const types = [...new Set(c.perturbTypes)];
  const levels = [...new Set(c.perturbLevels)].sort();
  const mix = rng.next() < c.perturbMix && types.length >= 2;
  const count = mix ? 2 + Math.floor(rng.next() * (Math.min(4, types.length) - 1)) : 1;
  const chosen = rng.shuffle([...types].sort()).slice(0, count);
  return PERTURBATION_TYPES.filter((t) => chosen.includes(t)).map((type) => ({ type, level: levels[Math.floor(rng.next() * levels.length)]! }));
}
