/**
 * Is a Redis server fit to hold Janus's queues (BullMQ)? Reachable, version 6.2 or newer, and
 * `maxmemory-policy noeviction` (any other policy may evict a job's keys under memory
 * pressure: BullMQ's own rule). Every answer that is not "yes" is a UserError naming the URL
 * and the fix (exit 2). `janus doctor --queue URL` and the queue executor ask it first.
 *
 *   const r = await checkRedis('redis://127.0.0.1:6379/0');   // { version: '7.0.15', policy: 'noeviction', aof: true }
 */
import { Redis } from 'ioredis';
import { UserError } from '../util/errors.ts';
import { parseQueueUrl, shownUrl } from './queue-url.ts';

export const MIN_REDIS: readonly [number, number] = [6, 2];

export interface RedisCheck {
  url: string;
  version: string;
  policy: string;
  /** Append-only file on: the queue survives a restart of the server. */
  aof: boolean;
}

/** `7.0.15` against [6, 2]. */
export function versionAtLeast(version: string, min: readonly [number, number]): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > min[0] || (major === min[0] && minor >= min[1]);
}

/** Connect once (a few seconds at most), read the server's version, eviction policy and AOF. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<RedisCheck> {
  parseQueueUrl(url);
  const shown = shownUrl(url);
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined); // the connect() below reports it
  try {
    try {
      await client.connect();
    } catch (err) {
      throw new UserError(`the Redis server at ${shown} does not answer (${(err as Error).message})`, 'start one (make redis, or janus redis start, on 127.0.0.1:6379), or check the host, port, password and firewall');
    }
    const info = await client.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    if (!versionAtLeast(version, MIN_REDIS)) throw new UserError(`the Redis server at ${shown} is version ${version}; Janus's queue (BullMQ) needs ${MIN_REDIS.join('.')} or newer`, 'install Redis 7 (Debian 12: apt-get install redis-server) or point --queue at a newer server');
    const policy = ((await client.config('GET', 'maxmemory-policy')) as string[])[1] ?? 'unknown';
    if (policy !== 'noeviction') {
      throw new UserError(`the Redis server at ${shown} has maxmemory-policy ${policy}: it may evict queued jobs under memory pressure`, `set it to noeviction: redis-cli -u ${shown} CONFIG SET maxmemory-policy noeviction (and maxmemory-policy noeviction in its redis.conf, so it survives a restart)`);
    }
    const aof = ((await client.config('GET', 'appendonly')) as string[])[1] === 'yes';
    return { url: shown, version, policy, aof };
  } finally {
    client.disconnect();
  }
}
