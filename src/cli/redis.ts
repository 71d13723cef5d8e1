/**
 * `janus redis start|stop|status`: a Redis server for the queue executor
 * (src/queue/redis-server.ts): 127.0.0.1, append-only, noeviction, in runs/.redis/; for workers
 * on other machines, `--bind` adds this machine's address and JANUS_REDIS_PASSWORD (required
 * then) becomes its password.
 *
 *   npx janus redis start                 # redis://127.0.0.1:6379/0
 *   npx janus redis start --port 6380 --dir /tmp/r
 *   JANUS_REDIS_PASSWORD=... npx janus redis start --bind 127.0.0.1,10.0.0.5
 *   npx janus redis stop
 */
import { localUrl, outsideAddresses, redisStatus, startRedis, stopRedis } from '../queue/redis-server.ts';
import { UserError, choices } from '../util/errors.ts';
import type { RedisOpts } from './commands.ts';

const ACTIONS = ['start', 'stop', 'status'] as const;

export async function run([action]: string[], opts: RedisOpts): Promise<number> {
  if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) throw new UserError(`expected the action to be one of ${choices([...ACTIONS])}, got ${JSON.stringify(action)}`, 'e.g. janus redis start');
  const password = process.env.JANUS_REDIS_PASSWORD || undefined;
  const o = { dir: opts.dir, port: opts.port, bind: opts.bind.split(','), ...(password ? { password } : {}) };
  if (action === 'start') {
    const r = await startRedis(o, (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(`${r.started ? 'started' : 'already running:'} redis-server (pid ${r.pid}) in ${opts.dir}: --queue ${r.url}\n`);
    for (const a of outsideAddresses(o)) process.stdout.write(`  workers on other machines: --queue ${localUrl(o, a)}\n`);
    if (password) process.stdout.write('  the password: JANUS_REDIS_PASSWORD, exported where the coordinator and the workers run (Janus adds it to --queue URLs without one)\n');
  } else if (action === 'stop') {
    process.stdout.write((await stopRedis(o)) ? `stopped the redis-server of ${opts.dir}\n` : `no redis-server of ${opts.dir} is running\n`);
  } else {
    const s = redisStatus(o);
    process.stdout.write(s.running ? `running (pid ${s.pid}): --queue ${s.url}\n` : `not running (start it: janus redis start${opts.port !== 6379 ? ` --port ${opts.port}` : ''})\n`);
    return s.running ? 0 : 1;
  }
  return 0;
}
