/**
 * What `janus status` shows of a queued run's farm: the server, each resource class's queue
 * depth (waiting, running, delayed for a retry, failed) and limit (global concurrency), and the workers beating now (id, host,
 * class, the jobs they run with their items and age, the age of their last beat).
 *
 *   const s = await queueStatus('redis://10.0.0.5:6379/0');
 *   for (const line of describeQueueStatus(s, Date.now(), '/data/runs/x')) console.log(line);
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { listWorkers, type WorkerBeat } from './heartbeat.ts';
import { QUEUE_NAMES } from './queue-executor.ts';
import { checkRedis, type RedisCheck } from './redis-check.ts';

const COUNTED = ['waiting', 'active', 'delayed', 'failed'] as const;
const SHOWN: Record<(typeof COUNTED)[number], string> = { waiting: 'waiting', active: 'running', delayed: 'waiting to retry', failed: 'failed' };

export interface QueueStatus {
  server: RedisCheck;
  depth: Record<keyof typeof QUEUE_NAMES, Record<(typeof COUNTED)[number], number>>;
  /** Each class's global concurrency (janus worker --queue-limit); null: none. */
  limit: Record<keyof typeof QUEUE_NAMES, number | null>;
  workers: WorkerBeat[];
}

export async function queueStatus(url: string): Promise<QueueStatus> {
  const server = await checkRedis(url);
  const connection = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const depth = {} as QueueStatus['depth'];
    const limit = {} as QueueStatus['limit'];
    for (const c of ['gpu', 'cpu'] as const) {
      const q = new Queue(QUEUE_NAMES[c], { connection });
      try {
        const counts = await q.getJobCounts(...COUNTED);
        depth[c] = Object.fromEntries(COUNTED.map((k) => [k, counts[k] ?? 0])) as QueueStatus['depth'][typeof c];
        limit[c] = await q.getGlobalConcurrency();
      } finally {
        await q.close();
      }
    }
    return { server, depth, limit, workers: await listWorkers(connection) };
  } finally {
    connection.disconnect();
  }
}

const age = (ms: number) => (ms < 90_000 ? `${Math.max(0, Math.round(ms / 1000))} s` : ms < 5_400_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 3_600_000).toFixed(1)} h`);

/** The lines `janus status` prints; the jobs of `workdir` (the run shown) are marked. */
export function describeQueueStatus(s: QueueStatus, now: number, workdir?: string): string[] {
  const lines = [`queue ${s.server.url} (Redis ${s.server.version}${s.server.aof ? '' : '; append-only file off: a restart loses the queue'})`];
  for (const c of ['gpu', 'cpu'] as const) {
    const limit = s.limit[c] ? ` (at most ${s.limit[c]} at once)` : '';
    lines.push(`  ${QUEUE_NAMES[c]}: ${COUNTED.map((k) => `${s.depth[c][k]} ${SHOWN[k]}`).join(', ')}${limit}`);
  }
  lines.push(`  workers: ${s.workers.length || 'none beating'}`);
  for (const w of s.workers) {
    const jobs = w.jobs.length
      ? w.jobs.map((j) => `${j.name}${j.items ? ` ${j.items} items` : ''} for ${age(now - j.since)}${workdir && j.workdir === workdir ? ' (this run)' : ` (${j.workdir})`}`).join('; ')
      : 'idle';
    lines.push(`    ${w.name} on ${w.host}, ${w.resource}: ${jobs}; last beat ${age(now - w.beat)} ago`);
  }
  return lines;
}
