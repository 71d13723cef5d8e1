/**
 * The queue executor on a real Redis (started on a free loopback port) with two `janus worker`
 * processes: the swap pipeline run by `janus run --queue` gives outputs identical to the local
 * executor's (compared file by file through a reproduction kit: the run folders' paths set
 * aside); the coordinator alone wrote the state (items and what each stage did); run again it
 * re-attaches to finished jobs and runs nothing; `--force` runs a stage again on the workers;
 * `--queue-limit` sets a class's global concurrency, which janus status shows; a mistake in an
 * input found on a worker is exit 2 with the fix, not retried.
 * Skipped with a line when redis-server is not installed (make redis-server installs it).
 *
 * @tier e2e (a Redis server, two workers, the swap pipeline twice)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readRunManifest } from '../../src/dag/manifest.ts';
import { makeSampleClip } from '../../src/samples/make-sample.ts';
import { ROOT, janus, tempDir } from '../helpers/fixtures.ts';
import { freePort } from '../helpers/free-port.ts';
import { until } from '../helpers/queue-cluster.ts';

const test = suite('queue/queue');
const tmp = tempDir('queue');
const installed = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const workers: Array<{ child: ChildProcess; log: () => string }> = [];
let port = 0;
let url = '';
const serverDir = join(tmp.dir, 'redis');

/** A worker process writing to a log file (read while the test's synchronous CLI calls block its event loop). */
function startWorker(args: string[] = []): { child: ChildProcess; log: () => string } {
  const file = join(tmp.dir, `worker-${workers.length}.log`);
  const fd = openSync(file, 'w');
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/bin.js'), 'worker', '--queue', url, ...args], { cwd: ROOT, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const w = { child, log: () => readFileSync(file, 'utf8') };
  workers.push(w);
  return w;
}

const sets = () => [`a=${join(tmp.dir, 'a.mp4')}`, `b=${join(tmp.dir, 'b.mp4')}`, 'preset=tiny', 'iterations=6', 'train.saveEvery=2', 'batchSize=8', 'detector=tiny', 'size=128', 'segmentFrames=8'].flatMap((s) => ['--set', s]);

test.before(async () => {
  if (!installed) return;
  for (const n of ['a', 'b'] as const) await makeSampleClip(n, join(tmp.dir, `${n}.mp4`), { seconds: 1, size: 256 });
  port = await freePort();
  url = `redis://127.0.0.1:${port}/0`;
  const r = janus(['redis', 'start', '--port', String(port), '--dir', serverDir]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  startWorker();
  startWorker();
});
test.after(() => {
  for (const w of workers) {
    try {
      process.kill(-w.child.pid!, 'SIGKILL'); // the worker and its jobs' child processes
    } catch {
      // gone already
    }
  }
  if (installed) janus(['redis', 'stop', '--port', String(port), '--dir', serverDir]);
  tmp.cleanup();
});

test('janus run --queue: two workers make what the local executor makes; a rerun re-attaches and runs nothing; --force runs on the workers', () => {
  if (!installed) {
    console.log('SKIP: redis-server is not installed (fix: make redis-server, or sudo apt-get install -y redis-server)');
    return;
  }
  const queued = join(tmp.dir, 'queued');
  const q = janus(['run', 'pipelines/swap.yaml', '--workdir', queued, ...sets(), '--queue', url]);
  assert.is(q.code, 0, q.stdout + q.stderr + workers.map((w) => w.log()).join('\n'));
  assert.match(q.stdout, /7 ran, 0 up to date/);
  const logs = workers.map((w) => w.log());
  assert.ok(logs.every((l) => / done\n/.test(l)), `both workers ran stages:\n${logs.join('\n---\n')}`);
  // what each stage did came back from the workers to the coordinator's records
  assert.is(readRunManifest(queued).stages.find((s) => s.name === 'train')!.did?.iteration, 6);
  assert.ok(readRunManifest(queued).stages.find((s) => s.name === 'composite')!.items!.total > 0, 'items recorded by the coordinator');

  const local = join(tmp.dir, 'local');
  const l = janus(['run', 'pipelines/swap.yaml', '--workdir', local, ...sets()]);
  assert.is(l.code, 0, l.stdout + l.stderr);
  const kit = join(tmp.dir, 'kit');
  assert.is(janus(['reproduce', local, '--out', kit]).code, 0);
  const same = janus(['verify', queued, '--expect', join(kit, 'kit.json')]);
  assert.is(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /all identical: 7 stages, 18 outputs/);

  const again = janus(['run', 'pipelines/swap.yaml', '--workdir', queued, ...sets(), '--queue', url]);
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /0 ran, 7 up to date/);
  const before = workers.map((w) => (w.log().match(/composite started/g) ?? []).length).reduce((a, b) => a + b, 0);
  const forced = janus(['run', 'pipelines/swap.yaml', '--workdir', queued, ...sets(), '--queue', url, '--force', 'composite']);
  assert.is(forced.code, 0, forced.stdout + forced.stderr);
  assert.match(forced.stdout, /1 ran, 6 up to date/);
  const after = workers.map((w) => (w.log().match(/composite started/g) ?? []).length).reduce((a, b) => a + b, 0);
  assert.is(after, before + 1, 'the forced stage ran on a worker again');
});

