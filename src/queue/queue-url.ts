/**
 * The queue's URL (redis://[user:password@]host[:port][/db], rediss:// with TLS): validated,
 * taken from `--queue` or JANUS_QUEUE with JANUS_REDIS_PASSWORD's password, shown without its
 * password in messages and kept without it in records. No Redis client here: \`janus run\`
 * without a queue loads none.
 *
 *   queueUrlFrom(opts.queue)                  // 'redis://:s3cret@10.0.0.5:6379/0' (JANUS_REDIS_PASSWORD=s3cret)
 *   shownUrl('redis://:s3cret@h:6379/0')      // 'redis://:***@h:6379/0'
 */
import { UserError } from '../util/errors.ts';

/** A queue URL, validated: redis://[user:password@]host[:port][/db] or rediss:// (TLS). */
export function parseQueueUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`--queue ${JSON.stringify(url)}: expected a Redis URL, redis://HOST:PORT/DB`, 'e.g. --queue redis://127.0.0.1:6379/0 (make redis starts one here)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UserError(`--queue ${url}: expected the scheme redis:// or rediss://, got ${u.protocol}//`, 'e.g. --queue redis://127.0.0.1:6379/0');
  if (u.pathname.length > 1 && !/^\/\d+$/.test(u.pathname)) throw new UserError(`--queue ${url}: expected a database number after the host (/0), got ${u.pathname}`, 'e.g. --queue redis://127.0.0.1:6379/0');
  return u;
}

/**
 * The queue's URL from `--queue`, else JANUS_QUEUE; a URL without a password takes
 * JANUS_REDIS_PASSWORD's (so the password need not be on a command line, where \`ps\` shows it).
 * undefined: no queue (the local executor).
 */
export function queueUrlFrom(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = option ?? (env.JANUS_QUEUE || undefined);
  if (!url || !env.JANUS_REDIS_PASSWORD) return url;
  const u = parseQueueUrl(url);
  if (u.password) return url;
  u.password = encodeURIComponent(env.JANUS_REDIS_PASSWORD);
  return u.toString();
}

/** The URL with its password hidden, for messages. */
export function shownUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** The URL with no password at all, for records kept in a run folder (shared storage). */
export function urlWithoutPassword(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

