/**
 * The run manifest: one JSON per run (`<run folder>/run-manifest.json`, and a copy under
 * `.janus/runs/`) saying what ran, why, with what params and code, and what came out; one
 * schema for the writer and the reader.
 *
 *   { pipeline: { file, name, sha256, params, sets }, meta: { backend… }, provenance: { git, packages },
 *     stages: [{ name, state, reason, fingerprint, seconds, items, outputs: { name: { path, hash } } }], … }
 *   readRunManifest('runs/demo').stages.filter((s) => s.state === 'ran')
 */
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { Environment, machineEnvironment } from '../util/environment.ts';
import { provenance } from '../util/provenance.ts';
import { readJsonFile } from '../util/read-json.ts';
import { OUTCOME_STATES, countStates } from './outcome-state.ts';
import type { Pipeline } from './pipeline-schema.ts';
import type { StageOutcome } from './reporter.ts';

const RUN_MANIFEST_SCHEMA = 'janus.run-manifest/1';

/** A stage's outcome as recorded (`StageOutcome` of dag/reporter.ts). */
const OutcomeRecord = z
  .object({
    name: z.string(),
    state: z.enum(OUTCOME_STATES),
    /** Why, as data (dag/stage-reason.ts's union, discriminated by kind). */
    why: z.object({ kind: z.string() }).loose(),
    /** The same in words. */
    reason: z.string(),
    fingerprint: z.string().optional(),
    seconds: z.number().min(0).optional(),
    items: z.object({ done: z.number().int().min(0), total: z.number().int().min(0), resumedFrom: z.number().int().min(0) }).strict().optional(),
    outputs: z.record(z.string(), z.object({ path: z.string(), hash: z.string() }).strict()).optional(),
    error: z.string().optional(),
    userError: z.boolean().optional(),
    hint: z.string().optional(),
    /** What the stage did beyond its params (the iteration a time budget reached…): what `janus verify` pins. */
    did: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const ProvenanceRecord = z
  .object({
    janus: z.string(),
    git: z.object({ commit: z.string().nullable(), dirty: z.boolean().nullable() }).strict(),
    node: z.string(),
    platform: z.string(),
    packages: z.record(z.string(), z.string()),
  })
  .strict();

export const RunManifest = z
  .object({
    schema: z.literal(RUN_MANIFEST_SCHEMA),
    command: z.string().nullable(),
    started: z.string(),
    finished: z.string(),
    seconds: z.number().min(0),
    pipeline: z.object({ file: z.string(), name: z.string(), sha256: z.string(), params: z.record(z.string(), z.unknown()), sets: z.array(z.string()) }).strict(),
    meta: z.record(z.string(), z.unknown()),
    provenance: ProvenanceRecord,
    /** What of the machine can change the bytes (absent in manifests of Janus before verify). */
    environment: Environment.optional(),
    /** Stages per state. */
    summary: z.partialRecord(z.enum(OUTCOME_STATES), z.number().int().min(0)),
    stages: z.array(OutcomeRecord),
  })
  .strict();
export type RunManifest = z.infer<typeof RunManifest>;

export interface ManifestInput {
  workdir: string;
  pipeline: Pipeline;
  outcomes: StageOutcome[];
  meta: Record<string, unknown>;
  started: Date;
  command?: string;
}

export const runManifestPath = (workdir: string) => join(workdir, 'run-manifest.json');

export async function writeRunManifest(m: ManifestInput): Promise<string> {
  const finished = new Date();
  const doc: RunManifest = {
    schema: RUN_MANIFEST_SCHEMA,
    command: m.command ?? null,
    started: m.started.toISOString(),
    finished: finished.toISOString(),
    seconds: (finished.getTime() - m.started.getTime()) / 1000,
    pipeline: { file: m.pipeline.file, name: m.pipeline.name, sha256: m.pipeline.sourceHash, params: m.pipeline.params, sets: m.pipeline.sets },
    meta: m.meta,
    provenance: provenance(),
    environment: machineEnvironment(),
    summary: countStates(m.outcomes),
    stages: m.outcomes,
  };
  const stamp = m.started.toISOString().replace(/[:.]/g, '-');
  await writeJsonAtomic(join(m.workdir, '.janus', 'runs', `${stamp}.json`), doc);
  const path = runManifestPath(m.workdir);
  await writeJsonAtomic(path, doc);
  return path;
}

/** The run folder's run-manifest.json (the last run), validated. */
export function readRunManifest(workdir: string): RunManifest {
  return readRunManifestFile(runManifestPath(workdir));
}

/** A run manifest file (a run folder's, or the copy in a reproduction kit), validated. */
export function readRunManifestFile(file: string): RunManifest {
  return readJsonFile(file, RunManifest, { what: `${RUN_MANIFEST_SCHEMA} file`, hint: 'it is rewritten at the end of every run: run the pipeline again (janus run PIPELINE)' });
}
