/**
 * A benchmark's plan: the manifest's videos, the identity-disjoint splits, the models (one
 * per unordered identity pair that some fake needs) and the fakes (every source video of a
 * pair's source identity, with the target's face), and the DAG that makes them: extraction per
 * video, faces gathered per identity, training per model, then swap, composite, metrics and
 * the compression ladder per fake, and the ladder per real video. Pairs, models and fakes fan
 * out as template stages over the plan's JSON files.
 *
 *   const plan = makePlan(readBenchmarkManifest('bench.yaml'), BenchmarkConfig.parse({}));
 *   await writePlan(plan, 'out/bench');            // out/bench/plan/*.json
 *   benchmarkStages(plan, 'out/bench')             // the pipeline's stages
 */
import { isAbsolute, resolve } from 'node:path';
import { LEVELS, SPLITS, type BenchmarkConfig, type SplitName } from '../config/benchmark.ts';
import type { Direction } from '../config/swap.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import type { BenchmarkManifest, ManifestVideo } from './manifest.ts';
import { choosePairs, deriveSeed, type Pair } from './pairs.ts';
import { stageName, stageRef } from './stage-names.ts';
import { paths, planFile, type PlanFileName } from './layout.ts';
import { PlanModels, PlanRecord, type PlannedModel } from './plan-files.ts';
import { assignSplits, type Splits } from './splits.ts';
import { chooseShare, partialSpans, perturbationDraw } from './draws.ts';
import type { Perturbation } from '../config/perturbation.ts';
import { UserError } from '../util/errors.ts';

/** FaceForensics++ names videos 000-999 (loaders take a name's first three characters). */
export const FFPP_MAX_VIDEOS = 1000;

export type { PlannedModel };

export interface PlannedFake {
  /** <source video id>__<target identity>: the fake's file name without extension. */
  id: string;
  split: SplitName;
  source: string;
  target: string;
  sourceVideo: string;
  sourcePath: string;
  /** A video of the target identity, for the identity metrics. */
  targetVideo: string;
  model: string;
  direction: Direction;
  /** A temporally partial fake: its swapped spans as fractions [from, to] of the video; null: every frame. */
  partial: Array<[number, number]> | null;
}

/** One perturbed copy (DeeperForensics-1.0): a real video or a fake, from its c0 rung. */
export interface PlannedPerturbation {
  /** real-<video id> or fake-<fake id>: the stage's item name. */
  id: string;
  kind: 'real' | 'fake';
  /** The video or fake id (its file name without extension). */
  file: string;
  /** The stage whose c0 output is perturbed (its compression ladder). */
  ladder: string;
  /** The real video whose draw this is (a fake shares its original's). */
  original: string;
  perturbations: Perturbation[];
  /** Seed of the random parts (noise, blocks): the original's, so a real video and its fakes get the same. */
  seed: number;
}

export interface BenchmarkPlan {
  manifest: BenchmarkManifest;
  config: BenchmarkConfig;
  splits: Splits;
  pairs: Pair[];
  videos: Array<ManifestVideo & { split: SplitName }>;
  models: PlannedModel[];
  fakes: PlannedFake[];
  perturbations: PlannedPerturbation[];
}

export function makePlan(manifest: BenchmarkManifest, config: BenchmarkConfig): BenchmarkPlan {
  const splits = assignSplits(manifest.identities, config.splits, config.seed);
  const splitByIdentity = new Map(SPLITS.flatMap((s) => splits[s].map((id) => [id, s] as const)));
  const splitOf = (id: string) => splitByIdentity.get(id)!;
  const pairs = choosePairs(splits, config.pairs, config.directions, config.seed);
  // each identity's videos, looked up once (a plan of hundreds of identities has tens of thousands of pairs)
  const byIdentity = new Map<string, ManifestVideo[]>();
  for (const v of manifest.videos) byIdentity.set(v.identity, [...(byIdentity.get(v.identity) ?? []), v]);
  const videosOf = (identity: string) => byIdentity.get(identity) ?? [];
  const models = new Map<string, PlannedModel>();
  const fakes: PlannedFake[] = [];
  for (const p of pairs) {
    const [a, b] = [p.source, p.target].sort() as [string, string];
    const key = `${a}__${b}`;
    if (!models.has(key)) models.set(key, { key, a, b, split: p.split, seed: deriveSeed(config.seed, `model:${key}`) });
    for (const v of videosOf(p.source)) {
      fakes.push({ id: `${v.id}__${p.target}`, split: p.split, source: p.source, target: p.target, sourceVideo: v.id, sourcePath: v.video, targetVideo: videosOf(p.target)[0]!.id, model: key, direction: p.source === a ? 'a-to-b' : 'b-to-a', partial: null });
    }
  }
  const partial = chooseShare(fakes.map((f) => f.id), config.partialShare, config.seed, 'partial');
  for (const f of fakes) if (partial.has(f.id)) f.partial = partialSpans(deriveSeed(config.seed, `spans:${f.id}`), config.partialSpans);
  return { manifest, config, splits, pairs, videos: manifest.videos.map((v) => ({ ...v, split: splitOf(v.identity) })), models: [...models.values()], fakes, perturbations: planPerturbations(manifest, config, fakes) };
}

