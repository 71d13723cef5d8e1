/**
 * A worker on "another machine": in a network namespace the test makes (a veth pair on a
 * private /30), it reaches Redis (listening on 127.0.0.1 and this side's veth address, with a
 * password: janus redis start --bind, JANUS_REDIS_PASSWORD) and the run folder (sshfs through an
 * sshd of the test's own, mounted at the same path) only through the veth. As the only gpu
 * worker it runs extraction, training, swap and metrics; a cpu worker here runs the rest; the
 * outputs are identical to the local executor's. Skipped with a line when not root or without
 * ip, sshd or sshfs (make netns-tools installs them) or redis-server.
 *
 * @tier e2e (a network namespace, sshd, sshfs, a Redis server, two workers, the swap pipeline twice)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeSampleClip } from '../../src/samples/make-sample.ts';
import { janus, tempDir } from '../helpers/fixtures.ts';
import { startNetnsHost, type NetnsHost } from '../helpers/netns-host.ts';
import { QueueCluster, redisInstalled, until } from '../helpers/queue-cluster.ts';

const test = suite('queue/queue-netns');
const tmp = tempDir('queue-netns');
const share = join(tmp.dir, 'shared'); // clips and run folders: what the namespace mounts
let host: NetnsHost | string = 'not started';
let c: QueueCluster | null = null;
const PASSWORD = 'janus-test-password';

const sets = () => [`a=${join(share, 'a.mp4')}`, `b=${join(share, 'b.mp4')}`, 'preset=tiny', 'iterations=6', 'train.saveEvery=2', 'batchSize=8', 'detector=tiny', 'size=128', 'segmentFrames=8'].flatMap((s) => ['--set', s]);

test.before(async () => {
  if (!redisInstalled()) return void (host = 'redis-server is not installed (fix: make redis-server)');
  for (const n of ['a', 'b'] as const) await makeSampleClip(n, join(share, `${n}.mp4`), { seconds: 1, size: 256 });
  host = await startNetnsHost(join(tmp.dir, 'netns'), share);
  if (typeof host === 'string') return;
  c = await QueueCluster.start(tmp.dir, { bind: [host.host], password: PASSWORD });
});
test.after(() => {
  c?.stop();
  if (typeof host !== 'string') host.stop();
  tmp.cleanup();
});

test('a worker in its own network namespace, reaching Redis and the run folder only through a veth: the same outputs as the local executor', async () => {
  if (!c || typeof host === 'string') return console.log(`SKIP: ${host}`);
  const remote = c.worker(['--resource', 'gpu'], {}, { via: host.wrap(), url: c.urlVia(host.host) });
  await until(() => remote.log().includes('Ctrl-C stops it') || !remote.alive, 60, `the namespace's worker to connect:\n${remote.log()}`);
  assert.ok(remote.alive, `the namespace's worker started:\n${remote.log()}`);
  // its mounts: the run folder's parent is an sshfs mount there (and not here)
  const mounts = readFileSync(`/proc/${remote.child.pid}/mounts`, 'utf8');
  assert.ok(mounts.split('\n').some((l) => l.includes(` ${share} `) && l.includes('fuse.sshfs')), `the namespace sees ${share} through sshfs:\n${mounts}`);
  assert.not.ok(readFileSync('/proc/self/mounts', 'utf8').includes('fuse.sshfs'), 'the mount is the namespace\'s alone');
  c.worker(['--resource', 'cpu']);

  const queued = join(share, 'queued');
  const q = janus(['run', 'pipelines/swap.yaml', '--workdir', queued, ...sets(), '--queue', c.url]);
  assert.is(q.code, 0, q.stdout + q.stderr + c.logs());
  for (const stage of ['extract-a', 'extract-b', 'train', 'swap', 'metrics']) assert.match(remote.log(), new RegExp(`janus\\.gpu: ${stage} done`));

  const local = join(tmp.dir, 'local');
  const l = janus(['run', 'pipelines/swap.yaml', '--workdir', local, ...sets()]);
  assert.is(l.code, 0, l.stdout + l.stderr);
  assert.is(janus(['reproduce', local, '--out', join(tmp.dir, 'kit')]).code, 0);
  const same = janus(['verify', queued, '--expect', join(tmp.dir, 'kit', 'kit.json')]);
  assert.is(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /all identical: 7 stages, 18 outputs/);
});

test('janus redis start --bind with an address other machines reach, and no password: exit 2 with the fix', () => {
  const r = janus(['redis', 'start', '--bind', '127.0.0.1,10.231.0.1', '--port', '1', '--dir', join(tmp.dir, 'exposed')], { JANUS_REDIS_PASSWORD: '' });
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /listening on 10\.231\.0\.1 without a password lets anyone who reaches it run jobs/);
  assert.match(r.stderr, /fix: set a password first: export JANUS_REDIS_PASSWORD=/);
});

test.run();