test('janus worker --queue-limit: a class\'s global concurrency, shown by janus status; 0 lifts it', async () => {
  if (!installed) return;
  const started = (w: { log: () => string }) => until(() => w.log().includes('Ctrl-C stops it'), 60, `the worker to start:\n${w.log()}`);
  const limited = startWorker(['--resource', 'gpu', '--queue-limit', '1']);
  await started(limited);
  const status = janus(['status', '--workdir', join(tmp.dir, 'queued')]);
  assert.is(status.code, 0, status.stdout + status.stderr);
  assert.match(status.stdout, /janus\.gpu: 0 waiting, 0 running, 0 waiting to retry, 0 failed \(at most 1 at once\)\n/);
  assert.match(status.stdout, /janus\.cpu: 0 waiting, 0 running, 0 waiting to retry, 0 failed\n/);
  assert.match(status.stdout, /workers: 3\n/);
  const lifted = startWorker(['--resource', 'gpu', '--queue-limit', '0']);
  await started(lifted);
  assert.match(janus(['status', '--workdir', join(tmp.dir, 'queued')]).stdout, /janus\.gpu: 0 waiting, 0 running, 0 waiting to retry, 0 failed\n/);
  // SIGTERM: a clean stop (exit 0), its heartbeat gone at once
  const exited = new Promise<number | null>((resolve) => lifted.child.on('exit', (code) => resolve(code)));
  lifted.child.kill('SIGTERM');
  assert.is(await exited, 0);
  assert.match(lifted.log(), /stopping after the running jobs/);
  assert.match(janus(['status', '--workdir', join(tmp.dir, 'queued')]).stdout, /workers: 3\n/);
});

test('a stage failing on a worker with a mistake in its input: exit 2 naming the file and the fix, not retried', () => {
  if (!installed) return;
  const bad = join(tmp.dir, 'not-a-video.mp4');
  writeFileSync(bad, 'this is text\n');
  const before = workers.map((w) => (w.log().match(/extract-a started/g) ?? []).length).reduce((a, b) => a + b, 0);
  const r = janus(['run', 'pipelines/swap.yaml', '--workdir', join(tmp.dir, 'bad'), ...sets(), '--set', `a=${bad}`, '--queue', url]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /not-a-video\.mp4/);
  assert.match(r.stdout + r.stderr, /fix: /);
  const after = workers.map((w) => (w.log().match(/extract-a started/g) ?? []).length).reduce((a, b) => a + b, 0);
  assert.is(after, before + 1, 'a mistake in the input is not retried');
});

test('janus worker without a queue, or with one that does not answer: exit 2 with the fix', () => {
  const none = janus(['worker'], { JANUS_QUEUE: '' });
  assert.is(none.code, 2);
  assert.match(none.stderr, /janus worker needs the queue: --queue redis:\/\/HOST:PORT\/DB/);
  const down = janus(['worker', '--queue', 'redis://127.0.0.1:1/0']);
  assert.is(down.code, 2);
  assert.match(down.stderr, /does not answer/);
});

test('Redis gone, a worker asked to stop (SIGTERM) stops at once rather than wait for it', async () => {
  if (!installed) return;
  const w = startWorker(['--resource', 'cpu']);
  await until(() => w.log().includes('Ctrl-C stops it'), 60, `the worker to start:\n${w.log()}`);
  assert.is(janus(['redis', 'stop', '--port', String(port), '--dir', serverDir]).code, 0);
  await until(() => w.log().includes('ECONNREFUSED') || w.log().includes('Connection is closed'), 30, `the worker to notice:\n${w.log()}`).catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => w.child.on('exit', (code) => resolve(code)));
  w.child.kill('SIGTERM');
  const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running after 30 s'), 30_000))]);
  assert.is(code, 0, w.log());
  assert.match(w.log(), /stopping now: Redis does not answer/);
});

test.run();
