/**
 * One stage's work as a queue job: what the coordinator puts in it (the run folder, the
 * pipeline file with its sets and the folder its relative paths resolve from, the stage and
 * its fingerprint, the items already done) and what a worker does with it: load the pipeline
 * from the shared run folder, run the stage's implementation there (its items in order, those
 * done skipped, each reported through the job's progress), and return what the stage did.
 *
 *   const data: StageJobData = { workdir, pipeline: { file, sets, cwd }, stage: 'train', fingerprint, done: [] };
 *   await processStageJob(job, signal)   // in a worker's sandboxed child process: { did }
 *
 * A stage whose kind spreads its items over jobs (StageSpec.itemJobs) is three kinds of job:
 * `part: 'list'` lists its items, `part: { items }` makes some of them (several such jobs at
 * once on different workers), and the whole-stage job, its items all done by then, finishes it.
 * A retried job (its worker was killed: BullMQ's stalled-job check) reads the items its last
 * attempt finished from the job's own progress, so no finished item is made again.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { inputPaths, outputPaths } from '../dag/fingerprint.ts';
import { loadPipeline } from '../dag/load-pipeline.ts';
import { removeLeftTemps, stageLog } from '../dag/run-folder.ts';
import { stageMeta } from '../dag/scheduler.ts';
import { listStageItems, runStageItems, runStageWork, type WorkHooks } from '../dag/stage-executor.ts';
import { loadImplementation, type StageSetup } from '../dag/stage-kind.ts';
import { BACKENDS } from '../config/engine.ts';
import { stageRegistry } from '../stages/registry.ts';
import { asUserError } from '../util/errors.ts';
import { CompactItems, compactItems, expandItems } from './item-runs.ts';

export const StageJobData = z
  .object({
    workdir: z.string(),
    pipeline: z.object({ file: z.string(), sets: z.array(z.string()), cwd: z.string() }).strict(),
    stage: z.string(),
    fingerprint: z.string(),
    done: CompactItems,
    backend: z.enum(BACKENDS).optional(),
    meta: z.record(z.string(), z.unknown()),
    /** Absent: the whole stage (its items not done, then its finishing step). `list`: only list its items. `{ items }`: only those items. */
    part: z.union([z.literal('list'), z.object({ items: z.array(z.string()).min(1) }).strict()]).optional(),
  })
  .strict();
export type StageJobData = z.infer<typeof StageJobData>;

/**
 * What a job returns: a whole stage what it did, a `list` job the items, an item job those it
 * made; a mistake in the input (or the machine's: disk full) its message and fix, not retried:
 * it would fail again.
 */
export const StageJobResult = z
  .object({
    did: z.record(z.string(), z.unknown()).nullable().optional(),
    items: z.array(z.string()).optional(),
    userError: z.object({ message: z.string(), hint: z.string().optional() }).strict().optional(),
  })
  .strict();
export type StageJobResult = z.infer<typeof StageJobResult>;

/** A job's progress: the stage's items and those done (sent at most twice a second: a killed attempt redoes at most that much). */
export const StageJobProgress = z.object({ total: z.number().int().min(0), done: CompactItems }).strict();
const PROGRESS_EVERY_MS = 500;
export type StageJobProgress = z.infer<typeof StageJobProgress>;

/** The marker a worker looks for before its first job: the run folder is the coordinator's, at the same path. */
export const runMarker = (workdir: string) => join(workdir, '.janus', 'state.db');

/**
 * A job id from the run folder, the stage and its attempt (BullMQ: no `:`): an attempt is drawn
 * when a stage starts afresh and kept while it is resumed, so a coordinator run again finds its
 * jobs, and a fresh start (forced, inputs changed) never finds an earlier attempt's result.
 */
export const stageJobId = (workdir: string, stage: string, attempt: string) =>
  `${stage.replace(/[^\w.-]/g, '_')}-${createHash('sha256').update(`${workdir}\0${stage}\0${attempt}`).digest('hex').slice(0, 24)}`;

interface JobLike {
  data: unknown;
  progress?: unknown;
  updateProgress(p: StageJobProgress): Promise<void>;
}

export async function processStageJob(job: JobLike, signal: AbortSignal = new AbortController().signal): Promise<StageJobResult> {
  try {
    return await processStage(job, signal);
  } catch (err) {
    const user = asUserError(err);
    if (!user) throw err; // BullMQ retries it (attempts, backoff)
    return { userError: { message: user.message, ...(user.hint ? { hint: user.hint } : {}) } };
  }
}

async function processStage(job: JobLike, signal: AbortSignal): Promise<StageJobResult> {
  const d = StageJobData.parse(job.data);
  if (!existsSync(runMarker(d.workdir))) {
    throw new Error(`this worker does not see the run folder ${d.workdir} (no ${runMarker(d.workdir)}): workers need the run folder at the same path as the coordinator (shared storage)`);
  }
  const pipeline = await loadPipeline(d.pipeline.file, stageRegistry, { sets: d.pipeline.sets, cwd: d.pipeline.cwd });
  const stage = pipeline.stages.find((s) => s.name === d.stage);
  if (!stage) throw new Error(`${d.pipeline.file} has no stage "${d.stage}"`);
  const stagesByName = new Map(pipeline.stages.map((s) => [s.name, s]));
  const last = StageJobProgress.safeParse(job.progress);
  const done = new Set([...expandItems(d.done), ...(last.success ? expandItems(last.data.done) : [])]);
  const outputs = outputPaths(stage, d.workdir);
  const impl = await loadImplementation(stageRegistry.get(stage.kind));
  const setup: StageSetup = {
    name: stage.name,
    params: stage.params,
    inputs: inputPaths(stage, stagesByName, d.workdir),
    outputs,
    workdir: d.workdir,
    signal, // aborted when this job's lock is lost: another worker has it now
    log: stageLog(d.workdir, stage.name),
    ...(d.backend ? { backend: { choice: d.backend, source: 'the coordinator' } } : {}),
    meta: stageMeta(pipeline, { meta: d.meta }),
  };
  if (d.part === 'list') return { items: await listStageItems(impl, setup) };
  let total = 0;
  let sent = 0;
  const report = async () => {
    sent = Date.now();
    await job.updateProgress({ total, done: compactItems(done) });
  };
  const hooks: WorkHooks = {
    async items(all) {
      total = all.length;
      await report();
      return done;
    },
    async itemDone(item) {
      done.add(item);
      if (Date.now() - sent >= PROGRESS_EVERY_MS) await report();
    },
  };
  if (d.part) {
    // one of several item jobs, perhaps beside others of the stage: their temp files are not this job's to clear
    const only = new Set(d.part.items);
    await runStageItems(impl, setup, only, hooks);
    await report();
    return { items: d.part.items.filter((i) => done.has(i)) };
  }
  for (const p of Object.values(outputs)) removeLeftTemps(p); // what a killed attempt left
  const did = await runStageWork(impl, setup, hooks);
  if (total) await report();
  return { did: did ?? null };
}
