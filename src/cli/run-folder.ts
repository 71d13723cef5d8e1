/**
 * Which pipeline and run folder a DAG command means: `janus run PIPELINE` defaults the folder
 * to runs/<pipeline name>; `status`, `stage` and `clean` read the pipeline (and its --set
 * overrides) back from the run folder, or take it as an argument.
 *
 *   const { pipeline, workdir } = await resolveRun({ pipelineFile, workdir, sets });
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadPipeline } from '../dag/load-pipeline.ts';
import type { Pipeline } from '../dag/pipeline-schema.ts';
import { openRunState, stateDir } from '../dag/run-folder.ts';
import { stageRegistry } from '../stages/registry.ts';
import { UserError } from '../util/errors.ts';
import { parseJsonText, validateJson } from '../util/read-json.ts';

const RUNS_DIR = 'runs';

export interface ResolvedRun {
  pipeline: Pipeline;
  workdir: string;
}

export async function resolveRun(opts: { pipelineFile?: string; workdir?: string; sets?: string[] }): Promise<ResolvedRun> {
  if (opts.pipelineFile) {
    const pipeline = await loadPipeline(opts.pipelineFile, stageRegistry, { sets: opts.sets });
    return { pipeline, workdir: opts.workdir ?? join(RUNS_DIR, pipeline.name) };
  }
  let workdir = opts.workdir;
  if (!workdir) {
    const runs = existsSync(RUNS_DIR) ? readdirSync(RUNS_DIR).filter((d) => existsSync(join(RUNS_DIR, d, '.janus', 'state.db'))) : [];
    if (runs.length !== 1) {
      throw new UserError(
        runs.length ? `several run folders in ${RUNS_DIR}/ (${runs.join(', ')}): say which` : `no run folder found in ${RUNS_DIR}/`,
        runs.length ? `pass --workdir ${join(RUNS_DIR, runs[0]!)}` : 'run a pipeline first (janus run PIPELINE), or pass --workdir DIR',
      );
    }
    workdir = join(RUNS_DIR, runs[0]!);
  }
  if (!existsSync(join(stateDir(workdir), 'state.db'))) {
    throw new UserError(`${workdir} is not a run folder (no ${join(stateDir(workdir), 'state.db')})`, 'pass the --workdir a `janus run` used, or the pipeline file');
  }
  const store = openRunState(workdir);
  const file = store.meta('pipeline');
  const recordedSets = store.meta('sets') ?? '[]';
  const cwd = store.meta('cwd'); // the run's: its relative input paths mean the same files from any folder
  store.close();
  if (!file) throw new UserError(`${workdir} does not record which pipeline it ran`, 'pass the pipeline file as an argument');
  const pipeline = await loadPipeline(file, stageRegistry, { sets: opts.sets ?? recordedSetList(workdir, recordedSets), ...(cwd && !opts.sets ? { cwd } : {}) });
  return { pipeline, workdir };
}

/** The --set overrides a run folder recorded (JSON text of its state's `sets`), validated. */
function recordedSetList(workdir: string, text: string): string[] {
  const source = `"${join(stateDir(workdir), 'state.db')}" (meta sets)`;
  const kind = { what: '--set list', hint: 'pass the pipeline file as an argument (with its --set overrides)' };
  return validateJson(parseJsonText(text, source, kind), z.array(z.string()), source, kind);
}
