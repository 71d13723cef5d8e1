/**
 * A split's pairs as FaceForensics++ lists them at its root (`train.json`, `val.json`,
 * `test.json`): `[[target, source], …]`, the identities of every fake the dataset holds (a
 * loader builds `target_source` names from them and must find each). One entry per ordered
 * pair made, in order; `splits/<split>.json` keeps the identities and files.
 *
 *   pairLists(metadata).test   // [['beth', 'anna'], ['anna', 'beth']]
 */
import { SPLITS, type SplitName } from '../config/benchmark.ts';
import type { BenchmarkMetadata } from './metadata.ts';

export function pairLists(metadata: BenchmarkMetadata): Record<SplitName, Array<[string, string]>> {
  const out = Object.fromEntries(SPLITS.map((s) => [s, [] as Array<[string, string]>])) as Record<SplitName, Array<[string, string]>>;
  const seen = new Set<string>();
  for (const key of Object.keys(metadata).sort()) {
    const e = metadata[key]!;
    if (e.label !== 'FAKE' || !e.target) continue;
    const id = `${e.split}\0${e.target}\0${e.source}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out[e.split].push([e.target, e.source]);
  }
  return out;
}
