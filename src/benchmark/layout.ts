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
 *   datasetLayouts.ffpp.video('fake', 'c0', '000_001')   // 'manipulated_sequences/Deepfakes/raw/videos/000_001.mp4'
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
  /** A video's perturbed copy (DeeperForensics-1.0's degradations, from its c0 rung). */
  perturbedVideo: (kind: string, id: string) => `${WORK}/perturbed/${kind}/${id}.mp4`,
};

/** The files of `<out>/plan/` (what the template stages fan out over, and what readers look up). */
export type PlanFileName = 'videos' | 'models' | 'fakes' | 'perturbations' | 'plan';
export const planDir = (out: string) => join(out, 'plan');
export const planFile = (out: string, name: PlanFileName) => join(planDir(out), `${name}.json`);

/** The dataset's files, relative to the out folder (as metadata.json names them), in Janus's layout. */
export const datasetFiles = {
  metadata: 'metadata.json',
  video: (kind: 'real' | 'fake', level: string, id: string) => `${kind}/${level}/${id}.mp4`,
  mask: (id: string) => `masks/${id}.mp4`,
  provenance: (id: string) => `fake/provenance/${id}.provenance.json`,
  perturbed: (kind: 'real' | 'fake', id: string) => `${kind}/perturbed/${id}.mp4`,
  /** A split's pairs as FaceForensics++ lists them: `[[target, source], …]` (identities; in the ffpp layout, video numbers). */
  pairList: (split: string) => `${split}.json`,
  /** DeeperForensics' meta file: `<file> TYPE:LEVEL …` per perturbed video. */
  perturbations: 'perturbations.txt',
  /** The ffpp layout's names back to Janus's (videos NNN, fakes TTT_SSS). */
  ffppMapping: 'ffpp-mapping.json',
};

/** FaceForensics++'s method folder: Janus's method is theirs (a shared encoder, a decoder per identity). */
export const FFPP_METHOD = 'Deepfakes';
const FFPP_LEVEL: Record<string, string> = { c0: 'raw', c23: 'c23', c40: 'c40' };
const ffppFake = `manipulated_sequences/${FFPP_METHOD}`;

/**
 * Where a layout puts each dataset file, by the file's name in that layout (Janus: its id;
 * ffpp: `NNN` for a real video, `TTT_SSS` for a fake), and the folders it owns (each built aside
 * and renamed whole; every file of the layout lies in one of them).
 */
export interface DatasetLayout {
  folders: readonly string[];
  video(kind: 'real' | 'fake', level: string, name: string): string;
  mask(name: string): string;
  provenance(name: string): string;
  perturbed(kind: 'real' | 'fake', name: string): string;
}

export const datasetLayouts: Record<'janus' | 'ffpp', DatasetLayout> = {
  janus: { folders: ['real', 'fake', 'masks'], video: datasetFiles.video, mask: datasetFiles.mask, provenance: datasetFiles.provenance, perturbed: datasetFiles.perturbed },
  ffpp: {
    // FaceForensics++'s own folders for these videos: other methods' and sources' folders beside them (Face2Face/, actors/) stay
    folders: ['original_sequences/youtube', `manipulated_sequences/${FFPP_METHOD}`],
    video: (kind, level, name) => (kind === 'real' ? `original_sequences/youtube/${FFPP_LEVEL[level]}/videos/${name}.mp4` : `${ffppFake}/${FFPP_LEVEL[level]}/videos/${name}.mp4`),
    mask: (name) => `${ffppFake}/masks/videos/${name}.mp4`,
    provenance: (name) => `${ffppFake}/provenance/${name}.provenance.json`,
    perturbed: (kind, name) => (kind === 'real' ? `original_sequences/youtube/perturbed/videos/${name}.mp4` : `${ffppFake}/perturbed/videos/${name}.mp4`),
  },
};
