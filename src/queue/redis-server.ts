/**
 * A Redis server for a first try of the queue executor (`make redis`, `janus redis start`):
 * Debian's `redis-server` (installed with apt-get when missing and running as root) on
 * 127.0.0.1, append-only file on (the queue survives a restart), `maxmemory-policy
 * noeviction` (BullMQ's rule), its files in one folder (default `runs/.redis/`: redis.conf,
 * appendonly files, redis.pid, redis.log). Several machines need a server they all reach:
 * README, "Scale out".
 *
 *   const r = await startRedis({ dir: 'runs/.redis', port: 6379 });   // { url: 'redis://127.0.0.1:6379/0', pid: 4242, started: true }
 *   await stopRedis({ dir: 'runs/.redis', port: 6379 });
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { UserError } from '../util/errors.ts';

export interface LocalRedis {
  /** The server's folder (redis.conf, AOF, pid, log). */
  dir: string;
  port: number;
  /** Addresses to listen on (default 127.0.0.1 alone); another address needs a password. */
  bind?: readonly string[];
  /** `requirepass` (from JANUS_REDIS_PASSWORD): redis.conf is then written readable by its owner alone. */
  password?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const addresses = (o: LocalRedis) => (o.bind?.length ? o.bind : ['127.0.0.1']);
/** The address Janus itself talks to (redis-cli ping, shutdown): loopback when the server listens there. */
/** The addresses other machines reach it on (not loopback). */
export const outsideAddresses = (o: LocalRedis) => addresses(o).filter((a) => !LOOPBACK.has(a));
const talkTo = (o: LocalRedis) => addresses(o).find((a) => LOOPBACK.has(a)) ?? addresses(o)[0]!;
const cliEnv = (o: LocalRedis) => ({ ...process.env, ...(o.password ? { REDISCLI_AUTH: o.password } : {}) });

/** A server reachable from other machines without a password is refused: anyone on the network could run jobs. */
export function checkExposure(o: LocalRedis): void {
  const outside = outsideAddresses(o);
  if (outside.length && !o.password) {
    throw new UserError(
      `janus redis start --bind ${addresses(o).join(',')}: listening on ${outside.join(', ')} without a password lets anyone who reaches it run jobs on your workers`,
      'set a password first: export JANUS_REDIS_PASSWORD=$(openssl rand -hex 16) (and the same on the workers\' machines: Janus adds it to --queue URLs)',
    );
  }
}

const INSTALL_FIX = 'install it: sudo apt-get install -y redis-server (Debian/Ubuntu), or run as root so Janus installs it';

/** The redis.conf Janus writes. */
export function redisConf(o: LocalRedis): string {
  const dir = resolve(o.dir);
  return [
    `bind ${addresses(o).join(' ')}`,
    'protected-mode yes',
    ...(o.password ? [`requirepass ${o.password}`] : []),
    `port ${o.port}`,
    `dir ${dir}`,
    'daemonize yes',
    `pidfile ${join(dir, 'redis.pid')}`,
    `logfile ${join(dir, 'redis.log')}`,
    'appendonly yes',
    'appendfsync everysec',
    'maxmemory-policy noeviction',
    '',
  ].join('\n');
}

function have(bin: string): boolean {
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** redis-server and redis-cli, installed with apt-get when missing and root; else a UserError with the fix. */
export function requireRedisServer(log: (line: string) => void = () => undefined): void {
  if (have('redis-server') && have('redis-cli')) return;
  if (process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0) {
    log('installing redis-server (apt-get)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { encoding: 'utf8', env });
    if (r.status === 0 && have('redis-server')) return;
    throw new UserError(`apt-get could not install redis-server: ${(r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? `exit ${r.status}`}`, INSTALL_FIX);
  }
  throw new UserError('redis-server is not installed', INSTALL_FIX);
}

function ping(o: LocalRedis): boolean {
  const r = spawnSync('redis-cli', ['-h', talkTo(o), '-p', String(o.port), 'ping'], { encoding: 'utf8', timeout: 2000, env: cliEnv(o) });
  return r.status === 0 && r.stdout.trim() === 'PONG';
}

function pidOf(o: LocalRedis): number | null {
  const file = join(resolve(o.dir), 'redis.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The URL to give --queue (an IPv6 address in brackets; never the password: Janus takes it from JANUS_REDIS_PASSWORD). */
export const localUrl = (o: LocalRedis, address = talkTo(o)) => `redis://${address.includes(':') ? `[${address}]` : address}:${o.port}/0`;

/** Start the server (or find it running); waits until it answers (10 s at most). */
export async function startRedis(o: LocalRedis, log: (line: string) => void = () => undefined): Promise<{ url: string; pid: number; started: boolean }> {
  checkExposure(o);
  requireRedisServer(log);
  const dir = resolve(o.dir);
  const running = pidOf(o);
  if (running && ping(o)) return { url: localUrl(o), pid: running, started: false };
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'redis.conf');
  await writeFileAtomic(conf, redisConf(o), o.password ? 0o600 : 0o666);
  const r = spawnSync('redis-server', [conf], { encoding: 'utf8' });
  if (r.status !== 0) throw new UserError(`redis-server did not start (exit ${r.status}): ${(r.stdout + r.stderr).trim().split('\n').slice(-1)[0]}`, `see ${join(dir, 'redis.log')}`);
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (ping(o)) return { url: localUrl(o), pid: pidOf(o) ?? 0, started: true };
    await sleep(100);
  }
  const logTail = existsSync(join(dir, 'redis.log')) ? readFileSync(join(dir, 'redis.log'), 'utf8').trim().split('\n').slice(-2).join(' | ') : '';
  const taken = /address already in use/i.test(logTail);
  throw new UserError(
    taken ? `port ${o.port} is taken by another program: redis-server could not listen on it` : `redis-server started but does not answer on port ${o.port}: ${logTail}`,
    taken ? 'choose another port: janus redis start --port 6380 (and --queue redis://127.0.0.1:6380/0)' : `see ${join(dir, 'redis.log')}`,
  );
}

/** Stop the server of that folder (AOF flushed); false when none was running. Waits until it is gone (10 s at most). */
export async function stopRedis(o: LocalRedis): Promise<boolean> {
  const pid = pidOf(o);
  if (!pid) return false;
  spawnSync('redis-cli', ['-h', talkTo(o), '-p', String(o.port), 'shutdown'], { stdio: 'ignore', timeout: 5000, env: cliEnv(o) });
  for (let waited = 0; waited < 10_000; waited += 100) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await sleep(100);
  }
  throw new UserError(`redis-server (pid ${pid}) did not stop within 10 s`, `stop it yourself: kill ${pid}`);
}

/** Whether the server of that folder runs and answers. */
export function redisStatus(o: LocalRedis): { running: boolean; pid: number | null; url: string } {
  const pid = pidOf(o);
  return { running: !!pid && ping(o), pid, url: localUrl(o) };
}
