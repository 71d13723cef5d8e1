/**
 * The run manifest: one JSON per run (`<run folder>/run-manifest.json`, and a copy under
 * `.janus/runs/`) saying what ran, why, with what params and code, and what came out.
 *
 *   { pipeline: { file, name, sha256, params, sets }, meta: { backend… }, provenance: { git, packages },
 *     stages: [{ name, state, reason, fingerprint, seconds, items, outputs: { name: { path, hash } } }], … }
 */
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { provenance } from '../util/provenance.ts';
import type { Pipeline } from './pipeline-schema.ts';
import type { StageOutcome } from './reporter.ts';

export interface ManifestInput {
  workdir: string;
  pipeline: Pipeline;
  outcomes: StageOutcome[];
  meta: Record<string, unknown>;
  started: Date;
  command?: string;
}

export async function writeRunManifest(m: ManifestInput): Promise<string> {
  const finished = new Date();
  const doc = {
    schema: 'janus.run-manifest/1',
    command: m.command ?? null,
    started: m.started.toISOString(),
    finished: finished.toISOString(),
    seconds: (finished.getTime() - m.started.getTime()) / 1000,
    pipeline: { file: m.pipeline.file, name: m.pipeline.name, sha256: m.pipeline.sourceHash, params: m.pipeline.params, sets: m.pipeline.sets },
    meta: m.meta,
    provenance: provenance(),
    summary: Object.fromEntries(
      ['ran', 'up-to-date', 'failed', 'interrupted', 'skipped', 'not-run'].map((s) => [s, m.outcomes.filter((o) => o.state === s).length]),
    ),
    stages: m.outcomes,
  };
  const stamp = m.started.toISOString().replace(/[:.]/g, '-');
  await writeJsonAtomic(join(m.workdir, '.janus', 'runs', `${stamp}.json`), doc);
  const path = join(m.workdir, 'run-manifest.json');
  await writeJsonAtomic(path, doc);
  return path;
}
