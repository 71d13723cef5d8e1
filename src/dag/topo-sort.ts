/**
 * The order stages run in: Kahn's algorithm over the upstream links, keeping file order among
 * stages that are ready together; a cycle is an error naming it.
 *
 *   topoSort(stages, 'pipeline.yaml').map((s) => s.name)   // upstream first
 */
import { UserError } from '../util/errors.ts';
import type { ResolvedStage } from './pipeline-schema.ts';

export function topoSort(stages: ResolvedStage[], file: string): ResolvedStage[] {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const indeg = new Map(stages.map((s) => [s.name, s.upstream.length]));
  const out: ResolvedStage[] = [];
  const ready = stages.filter((s) => s.upstream.length === 0).map((s) => s.name);
  const downstream = new Map<string, string[]>();
  for (const s of stages) for (const u of s.upstream) downstream.set(u, [...(downstream.get(u) ?? []), s.name]);
  while (ready.length) {
    const n = ready.shift()!;
    out.push(byName.get(n)!);
    for (const d of downstream.get(n) ?? []) {
      indeg.set(d, indeg.get(d)! - 1);
      if (indeg.get(d) === 0) ready.push(d);
    }
  }
  if (out.length !== stages.length) throw cycleError(stages, out, byName, file);
  return out;
}

/** Find one cycle among the stages left unsorted and say it. */
function cycleError(stages: ResolvedStage[], sorted: ResolvedStage[], byName: Map<string, ResolvedStage>, file: string): UserError {
  const left = new Set(stages.filter((s) => !sorted.includes(s)).map((s) => s.name));
  let cur = [...left][0]!;
  const path: string[] = [];
  while (!path.includes(cur)) {
    path.push(cur);
    cur = byName.get(cur)!.upstream.find((u) => left.has(u))!;
  }
  const cycle = [...path.slice(path.indexOf(cur)), cur];
  return new UserError(`${file}: the stages form a cycle: ${cycle.reverse().join(' -> ')}`, 'a stage cannot depend, directly or not, on its own output');
}
