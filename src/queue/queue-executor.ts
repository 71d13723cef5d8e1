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
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Pipeline } from '../dag/pipeline-schema.ts';
import type { RemoteExecutor, RemoteStage } from '../dag/stage-executor.ts';
import type { StageDid } from '../dag/stage-kind.ts';
import type { BackendChoice } from '../config/engine.ts';
import { UserError } from '../util/errors.ts';
import { checkRedis, urlWithoutPassword } from './redis-check.ts';
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

type Resource = 'gpu' | 'cpu';
type Progress = (p: StageJobProgress) => void;

export class QueueExecutor implements RemoteExecutor {
  /** Job id -> what its progress events go to (one listener per queue's events). */
  private readonly watchers = new Map<string, Progress>();
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
  static async open(url: string, r: QueueRun): Promise<QueueExecutor> {
    await checkRedis(url);
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const forEvents = [connection.duplicate(), connection.duplicate()] as const;
    const queues = { gpu: new Queue(QUEUE_NAMES.gpu, { connection }), cpu: new Queue(QUEUE_NAMES.cpu, { connection }) };
    const events = { gpu: new QueueEvents(QUEUE_NAMES.gpu, { connection: forEvents[0] }), cpu: new QueueEvents(QUEUE_NAMES.cpu, { connection: forEvents[1] }) };
    await Promise.all(Object.values(events).map((e) => e.waitUntilReady()));
    return new QueueExecutor([connection, ...forEvents], queues, events, r, url);
  }

  async run(req: RemoteStage, onItems: (p: { total: number; done: string[] }) => void, signal: AbortSignal): Promise<StageDid | undefined> {
    const resource: Resource = req.stage.resource === 'gpu' ? 'gpu' : 'cpu';
    const jobId = stageJobId(this.r.workdir, req.stage.name, req.fingerprint);
    const data: StageJobData = {
      workdir: this.r.workdir,
      pipeline: { file: this.r.pipeline.file, sets: this.r.pipeline.sets, cwd: this.r.cwd },
      stage: req.stage.name,
      fingerprint: req.fingerprint,
      done: req.done,
      ...(this.r.backend ? { backend: this.r.backend } : {}),
      meta: this.r.meta,
    };
    // a fresh attempt (forced, or its outputs gone): a finished job of the same id is not its result
    const fresh = !req.resume;
    if (req.itemJobs) {
      const listed = await this.job(resource, `${jobId}.items`, `${req.stage.name} (items)`, { ...data, part: 'list' }, fresh, signal);
      if (!listed) return undefined;
      const all = listed.items ?? [];
      const done = new Set(req.done);
      const merge: Progress = (p) => {
        for (const i of p.done) if (all.includes(i)) done.add(i);
        onItems({ total: all.length, done: [...done] });
      };
      merge({ total: all.length, done: [] });
      // parts fixed by the item list alone: a coordinator run again finds the same ids
      const size = Math.max(1, Math.ceil(all.length / MAX_ITEM_JOBS));
      const parts = Array.from({ length: Math.ceil(all.length / size) }, (_, k) => all.slice(k * size, (k + 1) * size));
      const ids = parts.map((_, k) => `${jobId}.part-${k + 1}-of-${parts.length}`);
      try {
        const results = await Promise.all(
          parts.map((items, k) =>
            items.every((i) => done.has(i))
              ? null
              : this.job(resource, ids[k]!, `${req.stage.name} (items ${k + 1}/${parts.length})`, { ...data, done: [...done].filter((i) => items.includes(i)), part: { items } }, fresh, signal, merge),
          ),
        );
        for (const r of results) if (r?.items) merge({ total: all.length, done: r.items });
      } catch (err) {
        await this.dropWaiting(resource, ids); // the stage failed: its items still waiting do not run
        throw err;
      }
      if (signal.aborted) return undefined;
      data.done = all; // the whole-stage job only finishes it
    }
    const result = await this.job(resource, jobId, req.stage.name, data, fresh, signal, onItems);
    return result?.did ?? undefined;
  }

  /**
   * Add the job (the same id: one already queued, running or finished, e.g. by this coordinator
   * before it was killed, is the one waited for) and wait for its result; null when `signal` stops the wait.
   */
  private async job(resource: Resource, id: string, name: string, data: StageJobData, fresh: boolean, signal: AbortSignal, onProgress?: Progress): Promise<StageJobResult | null> {
    const queue = this.queues[resource];
    if (onProgress) this.watchers.set(id, onProgress);
    try {
      if (fresh) {
        const old = await queue.getJob(id);
        if (old && ['completed', 'failed'].includes(await old.getState())) await old.remove();
      }
      let job: Job = await queue.add(name, data, { jobId: id, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: false, removeOnFail: false });
      if ((await job.getState()) === 'failed') {
        await job.retry('failed'); // failed every attempt in an earlier run: this run tries again
        job = (await queue.getJob(id))!;
      }
      const progress = StageJobProgress.safeParse(job.progress);
      if (progress.success) onProgress?.(progress.data);
      const finished = job.waitUntilFinished(this.events[resource]) as Promise<unknown>;
      const aborted = new Promise<null>((resolve) => signal.addEventListener('abort', () => resolve(null), { once: true }));
      const result = await Promise.race([finished, aborted]);
      if (result === null) return null;
      const r = StageJobResult.parse(result ?? {});
      if (r.userError) throw new UserError(r.userError.message, r.userError.hint);
      return r;
    } finally {
      this.watchers.delete(id);
    }
  }

  /** Remove those of the jobs still waiting (or delayed for a retry); running ones finish. */
  private async dropWaiting(resource: Resource, ids: string[]): Promise<void> {
    for (const id of ids) {
      const job = await this.queues[resource].getJob(id);
      if (job && ['waiting', 'delayed', 'prioritized'].includes(await job.getState())) await job.remove().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...Object.values(this.events), ...Object.values(this.queues)].map((x) => x.close()));
    for (const c of this.connections) c.disconnect();
  }
}
