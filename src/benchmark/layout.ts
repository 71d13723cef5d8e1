/**
 * Where a benchmark's files lie, named once: the work folder the DAG writes (per video,
 * identity, model and fake: the plan declares its stages' outputs with these), the plan files,
 * and the dataset files the assembly writes. The plan writes with these names and every reader
 * (the assembly, the baseline detector) reads with them. Work and dataset paths are relative to
 * the benchmark's out folder; the functions also take `${item.id}` to name a template stage's output.
 *
 *   paths.alignments('anna-01')          // 'work/extract/anna-01/alignments.json'
 *   paths.metrics('${item.id}')          // 'work/fakes/${item.id}/metrics.json'
 *   planFile('out/bench', 'models')      // 'out/bench/plan/models.json'
 *   datasetFiles.video('fake', 'c23', 'x')   // 'fake/c23/x.mp4'
 */
import { join } from 'node:path';

/** The work folder: everything the DAG makes before the assembly links the dataset together. */
export const WORK = 'work';

export const paths = {
  /** One video's extraction: detections/, faces/, masks/, alignments.json. */
  extract: (video: string) => `${WORK}/extract/${video}`,
  alignments: (video: string) => `${paths.extract(video)}/alignments.json`,
  /** The faces of one identity, gathered from its videos. */
  identity: (identity: string) => `${WORK}/identities/${identity}`,
  /** The trained models (one folder per identity pair). */
  models: `${WORK}/models`,
  model: (key: string) => `${paths.models}/${key}`,
  /** One fake's folder: swapped/, segments/, its video, mask, provenance, composite.json, metrics.json. */
  fake: (id: string) => `${WORK}/fakes/${id}`,
  fakeVideo: (id: string) => `${paths.fake(id)}/${id}.mp4`,
  fakeMask: (id: string) => `${paths.fake(id)}/${id}.mask.mp4`,
  fakeProvenance: (id: string) => `${paths.fake(id)}/${id}.provenance.json`,
  compositeStats: (id: string) => `${paths.fake(id)}/composite.json`,
  metrics: (id: string) => `${paths.fake(id)}/metrics.json`,
  /** A video's compression ladder: one file per level. */
  ladder: (kind: 'real' | 'fake', id: string) => `${WORK}/ladder/${kind}/${id}`,
  ladderVideo: (kind: 'real' | 'fake', id: string, level: string) => `${paths.ladder(kind, id)}/${level}.mp4`,
};

/** The files of `<out>/plan/` (what the template stages fan out over, and what readers look up). */
export type PlanFileName = 'videos' | 'models' | 'fakes' | 'plan';
export const planDir = (out: string) => join(out, 'plan');
export const planFile = (out: string, name: PlanFileName) => join(planDir(out), `${name}.json`);

/** The dataset's files, relative to the out folder (as metadata.json names them). */
export const datasetFiles = {
  metadata: 'metadata.json',
  video: (kind: 'real' | 'fake', level: string, id: string) => `${kind}/${level}/${id}.mp4`,
  mask: (id: string) => `masks/${id}.mp4`,
  provenance: (id: string) => `fake/provenance/${id}.provenance.json`,
  /** A split's identity pairs as FaceForensics++ lists them: `[[target, source], …]`. */
  pairList: (split: string) => `${split}.json`,
};
