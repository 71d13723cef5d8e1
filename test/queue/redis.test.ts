/**
 * The queue's Redis server (a real redis-server on a free loopback port, in a temp folder):
 * `janus redis start` runs one with append-only files and noeviction and says its URL;
 * `janus doctor --queue` accepts it, names an evicting policy and an unreachable server with
 * their fixes (exit 2); `janus redis stop` ends it. Skipped with a line when redis-server is
 * not installed (make redis-server installs it). A server that says it is Redis 5 (a stub
 * speaking the protocol) is refused by doctor, run and worker.
 *
 * @tier e2e (starts and stops a redis-server through the CLI)
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { versionAtLeast } from '../../src/queue/redis-check.ts';
import { parseQueueUrl, queueUrlFrom, shownUrl } from '../../src/queue/queue-url.ts';
import { redisConf } from '../../src/queue/redis-server.ts';
import { ROOT, janus, tempDir, type CliResult } from '../helpers/fixtures.ts';
import { freePort } from '../helpers/free-port.ts';

const test = suite('queue/redis');
const tmp = tempDir('redis');
const installed = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
let port = 0;
const dir = join(tmp.dir, 'server');

/** `janus ARGS` without blocking this process's event loop (the stub server above answers from it). */
function janusAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'src/cli/bin.js'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test.before(async () => {
  port = await freePort();
});
test.after(() => {
  if (installed) janus(['redis', 'stop', '--port', String(port), '--dir', dir]);
  tmp.cleanup();
});

