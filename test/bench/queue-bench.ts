/**
 * `make bench` (queue part), on a real Redis started here on a free port:
 * 1. the queue executor's overhead per item (goal: under 5 ms): a worker's sandboxed job that
 *    reports N items done one by one through its progress (every item, where a stage job reports
 *    at most twice a second: an upper bound), and the coordinator (QueueExecutor) receiving each;
 *    (time for N items - time for 0) / N. The local executor's own overhead per item is
 *    dag-bench's line.
 * 2. the wall time of a mini benchmark (four identities, two pairs, both directions) run
 *    locally, on 1 worker and on 2 workers (each worker both classes, one job at a time).
 * Not a test: it prints numbers and judges only against the stated goal.
 *
 *   npx tsx test/bench/queue-bench.ts [--items 1000] [--skip-benchmark]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { ResolvedStage } from '../../src/dag/pipeline-schema.ts';
import { QUEUE_NAMES, QueueExecutor } from '../../src/queue/queue-executor.ts';
import { startRedis, stopRedis } from '../../src/queue/redis-server.ts';
import { makeSampleClip } from '../../src/samples/make-sample.ts';
import { freePort } from '../helpers/free-port.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ITEMS = arg('items', 1000);
const dir = mkdtempSync(join(tmpdir(), 'janus-bench-queue-'));
const port = await freePort();
const server = { dir: join(dir, 'redis'), port };
const url = (await startRedis(server)).url;

/** One job on the cpu queue whose sandboxed processor reports `n` items done one by one; seconds from enqueue to result. */
async function itemsJob(q: QueueExecutor, n: number, run: number): Promise<number> {
  let seen = 0;
  const t0 = performance.now();
  const stage = { name: `bench-${n}`, kind: 'bench', resource: 'cpu', params: {}, inputs: {}, outputs: {}, persist: [] } as unknown as ResolvedStage;
  await q.run({ stage, fingerprint: `${n}`, done: [], resume: false, itemJobs: false, attempt: `${run}-${Date.now()}` }, (p) => (seen = p.done.length), new AbortController().signal);
  const s = (performance.now() - t0) / 1000;
  if (seen !== n) throw new Error(`the coordinator saw ${seen} of ${n} items`);
  return s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  // 1. per-item overhead: a sandboxed processor like the real one (a child process, progress through IPC)
  const processor = join(dir, 'items-processor.mjs');
  writeFileSync(
    processor,
    `export default async function (job) {
  const n = Number(job.data.stage.slice('bench-'.length));
  const name = (i) => String(i).padStart(6, '0');
  for (let i = 0; i < n; i++) await job.updateProgress({ total: n, done: { items: [], runs: [[name(0), name(i)]] } });
  return { did: null };
}
`,
  );
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const worker = new Worker(QUEUE_NAMES.cpu, processor, { connection, useWorkerThreads: false });
  const q = await QueueExecutor.open(url, { workdir: dir, pipeline: { file: join(dir, 'none.yaml'), sets: [] } as never, cwd: dir, meta: {} });
  try {
    await itemsJob(q, 0, -1); // the child process started once
    const zero: number[] = [];
    const many: number[] = [];
    for (let run = 0; run < 3; run++) {
      zero.push(await itemsJob(q, 0, run));
      many.push(await itemsJob(q, ITEMS, run));
    }
    const perItemMs = ((median(many) - median(zero)) / ITEMS) * 1000;
    console.log(`queue executor: a job of 0 items ${(median(zero) * 1000).toFixed(0)} ms from enqueue to result; ${ITEMS} items reported one by one ${median(many).toFixed(2)} s: ${perItemMs.toFixed(2)} ms per item (goal < 5 ms) ${perItemMs < 5 ? 'OK' : 'OVER'}`);
    console.log(JSON.stringify({ bench: 'queue-per-item', items: ITEMS, jobMs: +(median(zero) * 1000).toFixed(1), perItemMs: +perItemMs.toFixed(3) }));
  } finally {
    await q.close();
    await worker.close();
    connection.disconnect();
  }

  // 2. a mini benchmark: locally, on 1 worker, on 2 workers
  if (!process.argv.includes('--skip-benchmark')) {
    const rows = ['video,identity'];
    for (const [n, who] of [['a', 'anna'], ['b', 'beth'], ['c', 'cara'], ['d', 'dana']] as const) {
      await makeSampleClip(n, join(dir, `${n}.mp4`), { seconds: 0.4, size: 256 });
      rows.push(`${join(dir, `${n}.mp4`)},${who}`);
    }
    writeFileSync(join(dir, 'bench.csv'), `${rows.join('\n')}\n`);
    const args = (out: string) => ['benchmark', join(dir, 'bench.csv'), '--out', out, '--preset', 'tiny', '--iterations', '20', '--size', '128', '--detector', 'tiny', '--splits', '0.5,0,0.5', '--seed', '3', '--max-target-distance', '2', '--min-identity-share', '0'];
    const janus = (a: string[]) => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [join(ROOT, 'src/cli/bin.js'), ...a], { cwd: ROOT, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`janus ${a.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
      return (performance.now() - t0) / 1000;
    };
    const walls: Record<string, number> = { local: janus(args(join(dir, 'local'))) };
    for (const n of [1, 2]) {
      const workers: ChildProcess[] = [];
      for (let i = 0; i < n; i++) {
        const fd = openSync(join(dir, `worker-${n}-${i}.log`), 'w');
        workers.push(spawn(process.execPath, [join(ROOT, 'src/cli/bin.js'), 'worker', '--queue', url], { cwd: ROOT, stdio: ['ignore', fd, fd], detached: true }));
        closeSync(fd);
      }
      try {
        walls[`${n} worker${n > 1 ? 's' : ''}`] = janus([...args(join(dir, `queued-${n}`)), '--queue', url]);
      } finally {
        // stopped (SIGTERM: after their running jobs, none now) before Redis is
        await Promise.all(workers.map((w) => new Promise((resolve) => (w.exitCode !== null ? resolve(null) : (w.on('exit', resolve), process.kill(-w.pid!, 'SIGTERM'))))));
      }
    }
    console.log(`mini benchmark (4 identities, 2 pairs, both directions, tiny, 20 iterations): ${Object.entries(walls).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')} (this machine: ${spawnSync('nproc').stdout?.toString().trim()} cores)`);
    console.log(JSON.stringify({ bench: 'queue-mini-benchmark', wallSeconds: Object.fromEntries(Object.entries(walls).map(([k, v]) => [k, +v.toFixed(1)])) }));
  }
} finally {
  await stopRedis(server);
  rmSync(dir, { recursive: true, force: true });
}