/** The perturbed copies: perturbShare of the real videos, each with every fake made from it, one draw per real video. */
function planPerturbations(manifest: BenchmarkManifest, config: BenchmarkConfig, fakes: readonly PlannedFake[]): PlannedPerturbation[] {
  const chosen = chooseShare(manifest.videos.map((v) => v.id), config.perturbShare, config.seed, 'perturb');
  if (!chosen.size) return [];
  const fakesOf = new Map<string, PlannedFake[]>();
  for (const f of fakes) fakesOf.set(f.sourceVideo, [...(fakesOf.get(f.sourceVideo) ?? []), f]);
  const out: PlannedPerturbation[] = [];
  for (const v of manifest.videos) {
    if (!chosen.has(v.id)) continue;
    const seed = deriveSeed(config.seed, `perturb:${v.id}`);
    const perturbations = perturbationDraw(seed, config);
    out.push({ id: `real-${v.id}`, kind: 'real', file: v.id, ladder: stageName.ladderReal(v.id), original: v.id, perturbations, seed });
    for (const f of fakesOf.get(v.id) ?? []) out.push({ id: `fake-${f.id}`, kind: 'fake', file: f.id, ladder: stageName.ladderFake(f.id), original: v.id, perturbations, seed });
  }
  return out;
}

/** Settings that cannot work together, or with this manifest: a UserError naming the fix. */
export function checkPlan(plan: BenchmarkPlan): void {
  const c = plan.config;
  if (c.layout !== 'ffpp') return;
  if (c.directions !== 'both') throw new UserError("--layout ffpp needs --directions both: FaceForensics++'s pair lists name both fakes of a pair (a_b and b_a)", 'drop --directions one, or use --layout janus');
  if (plan.videos.length > FFPP_MAX_VIDEOS) throw new UserError(`--layout ffpp names videos 000-999, and the manifest ${plan.manifest.file} has ${plan.videos.length} videos`, 'split the manifest into datasets of at most 1000 videos, or use --layout janus');
}