test('queue URLs, versions and the config Janus writes', () => {
  assert.is(parseQueueUrl('redis://127.0.0.1:6379/0').port, '6379');
  assert.is(parseQueueUrl('rediss://u:p@h:6380/2').protocol, 'rediss:');
  assert.throws(() => parseQueueUrl('http://x'), /expected the scheme redis:\/\/ or rediss:\/\//);
  assert.throws(() => parseQueueUrl('redis://h:1/abc'), /expected a database number/);
  assert.throws(() => parseQueueUrl('not a url'), /expected a Redis URL/);
  assert.is(shownUrl('redis://u:secret@h:1/0'), 'redis://u:***@h:1/0');
  assert.ok(versionAtLeast('7.0.15', [6, 2]) && versionAtLeast('6.2.0', [6, 2]));
  assert.not.ok(versionAtLeast('6.0.16', [6, 2]) || versionAtLeast('5.0.7', [6, 2]));
  const conf = redisConf({ dir: '/x', port: 7000 });
  for (const line of ['bind 127.0.0.1', 'port 7000', 'appendonly yes', 'maxmemory-policy noeviction', 'dir /x', 'protected-mode yes']) assert.ok(conf.split('\n').includes(line), line);
  assert.not.ok(conf.includes('requirepass'));
  const exposed = redisConf({ dir: '/x', port: 7000, bind: ['127.0.0.1', '10.0.0.5'], password: 'p w' });
  assert.ok(exposed.includes('bind 127.0.0.1 10.0.0.5\n') && exposed.includes('requirepass p w\n'));
  // the password from JANUS_REDIS_PASSWORD when the URL has none (never on a command line)
  assert.is(queueUrlFrom('redis://10.0.0.5:6379/0', { JANUS_REDIS_PASSWORD: 's3cret' }), 'redis://:s3cret@10.0.0.5:6379/0');
  assert.is(queueUrlFrom(undefined, { JANUS_QUEUE: 'redis://h:1/0', JANUS_REDIS_PASSWORD: 'a/b' }), 'redis://:a%2Fb@h:1/0');
  assert.is(queueUrlFrom('redis://:mine@h:1/0', { JANUS_REDIS_PASSWORD: 'other' }), 'redis://:mine@h:1/0');
  assert.is(queueUrlFrom(undefined, {}), undefined);
});

test('janus redis start / doctor --queue / stop, against a real redis-server', () => {
  if (!installed) {
    console.log('SKIP: redis-server is not installed (fix: make redis-server, or sudo apt-get install -y redis-server)');
    return;
  }
  const url = `redis://127.0.0.1:${port}/0`;
  const start = janus(['redis', 'start', '--port', String(port), '--dir', dir]);
  assert.is(start.code, 0, start.stdout + start.stderr);
  assert.match(start.stdout, new RegExp(`started redis-server \\(pid \\d+\\) in .*: --queue ${url}`));
  assert.ok(existsSync(join(dir, 'redis.conf')) && readFileSync(join(dir, 'redis.conf'), 'utf8').includes('appendonly yes'));
  assert.match(janus(['redis', 'start', '--port', String(port), '--dir', dir]).stdout, /already running/);
  assert.match(janus(['redis', 'status', '--port', String(port), '--dir', dir]).stdout, /^running \(pid \d+\)/);

  const ok = janus(['doctor', '--queue', url]);
  assert.match(ok.stdout, new RegExp(`queue: Redis \\d+\\.\\d+\\.\\d+ at ${url}: reachable, maxmemory-policy noeviction, append-only file on`));

  spawnSync('redis-cli', ['-p', String(port), 'config', 'set', 'maxmemory-policy', 'allkeys-lru'], { stdio: 'ignore' });
  const evicting = janus(['doctor'], { JANUS_QUEUE: url });
  assert.is(evicting.code, 2, evicting.stdout + evicting.stderr);
  assert.match(evicting.stderr, /maxmemory-policy allkeys-lru/);
  assert.match(evicting.stderr, /fix: set it to noeviction: redis-cli -u redis:\/\/127\.0\.0\.1:\d+\/0 CONFIG SET maxmemory-policy noeviction/);

  const stop = janus(['redis', 'stop', '--port', String(port), '--dir', dir]);
  assert.match(stop.stdout, /stopped the redis-server/);
  assert.ok(existsSync(join(dir, 'appendonlydir')), 'the append-only files stay');
  const down = janus(['doctor', '--queue', url]);
  assert.is(down.code, 2);
  assert.match(down.stderr, new RegExp(`the Redis server at ${url.replaceAll('/', '\\/')} does not answer`));
  assert.match(down.stderr, /fix: start one \(make redis, or janus redis start/);
  assert.is(janus(['redis', 'status', '--port', String(port), '--dir', dir]).code, 1);
  const bad = janus(['redis', 'restart', '--dir', dir]);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /expected the action to be one of start\|stop\|status, got "restart"/);
});

/**
 * A server that speaks Redis's protocol and says it is version 5.0.7 (no such Redis on this
 * machine): it answers INFO with that version and every other command with OK.
 */
function oldRedis(): Promise<{ port: number; close(): void }> {
  return new Promise((resolve) => {
    const server = createServer((socket) => {
      socket.on('data', (chunk) => {
        // one reply per command (RESP arrays: *N), in order
        for (const cmd of chunk.toString('latin1').split('*').slice(1)) {
          if (/\binfo\b/i.test(cmd)) {
            const body = '# Server\r\nredis_version:5.0.7\r\nloading:0\r\n';
            socket.write(`$${Buffer.byteLength(body)}\r\n${body}\r\n`);
          } else socket.write('+OK\r\n');
        }
      });
      socket.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, close: () => server.close() }));
  });
}

test('a Redis older than 6.2: janus doctor --queue, janus run --queue and janus worker exit 2 naming the version and the fix', async () => {
  const old = await oldRedis();
  try {
    const url = `redis://127.0.0.1:${old.port}/0`;
    for (const args of [['doctor', '--queue', url], ['run', 'pipelines/swap.yaml', '--workdir', join(tmp.dir, 'old'), '--queue', url], ['worker', '--queue', url]]) {
      const r = await janusAsync(args);
      assert.is(r.code, 2, `janus ${args[0]}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /is version 5\.0\.7; Janus's queue \(BullMQ\) needs 6\.2 or newer/);
      assert.match(r.stderr, /fix: install Redis 7/);
    }
  } finally {
    old.close();
  }
});

test.run();
