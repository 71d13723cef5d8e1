/**
 * `janus benchmark MANIFEST --out DIR`: a labelled synthetic face-swap dataset for detection
 * teams, from a manifest of videos and who each shows. Identity-disjoint splits; one model per
 * identity pair; every source video of a pair swapped (both directions by default); the
 * compression ladder for real and fake alike; masks, metadata.json, frames.csv and a dataset
 * card (see src/benchmark/assemble.ts). A resumable DAG in DIR: kill it and run it again, it
 * redoes nothing that is finished; a failing pair is recorded and the others go on.
 *
 *   npx janus benchmark bench.yaml --out runs/bench --preset tiny --iterations 500
 *   npx janus benchmark bench.csv --out runs/bench --pairs 20 --seed 7 --splits 0.8,0.1,0.1
 */
import { dirname, resolve } from 'node:path';
import { assembleDataset } from '../benchmark/assemble.ts';
import { readBenchmarkManifest } from '../benchmark/manifest.ts';
import { benchmarkStages, makePlan, writePlan } from '../benchmark/plan.ts';
import { BenchmarkConfig } from '../config/benchmark.ts';
import { parseConfig } from '../config/parse.ts';
import { resolveBackendChoice } from '../engine/backend.ts';
import { UserError } from '../util/errors.ts';
import { runCommandPipeline } from './command-pipeline.ts';
import { optionNumber as num, type CommandSpec } from './command.ts';

function splitsOption(v: unknown): unknown {
  if (v === undefined) return undefined;
  const parts = String(v).split(',').map(Number);
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x))) throw new UserError(`expected --splits to be three numbers train,val,test (e.g. 0.7,0.15,0.15), got "${v}"`);
  return { train: parts[0], val: parts[1], test: parts[2] };
}

export const benchmarkCommand: CommandSpec = {
  name: 'benchmark',
  args: ['<manifest>'],
  summary: 'a labelled synthetic benchmark (real/, fake/, masks/, c0/c23/c40, metadata.json, frames.csv, splits) from a manifest of videos and identities (resumable)',
  options: ['benchmarkOut', 'benchSeed', 'pairs', 'directions', 'benchPreset', 'benchIterations', 'benchMinutes', 'splits', 'weights', 'benchSize', 'benchDetector', 'minSwappedShare', 'noIdentityGate', 'maxTargetDistance', 'minIdentityShare', 'backend'],
  async run([file], opts) {
    if (!opts.out) throw new UserError('janus benchmark needs --out DIR', 'e.g. janus benchmark bench.yaml --out runs/bench');
    const manifest = readBenchmarkManifest(file!);
    const fromCli: Record<string, unknown> = {
      seed: num(opts.seed),
      pairs: opts.pairs === undefined ? undefined : opts.pairs === 'all' ? 'all' : num(opts.pairs),
      directions: opts.directions,
      preset: opts.preset,
      iterations: num(opts.iterations),
      minutes: num(opts.minutes),
      splits: splitsOption(opts.splits),
      weights: opts.weights,
      size: num(opts.size),
      detector: opts.detector,
      minSwappedShare: num(opts.minSwappedShare),
      identityGate: opts.identityGate === false ? false : undefined,
      maxTargetDistance: num(opts.maxTargetDistance),
      minIdentityShare: num(opts.minIdentityShare),
    };
    // the manifest's settings (its paths relative to the manifest), then what the command line says
    const fromManifest = { ...manifest.settings };
    if (typeof fromManifest.weights === 'string') fromManifest.weights = resolve(dirname(manifest.file), fromManifest.weights);
    const merged = { ...fromManifest, ...Object.fromEntries(Object.entries(fromCli).filter(([, v]) => v !== undefined)) };
    const config = parseConfig(BenchmarkConfig, merged, `benchmark settings (${file} and the options)`);
    const out = resolve(opts.out as string);
    const plan = makePlan(manifest, config);
    if (!plan.fakes.length) {
      throw new UserError(
        `the plan makes no fakes: every split needs two identities for a pair (splits: ${JSON.stringify(plan.splits)})`,
        'add identities to the manifest, or give fewer splits a share (e.g. --splits 0.5,0,0.5)',
      );
    }
    await writePlan(plan, out);
    process.stdout.write(`benchmark: ${manifest.videos.length} videos, ${manifest.identities.length} identities; splits train ${plan.splits.train.length} / val ${plan.splits.val.length} / test ${plan.splits.test.length}; ${plan.models.length} models, ${plan.fakes.length} fakes\n`);
    const backend = resolveBackendChoice(opts.backend as string | undefined);
    const r = await runCommandPipeline({ workdir: out, name: 'benchmark', command: `janus benchmark ${file}`, backend, stages: benchmarkStages(plan, out), keepGoing: true });
    if (r.interrupted) return 130;
    const s = await assembleDataset(plan, out, r.outcomes);
    process.stdout.write(`dataset (${out}): ${s.real} real, ${s.fake} fake videos; ${s.dropped.length} dropped or failed${s.dropped.length ? ' (dropped.json)' : ''}\n`);
    for (const d of s.dropped) process.stdout.write(`  ${d.fake}: ${d.stage}: ${d.reason}\n`);
    return s.fake > 0 ? 0 : 1;
  },
};