/** The pipeline (stage specs) of a plan; template stages read `plan/*.json` in the run folder. */
export function benchmarkStages(plan: BenchmarkPlan, out: string): unknown[] {
  const c = plan.config;
  const foreach = (name: PlanFileName) => ({ file: planFile(resolve(out), name) });
  const weights = c.weights ? (isAbsolute(c.weights) ? c.weights : resolve(c.weights)) : null;
  const stages: unknown[] = [
    {
      name: stageName.extract('${item.id}'),
      foreach: foreach('videos'),
      kind: 'extract',
      resource: 'gpu',
      params: { size: c.size, detector: c.detector },
      inputs: { video: '${item.video}' },
      outputs: { detections: `${paths.extract('${item.id}')}/detections`, faces: `${paths.extract('${item.id}')}/faces`, masks: `${paths.extract('${item.id}')}/masks`, alignments: paths.alignments('${item.id}') },
    },
    ...plan.manifest.identities.map((identity) => ({
      name: stageName.faces(identity),
      kind: 'gather-faces',
      inputs: Object.fromEntries(plan.manifest.videos.filter((v) => v.identity === identity).map((v) => [v.id, stageRef(stageName.extract(v.id), 'faces')])),
      outputs: { faces: `${paths.identity(identity)}/faces`, masks: `${paths.identity(identity)}/masks` },
    })),
  ];
  if (!weights) {
    stages.push({
      name: stageName.train('${item.key}'),
      foreach: foreach('models'),
      kind: 'train',
      resource: 'gpu',
      params: { preset: c.preset, iterations: c.iterations, ...(c.minutes ? { minutes: c.minutes } : {}), seed: '${item.seed}' },
      inputs: { a: stageRef(stageName.faces('${item.a}'), 'faces'), b: stageRef(stageName.faces('${item.b}'), 'faces') },
      outputs: { model: paths.model('${item.key}') },
      persist: ['model'],
    });
  }
  const model = weights ? `${weights}/\${item.model}` : stageRef(stageName.train('${item.model}'), 'model');
  const sourceAlignments = stageRef(stageName.extract('${item.sourceVideo}'), 'alignments');
  const fake = (stage: (id: string) => string, output: string) => stageRef(stage('${item.id}'), output);
  stages.push(
    {
      name: stageName.swap('${item.id}'),
      foreach: foreach('fakes'),
      kind: 'swap',
      resource: 'gpu',
      params: { direction: '${item.direction}' },
      inputs: { alignments: sourceAlignments, model },
      outputs: { faces: `${paths.fake('${item.id}')}/swapped` },
    },
    {
      name: stageName.composite('${item.id}'),
      foreach: foreach('fakes'),
      kind: 'composite',
      params: { partial: '${item.partial}' },
      inputs: { video: '${item.sourcePath}', alignments: sourceAlignments, swapped: fake(stageName.swap, 'faces') },
      outputs: {
        segments: `${paths.fake('${item.id}')}/segments`,
        video: paths.fakeVideo('${item.id}'),
        mask: paths.fakeMask('${item.id}'),
        stats: paths.compositeStats('${item.id}'),
        provenance: paths.fakeProvenance('${item.id}'),
      },
    },
    {
      name: stageName.metrics('${item.id}'),
      foreach: foreach('fakes'),
      kind: 'swap-metrics',
      resource: 'gpu',
      params: { sample: 24 },
      inputs: {
        source: sourceAlignments,
        target: stageRef(stageName.extract('${item.targetVideo}'), 'alignments'),
        swapped: fake(stageName.swap, 'faces'),
        model,
        composite: fake(stageName.composite, 'stats'),
        video: '${item.sourcePath}',
        output: fake(stageName.composite, 'video'),
        mask: fake(stageName.composite, 'mask'),
      },
      outputs: { metrics: paths.metrics('${item.id}') },
    },
    {
      name: stageName.ladderFake('${item.id}'),
      foreach: foreach('fakes'),
      kind: 'compress-ladder',
      inputs: { video: fake(stageName.composite, 'video') },
      outputs: Object.fromEntries(LEVELS.map((l) => [l, paths.ladderVideo('fake', '${item.id}', l)])),
    },
    {
      name: stageName.ladderReal('${item.id}'),
      foreach: foreach('videos'),
      kind: 'compress-ladder',
      // a real person's video: its personal tags (GPS, device, creation time) go, the dataset's provenance comes
      params: { strip: true, tags: { comment: 'REAL video in a Janus deepfake-detection benchmark (personal metadata removed)', janus_dataset_label: 'REAL', janus_dataset_id: '${item.id}' } },
      inputs: { video: '${item.video}' },
      outputs: Object.fromEntries(LEVELS.map((l) => [l, paths.ladderVideo('real', '${item.id}', l)])),
    },
  );
  if (plan.perturbations.length) {
    stages.push({
      name: stageName.perturb('${item.id}'),
      foreach: foreach('perturbations'),
      kind: 'perturb',
      params: { perturbations: '${item.perturbations}', seed: '${item.seed}' },
      inputs: { video: stageRef('${item.ladder}', 'c0') },
      outputs: { video: paths.perturbedVideo('${item.kind}', '${item.file}') },
    });
  }
  return stages;
}

/** Write plan/*.json (what the template stages fan out over). */
export async function writePlan(plan: BenchmarkPlan, out: string): Promise<void> {
  await writeJsonAtomic(planFile(out, 'videos'), plan.videos);
  await writeJsonAtomic(planFile(out, 'models'), PlanModels.parse(plan.models));
  await writeJsonAtomic(planFile(out, 'fakes'), plan.fakes);
  await writeJsonAtomic(planFile(out, 'perturbations'), plan.perturbations);
  await writeJsonAtomic(planFile(out, 'plan'), PlanRecord.parse({ manifest: plan.manifest.file, config: plan.config, splits: plan.splits, pairs: plan.pairs }));
}
