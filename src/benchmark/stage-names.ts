/**
 * The names of a benchmark's stages, in one place: the plan builds its pipeline with them (a
 * template's name is the same function applied to `${item…}`), and the assembly looks the
 * outcomes up by them.
 *
 *   stageName.swap('v1__bob')                 // 'swap-v1__bob'
 *   stageName.swap('${item.id}')              // 'swap-${item.id}' (a template stage's name)
 *   stageRef(stageName.swap('${item.id}'), 'faces')   // '@swap-${item.id}.faces'
 *   stagesOfFake(fake, { trained: true })     // every stage a fake needs, extraction to its ladder
 */

export const stageName = {
  /** Faces of one video. */
  extract: (video: string) => `extract-${video}`,
  /** The faces of one identity, gathered from its videos. */
  faces: (identity: string) => `faces-${identity}`,
  /** One model per identity pair (key a__b). */
  train: (model: string) => `train-${model}`,
  swap: (fake: string) => `swap-${fake}`,
  composite: (fake: string) => `composite-${fake}`,
  metrics: (fake: string) => `metrics-${fake}`,
  ladderFake: (fake: string) => `ladder-fake-${fake}`,
  ladderReal: (video: string) => `ladder-real-${video}`,
  /** A perturbed copy: real-<video> or fake-<fake> (plan/perturbations.json's ids). */
  perturb: (item: string) => `perturb-${item}`,
} as const;

/** A pipeline input naming another stage's output. */
export function stageRef(stage: string, output: string): string {
  return `@${stage}.${output}`;
}

/** What names a fake's stages (a planned fake has these and more). */
export interface FakeStageKeys {
  id: string;
  source: string;
  target: string;
  sourceVideo: string;
  model: string;
}

/** The stages that make a fake's own files (its model's training, when trained here): what `janus verify DIR --stage …` recomputes for it. */
export function fakeStages(f: FakeStageKeys, trained: boolean): string[] {
  return [...(trained ? [stageName.train(f.model)] : []), stageName.swap(f.id), stageName.composite(f.id), stageName.ladderFake(f.id)];
}

/** Every stage a fake needs, upstream first; `trained: false` when the models come from `weights`. */
export function stagesOfFake(f: FakeStageKeys, opts: { trained: boolean }): string[] {
  return [
    stageName.extract(f.sourceVideo),
    stageName.faces(f.source),
    stageName.faces(f.target),
    ...(opts.trained ? [stageName.train(f.model)] : []),
    stageName.swap(f.id),
    stageName.composite(f.id),
    stageName.metrics(f.id),
    stageName.ladderFake(f.id),
    stageName.ladderReal(f.sourceVideo),
  ];
}
