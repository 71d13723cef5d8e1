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
import { checkRedis } from './redis-check.ts';
import { StageJobProgress, stageJobId, type StageJobData } from './stage-job.ts';

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

export class QueueExecutor implements RemoteExecutor {
  private constructor(
    /** Every connection opened here (BullMQ leaves connections it was given open). */
    private readonly connections: Redis[],
    private readonly queues: Record<'gpu' | 'cpu', Queue>,
    private readonly events: Record<'gpu' | 'cpu', QueueEvents>,
    private readonly r: QueueRun,
  ) {}

  /** Check the server (exit 2 with the fix when unfit), then connect the queues. */
  static async open(url: string, r: QueueRun): Promise<QueueExecutor> {
    await checkRedis(url);
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const forEvents = [connection.duplicate(), connection.duplicate()] as const;
    const queues = { gpu: new Queue(QUEUE_NAMES.gpu, { connection }), cpu: new Queue(QUEUE_NAMES.cpu, { connection }) };
    const events = { gpu: new QueueEvents(QUEUE_NAMES.gpu, { connection: forEvents[0] }), cpu: new QueueEvents(QUEUE_NAMES.cpu, { connection: forEvents[1] }) };
    await Promise.all(Object.values(events).map((e) => e.waitUntilReady()));
    return new QueueExecutor([connection, ...forEvents], queues, events, r);
  }

  async run(req: RemoteStage, onItems: (p: { total: number; done: string[] }) => void, signal: AbortSignal): Promise<StageDid | undefined> {
    const resource = req.stage.resource === 'gpu' ? 'gpu' : 'cpu';
    const queue = this.queues[resource];
    const events = this.events[resource];
    const jobId = stageJobId(req.stage.name, req.fingerprint);
    const data: StageJobData = {
      workdir: this.r.workdir,
      pipeline: { file: this.r.pipeline.file, sets: this.r.pipeline.sets, cwd: this.r.cwd },
      stage: req.stage.name,
      fingerprint: req.fingerprint,
      done: req.done,
      ...(this.r.backend ? { backend: this.r.backend } : {}),
      meta: this.r.meta,
    };
    const onProgress = ({ jobId: id, data: p }: { jobId: string; data: unknown }) => {
      const parsed = StageJobProgress.safeParse(p);
      if (id === jobId && parsed.success) onItems(parsed.data);
    };
    events.on('progress', onProgress);
    try {
      if (!req.resume) {
        // a fresh attempt (forced, or its outputs gone): a finished job of the same id is not its result
        const old = await queue.getJob(jobId);
        if (old && ['completed', 'failed'].includes(await old.getState())) await old.remove();
      }
      // the same id: a job already queued, running or finished (a coordinator run again) is the one waited for
      let job: Job = await queue.add(req.stage.name, data, { jobId, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: false, removeOnFail: false });
      if ((await job.getState()) === 'failed') {
        await job.retry('failed'); // failed every attempt in an earlier run: this run tries again
        job = (await queue.getJob(jobId))!;
      }
      const progress = StageJobProgress.safeParse(job.progress);
      if (progress.success) onItems(progress.data);
      const finished = job.waitUntilFinished(events) as Promise<{ did: StageDid | null }>;
      const aborted = new Promise<null>((resolve) => signal.addEventListener('abort', () => resolve(null), { once: true }));
      const result = await Promise.race([finished, aborted]);
      return result?.did ?? undefined;
    } finally {
      events.off('progress', onProgress);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...Object.values(this.events), ...Object.values(this.queues)].map((x) => x.close()));
    for (const c of this.connections) c.disconnect();
  }
}
