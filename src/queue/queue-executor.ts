/**
 * The queue executor's coordinator side (`janus run PIPELINE --queue URL`): each stage the
 * runner decides to run becomes one BullMQ job on the queue of its resource class
 * (`janus.gpu`, `janus.cpu`), with a deterministic id (stage + fingerprint), so a coordinator
 * run again after a kill re-attaches to the jobs already queued, running or finished. The
 * coordinator alone writes the state: items are recorded done as the job's progress reports
 * them, the stage when its job completes (the runner's stage executor does both).
 *
 *   const q = await QueueExecutor.open('redis://127.0.0.1:6379/0', { workdir, pipeline, meta });
 *   await runPipeline(pipeline, { ..., remote: q });
 *   await q.close();
 */
import { resolve } from 'node:path';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Pipeline, ResolvedStage } from '../dag/pipeline-schema.ts';
import type { RemoteExecutor, RemoteStage } from '../dag/stage-executor.ts';
import type { StageDid } from '../dag/stage-kind.ts';
import type { BackendChoice } from '../config/engine.ts';
import { UserError } from '../util/errors.ts';
import { urlWithoutPassword } from './queue-url.ts';
import { checkRedis } from './redis-check.ts';
import { compactItems, expandProgress } from './item-runs.ts';
import { StageJobProgress, StageJobResult, stageJobId, type StageJobData } from './stage-job.ts';

export const QUEUE_NAMES = { gpu: 'janus.gpu', cpu: 'janus.cpu' } as const;
/** Attempts per job: a worker killed mid-job, or a failing one, is retried with exponential backoff. */
export const ATTEMPTS = 3;

export interface QueueRun {
  workdir: string;
  pipeline: Pipeline;
  /** The folder the pipeline's relative paths resolve from. */
  cwd: string;
  meta: Record<string, unknown>;
  backend?: BackendChoice;
}

/** Item jobs per stage at most (a stage of more items puts several in each): enough to spread over a farm's workers. */
export const MAX_ITEM_JOBS = 16;
/** Finished jobs are kept this long (a coordinator run again within it picks up their results). */
const KEEP_SECONDS = 7 * 24 * 3600;

/** A stage's items in at most MAX_ITEM_JOBS parts, fixed by the list alone (a coordinator run again finds the same ids). */
function itemParts(all: string[]): string[][] {
  const size = Math.max(1, Math.ceil(all.length / MAX_ITEM_JOBS));
  return Array.from({ length: Math.ceil(all.length / size) }, (_, k) => all.slice(k * size, (k + 1) * size));
}
const partId = (stageId: string, k: number, n: number) => `${stageId}.part-${k + 1}-of-${n}`;

type Resource = 'gpu' | 'cpu';
/** A job's progress, its items expanded. */
type Progress = (p: { total: number; done: string[] }) => void;

export class QueueExecutor implements RemoteExecutor {
  /** Job id -> what its progress events go to (one listener per queue's events). */
  private readonly watchers = new Map<string, (p: StageJobProgress) => void>();
  readonly where: string;

  private constructor(
    /** Every connection opened here (BullMQ leaves connections it was given open). */
    private readonly connections: Redis[],
    private readonly queues: Record<Resource, Queue>,
    private readonly events: Record<Resource, QueueEvents>,
    private readonly r: QueueRun,
    url: string,
  ) {
    this.where = urlWithoutPassword(url);
    for (const e of Object.values(events)) {
      e.on('progress', ({ jobId, data }: { jobId: string; data: unknown }) => {
        const parsed = StageJobProgress.safeParse(data);
        if (parsed.success) this.watchers.get(jobId)?.(parsed.data);
      });
    }
  }

  /** Check the server (exit 2 with the fix when unfit), then connect the queues. */
  static async open(url: string, run: QueueRun): Promise<QueueExecutor> {
    await checkRedis(url);
    // workers elsewhere read these paths: absolute, whatever folder this process runs in
    const r = { ...run, workdir: resolve(run.workdir), pipeline: { ...run.pipeline, file: resolve(run.pipeline.file) } };
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const forEvents = [connection.duplicate(), connection.duplicate()] as const;
    const queues = { gpu: new Queue(QUEUE_NAMES.gpu, { connection }), cpu: new Queue(QUEUE_NAMES.cpu, { connection }) };
    const events = { gpu: new QueueEvents(QUEUE_NAMES.gpu, { connection: forEvents[0] }), cpu: new QueueEvents(QUEUE_NAMES.cpu, { connection: forEvents[1] }) };
    await Promise.all(Object.values(events).map((e) => e.waitUntilReady()));
    return new QueueExecutor([connection, ...forEvents], queues, events, r, url);
  }

