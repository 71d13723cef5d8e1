/**
 * The queue executor when things die, on a real Redis (a free loopback port) with `janus worker`
 * processes whose locks last 3 s: a worker killed with its job's child process (fault points
 * with JANUS_FAULT_KILL_GROUP, SIGKILL of the process group) mid-training and another
 * mid-composite, a Redis server restarted mid-run, a coordinator SIGKILLed and run again. Every run completes with outputs identical, file by file, to the local executor's (a
 * reproduction kit's fingerprints: the run folders' paths set aside), and finished work is not
 * done again: the composite's first segment keeps its file, training is not restarted by a
 * coordinator run again.
 *
 * @tier e2e (a Redis server, up to five workers, four swap pipelines)
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeSampleClip } from '../../src/samples/make-sample.ts';
import { janus, tempDir } from '../helpers/fixtures.ts';
import { QueueCluster, redisInstalled, until } from '../helpers/queue-cluster.ts';

const test = suite('queue/queue-faults');
const tmp = tempDir('queue-faults');
let c: QueueCluster | null = null;
const kit = join(tmp.dir, 'kit', 'kit.json');
const LOCK = ['--lock-seconds', '3'];
const SKIP = 'SKIP: redis-server is not installed (fix: make redis-server, or sudo apt-get install -y redis-server)';

const sets = () =>
  [`a=${join(tmp.dir, 'a.mp4')}`, `b=${join(tmp.dir, 'b.mp4')}`, 'preset=tiny', 'iterations=40', 'train.saveEvery=10', 'batchSize=8', 'detector=tiny', 'size=128', 'segmentFrames=4'].flatMap((s) => ['--set', s]);
const runArgs = (workdir: string) => ['run', 'pipelines/swap.yaml', '--workdir', workdir, ...sets(), '--queue', c!.url];
const checkpoint = (workdir: string) => () => existsSync(join(workdir, 'model', 'checkpoints', 'ckpt-000000010'));

function assertSameAsLocal(workdir: string): void {
  const same = janus(['verify', workdir, '--expect', kit]);
  assert.is(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /all identical: 7 stages, 18 outputs/);
}

test.before(async () => {
  if (!redisInstalled()) return;
  for (const n of ['a', 'b'] as const) await makeSampleClip(n, join(tmp.dir, `${n}.mp4`), { seconds: 1, size: 256 });
  const local = join(tmp.dir, 'local');
  const l = janus(['run', 'pipelines/swap.yaml', '--workdir', local, ...sets()]);
  assert.is(l.code, 0, l.stdout + l.stderr);
  assert.is(janus(['reproduce', local, '--out', join(tmp.dir, 'kit')]).code, 0);
  c = await QueueCluster.start(tmp.dir);
});
test.after(() => {
  c?.stop();
  tmp.cleanup();
});

test('a worker dies mid-training, another mid-composite (each with its job processes): the jobs go back to the queue, the run completes, identical outputs, finished work kept', async () => {
  if (!c) return console.log(SKIP);
  const workdir = join(tmp.dir, 'killed-workers');
  // the only gpu worker dies at its 15th training step (the checkpoint at 10 is saved), the only cpu
  // worker at its 2nd composite segment (the 1st one done): each kills its whole process group
  const trainer = c.worker(['--resource', 'gpu', ...LOCK], { JANUS_FAULT_KILL: 'train.step@15', JANUS_FAULT_KILL_GROUP: '1' });
  const compositor = c.worker(['--resource', 'cpu', ...LOCK], { JANUS_FAULT_KILL: 'composite.segment@2', JANUS_FAULT_KILL_GROUP: '1' });
  const run = c.coordinator('killed-workers', runArgs(workdir));
  await until(() => !trainer.alive, 180, 'the gpu worker to die mid-training', run);
  assert.match(trainer.log(), /train started/);
  c.worker(['--resource', 'gpu', ...LOCK]);
  await until(() => !compositor.alive, 180, 'the cpu worker to die mid-composite', run);
  // the segments finished before the kill (their records written), and the item job it died in
  const segments = join(workdir, 'segments');
  const finished = new Map(readdirSync(segments).filter((f) => /^\d+\.json$/.test(f)).map((f) => [f, statSync(join(segments, f)).mtimeMs]));
  assert.ok(finished.size >= 1, 'a segment was done before the kill');
  const killedPart = [...compositor.log().matchAll(/composite \(items (\d+)\/\d+\) started/g)].at(-1)?.[1];
  const donePart = [...compositor.log().matchAll(/composite \(items (\d+)\/\d+\) done/g)].map((m) => m[1]!);
  assert.ok(killedPart && donePart.length >= 1, compositor.log());
  c.worker(['--resource', 'cpu', ...LOCK]);
  const r = await run.done;
  assert.is(r.code, 0, r.stdout + c.logs());
  assert.match(readFileSync(join(workdir, '.janus', 'logs', 'train.log'), 'utf8'), /resumed from 10/, 'training went on from its checkpoint');
  for (const k of donePart) assert.is(c.count(new RegExp(`composite \\(items ${k}\\/\\d+\\) started`)), 1, `the finished item job ${k} was not run again:\n${c.logs()}`);
  assert.is(c.count(new RegExp(`composite \\(items ${killedPart}\\/\\d+\\) started`)), 2, `the killed item job ran again:\n${c.logs()}`);
  for (const [f, mtime] of finished) assert.is(statSync(join(segments, f)).mtimeMs, mtime, `${f}, finished before the kill, was not made again`);
  assertSameAsLocal(workdir);
});

test('Redis restarted mid-training (append-only file): workers and coordinator reconnect, the run completes, identical outputs', async () => {
  if (!c) return console.log(SKIP);
  const workdir = join(tmp.dir, 'redis-restart');
  const before = c.count(/train started/);
  const run = c.coordinator('redis-restart', runArgs(workdir));
  await until(() => c!.count(/train started/) > before, 120, 'training to start', run);
  c.redis('stop');
  await new Promise((r) => setTimeout(r, 1000));
  c.redis('start');
  const r = await run.done;
  assert.is(r.code, 0, r.stdout + c.logs());
  assertSameAsLocal(workdir);
});

test('the coordinator SIGKILLed mid-training: a local run or a forced one is refused while its job runs; run again, it re-attaches, training is not started again, identical outputs', async () => {
  if (!c) return console.log(SKIP);
  const workdir = join(tmp.dir, 'killed-coordinator');
  const started = c.count(/train started/);
  const finished = c.count(/train done/);
  const run = c.coordinator('killed-coordinator', runArgs(workdir));
  await until(checkpoint(workdir), 120, 'the checkpoint at iteration 10', run);
  // janus status of the queued run: the queue (recorded in its state), its depth, the worker training it
  const status = janus(['status', '--workdir', workdir]);
  assert.is(status.code, 0, status.stdout + status.stderr);
  assert.match(status.stdout, new RegExp(`queue ${c.url.replaceAll('/', '\\/')} \\(Redis \\d+\\.\\d+`));
  assert.match(status.stdout, /janus\.gpu: 0 waiting, 1 running, 0 waiting to retry, 0 failed/);
  assert.match(status.stdout, /workers: 2\n/);
  assert.match(status.stdout, /:\d+ on [^,]+, gpu: train for \d+ s \(this run\); last beat \d+ s ago/);
  assert.match(status.stdout, /:\d+ on [^,]+, cpu: idle; last beat \d+ s ago/);
  c.kill(run);
  await run.done;
  // while its job runs on: a fresh (forced) attempt on the queue is refused, and so is a local run (two writers)
  const forced = janus([...runArgs(workdir), '--force', 'train']);
  const trainedMeanwhile = c.count(/train done/) > finished; // on a very slow machine the job may have ended first
  if (!trainedMeanwhile) {
    assert.is(forced.code, 2, forced.stdout + forced.stderr);
    assert.match(forced.stdout + forced.stderr, /stage "train": its earlier attempt still runs on a worker \(job train-[0-9a-f]+\)/);
    const local = janus(runArgs(workdir).slice(0, -2));
    assert.is(local.code, 2, local.stdout + local.stderr);
    assert.match(local.stdout + local.stderr, /stage "train" went to the queue at redis:\/\/127\.0\.0\.1:\d+\/0 and may still be running on a worker/);
    assert.match(local.stdout + local.stderr, /run with --queue redis:\/\/127\.0\.0\.1:\d+\/0 to take it back/);
  } else console.log('note: training ended before the forced run; the refusals were not checked');
  const again = janus(runArgs(workdir));
  assert.is(again.code, 0, again.stdout + again.stderr + c.logs());
  const extra = trainedMeanwhile && forced.code === 0 ? 1 : 0; // the forced run then trained afresh
  assert.is(c.count(/train started/), started + 1 + extra, `training started once:\n${c.logs()}`);
  assert.is(c.count(/train done/), finished + 1 + extra);
  assertSameAsLocal(workdir);
});

test.run();
