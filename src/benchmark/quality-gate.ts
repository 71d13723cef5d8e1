/**
 * The benchmark's quality gate: whether a finished fake is good enough to ship in the dataset,
 * read from its metrics.json (frames swapped, identity distances). What it drops, and why,
 * goes to the dataset's dropped.json.
 *
 *   const why = gateReason(readMetrics('fake/metrics.json'), plan.config);   // null: keep it
 */
import type { BenchmarkConfig } from '../config/benchmark.ts';
import type { IdentityResult } from '../swap/metrics.ts';

/** What the gate reads of a fake's metrics.json. */
export interface GateMetrics {
  identity: { swapped: Pick<IdentityResult, 'closerToTarget'> & { toSource: { mean: number } | null; toTarget: { mean: number; median: number } | null } | null };
  frames: { total: number; swapped: number };
}
export type GateSettings = Pick<BenchmarkConfig, 'minSwappedShare' | 'identityGate' | 'maxTargetDistance' | 'minIdentityShare'>;

/**
 * Why a finished fake fails the quality gate, or null when it passes. A fake passes when it
 * swapped at least `minSwappedShare` of its frames and, with the identity gate on, its swapped
 * faces read as the target: closer to the target than to the source on average, a median
 * distance to the target below `maxTargetDistance` (a blur that both decoders produce alike
 * sits closer to one identity than to the other, but near neither), and at least
 * `minIdentityShare` of them closer to the target than to the source.
 */
export function gateReason(m: GateMetrics, g: GateSettings): string | null {
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const share = m.frames.total ? m.frames.swapped / m.frames.total : 0;
  if (share < g.minSwappedShare) return `swapped ${m.frames.swapped} of ${m.frames.total} frames (${pct(share)}), below the ${pct(g.minSwappedShare)} minimum (minSwappedShare)`;
  const s = m.identity.swapped;
  if (!g.identityGate) return null;
  if (!s?.toSource || !s.toTarget || s.closerToTarget === null) return 'no identity distances (the metrics found no faces to compare)';
  if (!(s.toTarget.mean < s.toSource.mean)) return `swapped faces are not closer to the target (distance ${s.toTarget.mean.toFixed(3)}) than to the source (${s.toSource.mean.toFixed(3)})`;
  if (!(s.toTarget.median < g.maxTargetDistance)) return `swapped faces do not read as the target: their median distance to it is ${s.toTarget.median.toFixed(3)}, not below the ${g.maxTargetDistance} maximum (maxTargetDistance)`;
  if (s.closerToTarget < g.minIdentityShare) return `only ${pct(s.closerToTarget)} of the swapped faces are closer to the target than to the source, below the ${pct(g.minIdentityShare)} minimum (minIdentityShare)`;
  return null;
}
