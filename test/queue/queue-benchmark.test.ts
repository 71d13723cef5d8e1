/**
 * `janus benchmark --queue`: a mini benchmark (four identities, two pairs, both directions)
 * on `janus worker` processes on a real Redis: the only gpu worker dies mid-pair (at its 3rd
 * training step) and the only cpu worker mid-ladder (at its 2nd rung), each with its jobs'
 * child processes (JANUS_FAULT_KILL_GROUP); three workers replace them and finish: the dataset completes with the same files, byte for
 * byte, as the local executor's made in the same folder (the clock's records by presence only).
 *
 * @tier e2e (a Redis server, up to five workers, the mini benchmark twice)
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeSampleClip } from '../../src/samples/make-sample.ts';
import { treeDifferences } from '../faults/lib.ts';
import { janus, tempDir } from '../helpers/fixtures.ts';
import { QueueCluster, redisInstalled, until } from '../helpers/queue-cluster.ts';

const test = suite('queue/queue-benchmark');
const tmp = tempDir('queue-benchmark');
const LOCK = ['--lock-seconds', '3'];
const csv = join(tmp.dir, 'bench.csv');
const args = (out: string) => ['benchmark', csv, '--out', out, '--preset', 'tiny', '--iterations', '4', '--size', '128', '--detector', 'tiny', '--splits', '0.5,0,0.5', '--seed', '3', '--max-target-distance', '2', '--min-identity-share', '0'];
let c: QueueCluster | null = null;

test.before(async () => {
  if (!redisInstalled()) return;
  const rows = ['video,identity'];
  for (const [n, who] of [['a', 'anna'], ['b', 'beth'], ['c', 'cara'], ['d', 'dana']] as const) {
    await makeSampleClip(n, join(tmp.dir, `${n}.mp4`), { seconds: 0.4, size: 256 });
    rows.push(`${join(tmp.dir, `${n}.mp4`)},${who}`);
  }
  writeFileSync(csv, `${rows.join('\n')}\n`);
  c = await QueueCluster.start(tmp.dir);
});
test.after(() => {
  c?.stop();
  tmp.cleanup();
});

test('a mini benchmark on three workers, one dying mid-training of a pair and one mid-ladder: the same dataset as the local executor', async () => {
  if (!c) return console.log('SKIP: redis-server is not installed (fix: make redis-server, or sudo apt-get install -y redis-server)');
  // the local run made at the path the queued one will use, then set aside: records name their folder
  const queued = join(tmp.dir, 'bench');
  const local = join(tmp.dir, 'local');
  const l = janus(args(queued));
  assert.is(l.code, 0, l.stdout + l.stderr);
  renameSync(queued, local);

  // the only gpu worker dies at its 3rd training step, the only cpu worker at its 2nd ladder rung
  const trainer = c.worker(['--resource', 'gpu', ...LOCK], { JANUS_FAULT_KILL: 'train.step@3', JANUS_FAULT_KILL_GROUP: '1' });
  const laddered = c.worker(['--resource', 'cpu', ...LOCK], { JANUS_FAULT_KILL: 'ladder.rung@2', JANUS_FAULT_KILL_GROUP: '1' });
  const run = c.coordinator('benchmark', [...args(queued), '--queue', c.url]);
  // each replaced as it dies, whichever first (the pairs wait on both classes): the rest of the run on three workers
  const replaced = new Set<string>();
  await until(
    () => {
      if (!trainer.alive && !replaced.has('gpu')) replaced.add('gpu') && c!.worker(['--resource', 'gpu', ...LOCK]) && c!.worker(['--resource', 'gpu', ...LOCK]);
      if (!laddered.alive && !replaced.has('cpu')) replaced.add('cpu') && c!.worker(['--resource', 'cpu', ...LOCK]);
      return replaced.size === 2;
    },
    600,
    'a gpu worker to die mid-training and the cpu worker mid-ladder',
    run,
  );
  const r = await run.done;
  assert.is(r.code, 0, r.stdout + c.logs());
  const counts = (out: string) => /dataset \(.*\): (\d+ real, (\d+) fake videos; \d+ dropped)/.exec(out);
  assert.ok(Number(counts(l.stdout)?.[2]) > 0, l.stdout);
  assert.is(counts(r.stdout)?.[1], counts(l.stdout)![1], 'the same dataset summary');
  assert.match(trainer.log(), /train-\S+ started/);
  const { problems, files } = treeDifferences(local, queued);
  assert.equal(problems, [], `the queued dataset differs from the local one:\n${problems.join('\n')}`);
  assert.ok(files > 20, `${files} files compared`);
});

test('janus benchmark --queue of a server that does not answer: exit 2 with the fix', () => {
  const out = join(tmp.dir, 'nowhere');
  const r = janus([...args(out), '--queue', 'redis://127.0.0.1:1/0']);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /does not answer/);
});

test.run();
