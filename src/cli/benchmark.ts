/**
 * `janus benchmark MANIFEST --out DIR`: a labelled synthetic face-swap dataset for detection
 * teams, from a manifest of videos and who each shows. Identity-disjoint splits; one model per
 * identity pair; every source video of a pair swapped (both directions by default); the
 * compression ladder for real and fake alike; masks, metadata.json, frames.csv and a dataset
 * card (see src/benchmark/assemble.ts). A resumable DAG in DIR: kill it and run it again, it
 * redoes nothing that is finished; a failing pair is recorded and the others go on. One lock
 * (DIR/.janus/lock) covers DIR from the plan to the assembled dataset: a second benchmark on DIR is refused.
 *
 *   npx janus benchmark bench.yaml --out runs/bench --preset tiny --iterations 500
 *   npx janus benchmark bench.csv --out runs/bench --pairs 20 --seed 7 --splits 0.8,0.1,0.1
 */
import { dirname, resolve } from 'node:path';
import { assembleDataset } from '../benchmark/assemble.ts';
import { readBenchmarkManifest } from '../benchmark/manifest.ts';
import { benchmarkStages, checkPlan, makePlan, writePlan } from '../benchmark/plan.ts';
import { BenchmarkConfig } from '../config/benchmark.ts';
import { parseConfig } from '../config/parse.ts';
import { acquireRunLock, staleLockNote, type RunLock } from '../dag/lock.ts';
import { resolveBackendChoice } from '../engine/backend.ts';
import { queueUrlFrom } from '../queue/queue-url.ts';
import { checkRedis } from '../queue/redis-check.ts';
import { UserError } from '../util/errors.ts';
import { checkWorkFolder, runCommandPipeline } from './command-pipeline.ts';
import type { BenchmarkOpts } from './commands.ts';
import { faultPoint } from '../util/fault-point.ts';

export async function run([file]: string[], opts: BenchmarkOpts, given: ReadonlySet<string>): Promise<number> {
  const out = resolve(opts.out);
  checkWorkFolder(out, opts.force); // first: a folder of the user's is refused as it is
  // one lock over the whole --out, from before anything is read or written until the dataset is assembled
  const command = `janus benchmark ${file}`;
  const lock = acquireRunLock(out, command);
  const note = staleLockNote(lock);
  if (note) process.stderr.write(`${note}\n`);
  try {
    return await benchmarkLocked(file!, out, command, lock, opts, given);
  } finally {
    lock.release();
  }
}

async function benchmarkLocked(file: string, out: string, command: string, lock: RunLock, opts: BenchmarkOpts, given: ReadonlySet<string>): Promise<number> {
  const manifest = readBenchmarkManifest(file);
  // the manifest's settings (its paths relative to the manifest), then the settings given on the command line
  const fromManifest = { ...manifest.settings };
  if (typeof fromManifest.weights === 'string') fromManifest.weights = resolve(dirname(manifest.file), fromManifest.weights);
  const fromCli = Object.fromEntries(Object.entries(opts).filter(([k]) => given.has(k) && k in BenchmarkConfig.shape));
  const config = parseConfig(BenchmarkConfig, { ...fromManifest, ...fromCli }, `benchmark settings (${file} and the options)`);
  const plan = makePlan(manifest, config);
  checkPlan(plan);
  if (!plan.fakes.length) {
    throw new UserError(
      `the plan makes no fakes: every split needs two identities for a pair (splits: ${JSON.stringify(plan.splits)})`,
      'add identities to the manifest, or give fewer splits a share (e.g. --splits 0.5,0,0.5)',
    );
  }
  const backend = resolveBackendChoice(opts.backend);
  const queue = queueUrlFrom(opts.queue);
  if (queue) await checkRedis(queue); // before the plan: a server that will not do stops here
  await writePlan(plan, out);
  faultPoint('benchmark.planned');
  process.stdout.write(`benchmark: ${manifest.videos.length} videos, ${manifest.identities.length} identities; splits train ${plan.splits.train.length} / val ${plan.splits.val.length} / test ${plan.splits.test.length}; ${plan.models.length} models, ${plan.fakes.length} fakes${plan.fakes.some((f) => f.partial) ? ` (${plan.fakes.filter((f) => f.partial).length} partial)` : ''}${plan.perturbations.length ? `; ${plan.perturbations.length} perturbed copies` : ''}\n`);
  const r = await runCommandPipeline({ workdir: out, name: 'benchmark', command, backend, stages: benchmarkStages(plan, out), keepGoing: true, heldLock: lock, force: opts.force, ...(queue ? { queue } : {}) });
  if (r.interrupted) return 130;
  const s = await assembleDataset(plan, out, r.outcomes);
  process.stdout.write(`dataset (${out}): ${s.real} real, ${s.fake} fake videos; ${s.dropped.length} dropped or failed${s.dropped.length ? ' (dropped.json)' : ''}\n`);
  for (const d of s.dropped) process.stdout.write(`  ${d.fake}: ${d.stage}: ${d.reason}\n`);
  return s.fake > 0 ? 0 : 1;
}