  async run(req: RemoteStage, onItems: (p: { total: number; done: string[] }) => void, signal: AbortSignal): Promise<StageDid | undefined> {
    const resource: Resource = req.stage.resource === 'gpu' ? 'gpu' : 'cpu';
    const jobId = stageJobId(this.r.workdir, req.stage.name, req.attempt);
    const data: StageJobData = {
      workdir: this.r.workdir,
      pipeline: { file: this.r.pipeline.file, sets: this.r.pipeline.sets, cwd: this.r.cwd },
      stage: req.stage.name,
      fingerprint: req.fingerprint,
      done: compactItems(req.done),
      ...(this.r.backend ? { backend: this.r.backend } : {}),
      meta: this.r.meta,
    };
    if (req.itemJobs) {
      const listed = await this.job(resource, `${jobId}.items`, `${req.stage.name} (items)`, { ...data, part: 'list' }, signal);
      if (!listed) return undefined;
      const all = listed.items ?? [];
      const done = new Set(req.done);
      const inList = new Set(all);
      const merge: Progress = (p) => {
        for (const i of p.done) if (inList.has(i)) done.add(i);
        onItems({ total: all.length, done: [...done] });
      };
      merge({ total: all.length, done: [] });
      const parts = itemParts(all);
      const ids = parts.map((_, k) => partId(jobId, k, parts.length));
      // each part's wait can be stopped alone: a part removed from the queue never finishes
      const stops = parts.map(() => new AbortController());
      const waits = parts.map((items, k) =>
        items.every((i) => done.has(i))
          ? Promise.resolve(null)
          : this.job(resource, ids[k]!, `${req.stage.name} (items ${k + 1}/${parts.length})`, { ...data, done: compactItems([...done].filter((i) => items.includes(i))), part: { items } }, AbortSignal.any([signal, stops[k]!.signal]), merge),
      );
      try {
        for (const r of await Promise.all(waits)) if (r?.items) merge({ total: all.length, done: r.items });
      } catch (err) {
        // the stage failed: its parts still waiting do not run, and those running are waited for
        // (the stage's outputs are cleared only when nothing writes them any more)
        for (const k of await this.dropWaiting(resource, ids)) stops[k]!.abort();
        await Promise.allSettled(waits);
        throw err;
      }
      if (signal.aborted) return undefined;
      data.done = compactItems(all); // the whole-stage job only finishes it
    }
    const result = await this.job(resource, jobId, req.stage.name, data, signal, onItems);
    return result?.did ?? undefined;
  }

  /**
   * Add the job (the same id: one already queued, running or finished, e.g. by this coordinator
   * before it was killed, is the one waited for; one that failed, or found a mistake in an
   * input, is tried again) and wait for its result; null when `signal` stops the wait.
   */
  private async job(resource: Resource, id: string, name: string, data: StageJobData, signal: AbortSignal, onProgress?: Progress): Promise<StageJobResult | null> {
    if (signal.aborted) return null;
    const queue = this.queues[resource];
    const add = () => queue.add(name, data, { jobId: id, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } });
    if (onProgress) this.watchers.set(id, (p) => onProgress(expandProgress(p)));
    let stop: (() => void) | null = null;
    try {
      let job: Job = await add();
      const state = await job.getState();
      if (state === 'failed' || (state === 'completed' && StageJobResult.safeParse(job.returnvalue).data?.userError)) {
        // an earlier run's attempt that failed: this run tries again (all attempts, from the items recorded done)
        await job.remove();
        job = await add();
      }
      const progress = StageJobProgress.safeParse(job.progress);
      if (progress.success) onProgress?.(expandProgress(progress.data));
      const finished = job.waitUntilFinished(this.events[resource]) as Promise<unknown>;
      const aborted = new Promise<null>((resolve) => {
        stop = () => resolve(null);
        signal.addEventListener('abort', stop, { once: true });
      });
      if (signal.aborted) return null;
      const result = await Promise.race([finished, aborted]);
      if (result === null) return null;
      const r = StageJobResult.parse(result ?? {});
      if (r.userError) throw new UserError(r.userError.message, r.userError.hint);
      return r;
    } finally {
      if (stop) signal.removeEventListener('abort', stop);
      this.watchers.delete(id);
    }
  }

  /** Remove those of the jobs still waiting (or delayed for a retry); running ones finish. The indices removed. */
  private async dropWaiting(resource: Resource, ids: string[]): Promise<number[]> {
    const removed: number[] = [];
    for (const [k, id] of ids.entries()) {
      const job = await this.queues[resource].getJob(id);
      if (job && ['waiting', 'delayed', 'prioritized'].includes(await job.getState())) {
        await job.remove().catch(() => undefined);
        removed.push(k);
      }
    }
    return removed;
  }

  /**
   * Before a stage starts afresh: remove the jobs of its earlier attempt (queued, waiting to
   * retry, or finished); one still running on a worker is a UserError (its outputs are being
   * written), naming it, with the fix.
   */
  async discard(stage: ResolvedStage, attempt: string): Promise<void> {
    const queue = this.queues[stage.resource === 'gpu' ? 'gpu' : 'cpu'];
    const id = stageJobId(this.r.workdir, stage.name, attempt);
    const listed = await queue.getJob(`${id}.items`);
    const items = StageJobResult.safeParse(listed?.returnvalue).data?.items ?? [];
    const n = itemParts(items).length;
    for (const jid of [id, `${id}.items`, ...Array.from({ length: n }, (_, k) => partId(id, k, n))]) {
      const job = await queue.getJob(jid);
      if (!job) continue;
      if ((await job.getState()) === 'active') {
        throw new UserError(`stage "${stage.name}": its earlier attempt still runs on a worker (job ${jid})`, 'wait for it to finish, or stop that worker (janus status shows the workers), then run again');
      }
      await job.remove().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...Object.values(this.events), ...Object.values(this.queues)].map((x) => x.close()));
    for (const c of this.connections) c.disconnect();
  }
}
