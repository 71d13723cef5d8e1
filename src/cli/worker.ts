/**
 * `janus worker --queue URL`: take stage jobs from the queue (BullMQ on Redis) and run them,
 * each in a child process of its own (a busy tfjs step never blocks the renewal of the job's
 * lock), writing into the shared run folder; until Ctrl-C (SIGINT/SIGTERM: the running jobs
 * finish first; a second one, or a kill, leaves them to BullMQ, which hands them to another
 * worker once their locks lapse). A job whose lock is lost, or not renewed for --lock-seconds
 * (Redis unreachable), is stopped here: another worker may have it.
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
import { queueUrlFrom } from '../queue/queue-url.ts';
import { expandItems } from '../queue/item-runs.ts';
import { StageJobProgress } from '../queue/stage-job.ts';
import { ATTEMPTS, QUEUE_NAMES } from '../queue/queue-executor.ts';
import { UserError } from '../util/errors.ts';
import { graceful, ungraceful } from '../util/signals.ts';
import type { WorkerOpts } from './commands.ts';

const PROCESSOR = fileURLToPath(new URL('../queue/stage-processor.js', import.meta.url));

export async function run(_args: string[], opts: WorkerOpts): Promise<number> {
  const url = queueUrlFrom(opts.queue);
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
  /** Job id -> when its lock was last renewed (or the job started). */
  const renewed = new Map<string, number>();
  const watchdogs: Array<() => void> = [];
  const watchdog = setInterval(() => watchdogs.forEach((f) => f()), Math.max(500, (opts.lockSeconds * 1000) / 4));
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
      if (!id) return;
      renewed.delete(id);
      if (heartbeat.jobs.delete(id)) heartbeat.changed();
    };
    const stopJob = (id: string, why: string) => {
      process.stdout.write(`${QUEUE_NAMES[c]}: job ${id} ${why}: stopping it here (another worker redoes it)\n`);
      w.cancelJob(id, why);
      finished(id);
    };
    watchdogs.push(() => {
      // a lock not renewed for lockSeconds (Redis unreachable: renewals wait rather than fail) may be another worker's by now
      for (const [id, at] of renewed) if (Date.now() - at > opts.lockSeconds * 1000) stopJob(id, `could not renew its lock for ${opts.lockSeconds} s`);
    });
    w.on('locksRenewed', ({ jobIds }: { jobIds: string[] }) => {
      for (const id of jobIds) if (renewed.has(id)) renewed.set(id, Date.now());
    });
    w.on('active', (job) => {
      renewed.set(job.id!, Date.now());
      process.stdout.write(`${QUEUE_NAMES[c]}: ${job.name} started (job ${job.id}, attempt ${job.attemptsMade + 1})\n`);
      const workdir = typeof job.data?.workdir === 'string' ? job.data.workdir : '?';
      heartbeat.jobs.set(job.id!, { name: job.name, workdir, items: '', since: Date.now() });
      heartbeat.changed();
    });
    w.on('progress', (job, p) => {
      const progress = StageJobProgress.safeParse(p);
      const entry = heartbeat.jobs.get(job.id!);
      if (!entry || !progress.success) return;
      entry.items = `${expandItems(progress.data.done).length}/${progress.data.total}`;
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
      for (const id of ids) stopJob(id, 'lost its lock');
    });
    return w;
  });
  process.stdout.write(`worker ${name} on ${classes.map((c) => QUEUE_NAMES[c]).join(', ')} (${opts.concurrency} at once each) at ${server.url} (Redis ${server.version}); Ctrl-C stops it\n`);
  // the first Ctrl-C/SIGTERM: take no new job, finish the running ones; a second one quits at once (their jobs come back after the lock)
  const stop = graceful();
  try {
    await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
    // Redis away: nothing can be finished cleanly (the jobs' locks lapse and they go back to the queue), so do not wait for it
    const reachable = connection.status === 'ready';
    process.stdout.write(reachable ? 'stopping after the running jobs\n' : 'stopping now: Redis does not answer\n');
    await Promise.all(workers.map((w) => w.close(!reachable)));
  } finally {
    ungraceful();
    clearInterval(watchdog);
    await heartbeat.stop();
    connection.disconnect();
    beats.disconnect();
  }
  return 0;
}
