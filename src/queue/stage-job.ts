/**
 * One stage's work as a queue job: what the coordinator puts in it (the run folder, the
 * pipeline file with its sets and the folder its relative paths resolve from, the stage and
 * its fingerprint, the items already done) and what a worker does with it: load the pipeline
 * from the shared run folder, run the stage's implementation there (its items in order, those
 * done skipped, each reported through the job's progress), and return what the stage did.
 *
 *   const data: StageJobData = { workdir, pipeline: { file, sets, cwd }, stage: 'train', fingerprint, done: [] };
 *   await processStageJob(job)   // in a worker's sandboxed child process: { did }
 *
 * A retried job (its worker was killed: BullMQ's stalled-job check) reads the items its last
 * attempt finished from the job's own progress, so no finished item is made again.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { inputPaths, outputPaths } from '../dag/fingerprint.ts';
import { loadPipeline } from '../dag/load-pipeline.ts';
import { removeLeftTemps, stageLog } from '../dag/run-folder.ts';
import { stageMeta } from '../dag/scheduler.ts';
import { runStageWork } from '../dag/stage-executor.ts';
import { loadImplementation, type StageDid } from '../dag/stage-kind.ts';
import { BACKENDS } from '../config/engine.ts';
import { stageRegistry } from '../stages/registry.ts';

export const StageJobData = z
  .object({
    workdir: z.string(),
    pipeline: z.object({ file: z.string(), sets: z.array(z.string()), cwd: z.string() }).strict(),
    stage: z.string(),
    fingerprint: z.string(),
    done: z.array(z.string()),
    backend: z.enum(BACKENDS).optional(),
    meta: z.record(z.string(), z.unknown()),
  })
  .strict();
export type StageJobData = z.infer<typeof StageJobData>;

/** A job's progress: the stage's items and those done. */
export const StageJobProgress = z.object({ total: z.number().int().min(0), done: z.array(z.string()) }).strict();
export type StageJobProgress = z.infer<typeof StageJobProgress>;

/** The marker a worker looks for before its first job: the run folder is the coordinator's, at the same path. */
export const runMarker = (workdir: string) => join(workdir, '.janus', 'state.db');

/** A job id from the stage and its fingerprint (BullMQ: no `:`). */
export const stageJobId = (stage: string, fingerprint: string) => `${stage.replace(/[^\w.-]/g, '_')}-${fingerprint.slice(0, 24)}`;

interface JobLike {
  data: unknown;
  progress?: unknown;
  updateProgress(p: StageJobProgress): Promise<void>;
}

export async function processStageJob(job: JobLike): Promise<{ did: StageDid | null }> {
  const d = StageJobData.parse(job.data);
  if (!existsSync(runMarker(d.workdir))) {
    throw new Error(`this worker does not see the run folder ${d.workdir} (no ${runMarker(d.workdir)}): workers need the run folder at the same path as the coordinator (shared storage)`);
  }
  const pipeline = await loadPipeline(d.pipeline.file, stageRegistry, { sets: d.pipeline.sets, cwd: d.pipeline.cwd });
  const stage = pipeline.stages.find((s) => s.name === d.stage);
  if (!stage) throw new Error(`${d.pipeline.file} has no stage "${d.stage}"`);
  const stagesByName = new Map(pipeline.stages.map((s) => [s.name, s]));
  const last = StageJobProgress.safeParse(job.progress);
  const done = new Set([...d.done, ...(last.success ? last.data.done : [])]);
  const outputs = outputPaths(stage, d.workdir);
  for (const p of Object.values(outputs)) removeLeftTemps(p); // what a killed attempt left
  const impl = await loadImplementation(stageRegistry.get(stage.kind));
  const did = await runStageWork(
    impl,
    {
      name: stage.name,
      params: stage.params,
      inputs: inputPaths(stage, stagesByName, d.workdir),
      outputs,
      workdir: d.workdir,
      signal: new AbortController().signal,
      log: stageLog(d.workdir, stage.name),
      ...(d.backend ? { backend: { choice: d.backend, source: 'the coordinator' } } : {}),
      meta: stageMeta(pipeline, { meta: d.meta }),
    },
    {
      async items(all) {
        await job.updateProgress({ total: all.length, done: [...done] });
        return done;
      },
      async itemDone(item, total) {
        done.add(item);
        await job.updateProgress({ total, done: [...done] });
      },
    },
  );
  return { did: did ?? null };
}
