/**
 * `janus worker --queue URL`: take stage jobs from the queue (BullMQ on Redis) and run them,
 * each in a child process of its own (a busy tfjs step never blocks the renewal of the job's
 * lock), writing into the shared run folder; until Ctrl-C (SIGINT/SIGTERM: the running jobs
 * finish first... or, killed, BullMQ hands them to another worker).
 *
 *   npx janus worker --queue redis://127.0.0.1:6379/0
 *   npx janus worker --queue redis://10.0.0.5:6379/0 --resource gpu --concurrency 1
 */
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { startHeartbeat } from '../queue/heartbeat.ts';
import { checkRedis } from '../queue/redis-check.ts';
import { StageJobProgress } from '../queue/stage-job.ts';
import { ATTEMPTS, QUEUE_NAMES } from '../queue/queue-executor.ts';
import { UserError } from '../util/errors.ts';
import type { WorkerOpts } from './commands.ts';

const PROCESSOR = fileURLToPath(new URL('../queue/stage-processor.js', import.meta.url));

export async function run(_args: string[], opts: WorkerOpts): Promise<number> {
  const url = opts.queue ?? (process.env.JANUS_QUEUE || undefined);
  if (!url) throw new UserError('janus worker needs the queue: --queue redis://HOST:PORT/DB (or JANUS_QUEUE)', 'the URL the coordinator (janus run --queue) uses; make redis starts a server here');
  const server = await checkRedis(url);
  if (opts.backend) process.env.JANUS_BACKEND = opts.backend; // the jobs' child processes read it
  const classes = opts.resource === 'all' ? (['gpu', 'cpu'] as const) : ([opts.resource] as const);
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const name = `${hostname()}:${process.pid}`;
  const beats = connection.duplicate();
  const heartbeat = startHeartbeat(beats, { name, host: hostname(), pid: process.pid, resource: opts.resource });
  if (opts.queueLimit !== undefined) {
    for (const c of classes) {
      const q = new Queue(QUEUE_NAMES[c], { connection });
      if (opts.queueLimit === 0) await q.removeGlobalConcurrency();
      else await q.setGlobalConcurrency(opts.queueLimit);
      await q.close();
    }
  }
  const workers = classes.map((c) => {
    const w = new Worker(QUEUE_NAMES[c], PROCESSOR, {
      connection,
      concurrency: opts.concurrency,
      useWorkerThreads: false,
      name,
      // a killed worker's lock lapses after lockSeconds; any worker's stalled check then returns its job to the queue
      lockDuration: opts.lockSeconds * 1000,
      stalledInterval: opts.lockSeconds * 1000,
      maxStalledCount: ATTEMPTS, // stalled as often as a job may fail: then it fails
    });
    const finished = (id: string | undefined) => {
      if (id && heartbeat.jobs.delete(id)) heartbeat.changed();
    };
    w.on('active', (job) => {
      process.stdout.write(`${QUEUE_NAMES[c]}: ${job.name} started (job ${job.id}, attempt ${job.attemptsMade + 1})\n`);
      const workdir = typeof job.data?.workdir === 'string' ? job.data.workdir : '?';
      heartbeat.jobs.set(job.id!, { name: job.name, workdir, items: '', since: Date.now() });
      heartbeat.changed();
    });
    w.on('progress', (job, p) => {
      const progress = StageJobProgress.safeParse(p);
      const entry = heartbeat.jobs.get(job.id!);
      if (!entry || !progress.success) return;
      entry.items = `${progress.data.done.length}/${progress.data.total}`;
      heartbeat.changed();
    });
    w.on('completed', (job) => {
      process.stdout.write(`${QUEUE_NAMES[c]}: ${job.name} done\n`);
      finished(job.id);
    });
    w.on('failed', (job, err) => {
      process.stdout.write(`${QUEUE_NAMES[c]}: ${job?.name ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message}\n`);
      finished(job?.id);
    });
    w.on('error', (err) => process.stderr.write(`worker: ${err.message}\n`));
    // a lock lost (it lapsed: Redis was away too long, this machine stalled) means another worker may have the job now: stop it here
    w.on('lockRenewalFailed', (ids: string[]) => {
      for (const id of ids) {
        process.stdout.write(`${QUEUE_NAMES[c]}: job ${id} lost its lock: stopping it here (another worker redoes it)\n`);
        w.cancelJob(id, 'lost its lock');
      }
    });
    return w;
  });
  process.stdout.write(`worker ${name} on ${classes.map((c) => QUEUE_NAMES[c]).join(', ')} (${opts.concurrency} at once each) at ${server.url} (Redis ${server.version}); Ctrl-C stops it\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.stdout.write(`${signal}: stopping after the running jobs\n`);
  await Promise.all(workers.map((w) => w.close()));
  await heartbeat.stop();
  connection.disconnect();
  beats.disconnect();
  return 0;
}
