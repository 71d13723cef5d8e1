/**
 * FaceForensics++'s names for a benchmark's videos (the `--layout ffpp` dataset): real videos
 * `NNN` (000-999, in manifest order), fakes `TTT_SSS` (the video whose face was replaced, then
 * the donor: FF++'s target_source, where Janus says source video and target identity), and the
 * pair lists `[[a, b], …]` from which loaders build both `a_b` and `b_a`.
 *
 * FF++ pairs each video with one other; Janus swaps every video of identity A with B's face and
 * every video of B with A's. So for each identity pair the i-th pair is (A's video i mod |A|,
 * B's video i mod |B|), i < max(|A|, |B|): `a_b` is a's fake with B's face and `b_a` b's with
 * A's, both of which exist. A pair is listed only when both its fakes are in the dataset; when
 * A and B have different numbers of videos, a fake of the smaller side is linked under more than
 * one name (the same file: which video of the donor identity is named does not change a fake
 * made by a model of the whole identity). A fake in no listed pair keeps the name of its
 * planned donor (the target identity's first video).
 *
 *   const n = ffppNames(plan, new Set(['anna-01__beth', 'beth-01__anna']));
 *   n.video.get('anna-01')          // '000'
 *   n.fake.get('anna-01__beth')     // ['000_001']
 *   n.pairs.train                   // [['000', '001']]
 */
import { SPLITS, type SplitName } from '../config/benchmark.ts';
import type { BenchmarkPlan } from './plan.ts';

export interface FfppNames {
  /** Janus video id -> NNN. */
  video: Map<string, string>;
  /** Janus fake id -> its TTT_SSS names (one or more). */
  fake: Map<string, string[]>;
  pairs: Record<SplitName, Array<[string, string]>>;
}

export function ffppNames(plan: Pick<BenchmarkPlan, 'videos' | 'models' | 'fakes'>, kept: ReadonlySet<string>): FfppNames {
  const video = new Map(plan.videos.map((v, i) => [v.id, String(i).padStart(3, '0')]));
  const byIdentity = new Map<string, string[]>();
  for (const v of plan.videos) byIdentity.set(v.identity, [...(byIdentity.get(v.identity) ?? []), v.id]);
  const fake = new Map<string, string[]>();
  const name = (id: string, n: string) => {
    const names = fake.get(id) ?? [];
    if (!names.includes(n)) fake.set(id, [...names, n]);
  };
  const pairs = Object.fromEntries(SPLITS.map((s) => [s, [] as Array<[string, string]>])) as FfppNames['pairs'];
  for (const m of plan.models) {
    const as = byIdentity.get(m.a) ?? [];
    const bs = byIdentity.get(m.b) ?? [];
    for (let i = 0; i < Math.max(as.length, bs.length); i++) {
      const a = as[i % as.length]!;
      const b = bs[i % bs.length]!;
      const ab = `${a}__${m.b}`;
      const ba = `${b}__${m.a}`;
      if (!kept.has(ab) || !kept.has(ba)) continue;
      const [na, nb] = [video.get(a)!, video.get(b)!];
      pairs[m.split].push([na, nb]);
      name(ab, `${na}_${nb}`);
      name(ba, `${nb}_${na}`);
    }
  }
  for (const f of plan.fakes) if (kept.has(f.id) && !fake.has(f.id)) name(f.id, `${video.get(f.sourceVideo)}_${video.get(f.targetVideo)}`);
  return { video, fake, pairs };
}
