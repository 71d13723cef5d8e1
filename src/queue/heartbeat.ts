/**
 * A worker's heartbeat in Redis, what `janus status` shows of the farm: one hash per worker
 * (`janus:worker:<name>`: host, pid, resource classes, the jobs it runs with their run folder,
 * items and start, the last beat), rewritten every few seconds and on every change, expiring
 * when the beats stop (a dead worker disappears from the list by itself).
 *
 *   const hb = startHeartbeat(redis, { name: 'gpu-1:4242', host: 'gpu-1', pid: 4242, resource: 'gpu' });
 *   hb.jobs.set('train-1f…', { name: 'train', workdir: '/data/runs/x', items: '', since: Date.now() });
 *   hb.changed();
 *   await hb.stop();
 *   await listWorkers(redis)   // [{ name, host, pid, resource, jobs: [...], beat }]
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';

const PREFIX = 'janus:worker:';
/** Seconds between beats; a worker's record expires after three missed. */
export const BEAT_SECONDS = 5;

export const BeatJob = z.object({ name: z.string(), workdir: z.string(), items: z.string(), since: z.number() }).strict();
export type BeatJob = z.infer<typeof BeatJob>;

export const WorkerBeat = z
  .object({
    name: z.string(),
    host: z.string(),
    pid: z.coerce.number().int(),
    resource: z.string(),
    /** The jobs it runs now (stored as JSON). */
    jobs: z.preprocess((v) => (typeof v === 'string' ? JSON.parse(v) : v), z.array(BeatJob)),
    /** The last beat (ms since the epoch). */
    beat: z.coerce.number(),
  })
  .strict();
export type WorkerBeat = z.infer<typeof WorkerBeat>;

export interface Heartbeat {
  /** Job id -> the job; call `changed()` after an edit. */
  jobs: Map<string, BeatJob>;
  changed(): void;
  stop(): Promise<void>;
}

export function startHeartbeat(redis: Redis, who: Pick<WorkerBeat, 'name' | 'host' | 'pid' | 'resource'>): Heartbeat {
  const key = PREFIX + who.name;
  const jobs = new Map<string, BeatJob>();
  const beat = () => {
    const fields = { ...who, jobs: JSON.stringify([...jobs.values()]), beat: Date.now() };
    // a beat lost while Redis is away is not worth an error: the next one says it all
    redis
      .multi()
      .hset(key, ...Object.entries(fields).flatMap(([k, v]) => [k, String(v)]))
      .expire(key, BEAT_SECONDS * 3)
      .exec()
      .catch(() => undefined);
  };
  beat();
  const timer = setInterval(beat, BEAT_SECONDS * 1000);
  timer.unref();
  return {
    jobs,
    changed: beat,
    async stop() {
      clearInterval(timer);
      // at most a second: with Redis away the record expires by itself
      await Promise.race([redis.del(key).catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    },
  };
}

/** The workers beating now (records that do not parse are skipped: another program's keys). */
export async function listWorkers(redis: Redis): Promise<WorkerBeat[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 200);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  const out: WorkerBeat[] = [];
  for (const key of keys.sort()) {
    try {
      const parsed = WorkerBeat.safeParse(await redis.hgetall(key));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // its jobs are not JSON: not a Janus worker's record
    }
  }
  return out;
}
