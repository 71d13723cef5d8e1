/**
 * Pinned budgets: what a recorded run's stages did (`did`, in its run-manifest.json), turned by
 * each kind's `pin()` into the params that make a rerun do the same (a `minutes` budget becomes
 * the iteration count it reached). `janus run --pin`, `janus verify` and reproduction kits use it.
 *
 *   const p = pinnedParams(kind, stage.params, { iteration: 4312, saves: [1000, 2000, 4312] });
 *   p.pinned   // { iterations: 4312, minutes: undefined, saveAt: [1000, 2000, 4312], … }
 *   applyPins(pipeline, pinsOf(readRunManifestFile('runs/demo/run-manifest.json')), registry)   // ['train: iterations=4312 …']
 */
import type { RunManifest } from './manifest.ts';
import type { Pipeline } from './pipeline-schema.ts';
import type { StageDid, StageKind, StageRegistry } from './stage-kind.ts';
import { UserError } from '../util/errors.ts';

/** The params with the pins applied (validated by the kind's schema), and the pins themselves (undefined: back to the default). */
export function pinnedParams(kind: StageKind, params: Record<string, unknown>, did: StageDid | null | undefined): { params: Record<string, unknown>; pinned: Record<string, unknown> } {
  const pinned = did && kind.pin ? (kind.pin(params, did) as Record<string, unknown>) : {};
  // parsed even unpinned: the schema's key order (params read back from state.db come sorted), what the stage wrote its settings in
  const merged = Object.fromEntries(Object.entries({ ...params, ...pinned }).filter(([, v]) => v !== undefined));
  return { params: kind.params.parse(merged) as Record<string, unknown>, pinned };
}

/** The pins as words: `iterations=4312 minutes=default saveAt=[1000,2000]`. */
export function describePins(pinned: Record<string, unknown>): string {
  return Object.entries(pinned)
    .map(([k, v]) => `${k}=${v === undefined ? 'default' : JSON.stringify(v)}`)
    .join(' ');
}

/** Each stage's `did` in a run manifest (stages that ran or were up to date in its run). */
export function pinsOf(m: RunManifest): Map<string, StageDid> {
  return new Map(m.stages.flatMap((s) => (s.did ? [[s.name, s.did] as const] : [])));
}

/** Pin the pipeline's stages (in place) to what the recorded stages of the same names did; one line per stage pinned. */
export function applyPins(pipeline: Pipeline, pins: ReadonlyMap<string, StageDid>, registry: StageRegistry, source: string): string[] {
  const lines: string[] = [];
  const names = new Set(pipeline.stages.map((s) => s.name));
  if (pins.size && ![...pins.keys()].some((n) => names.has(n))) {
    throw new UserError(`--pin ${source}: none of its stages (${[...pins.keys()].join(', ')}) is a stage of ${pipeline.file}`, `pin with the run manifest of a run of this pipeline`);
  }
  for (const stage of pipeline.stages) {
    const did = pins.get(stage.name);
    if (!did) continue;
    const p = pinnedParams(registry.get(stage.kind), stage.params, did);
    if (!Object.keys(p.pinned).length) continue;
    stage.params = p.params;
    lines.push(`${stage.name}: ${describePins(p.pinned)}`);
  }
  return lines;
}
