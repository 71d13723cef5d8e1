/**
 * The benchmark's baseline detectors, FaceForensics++'s baseline table: faces re-cut from every
 * video with its source alignments (for fakes only the swapped frames) at each compression level
 * and from each perturbed copy, and two detectors trained on the train split of each level:
 * a logistic regression on encoder latents (the encoder of a train-split pair's model, or
 * --model) and a small CNN on the crops (cnn-detector.ts). AUC and accuracy on the test split
 * per detector and level, and on the test split's perturbed copies per perturbation type (mixtures
 * as `mixed`) with the detectors of `level` (the copies are encoded as c23). The top-level
 * train/val/test scores are the logistic regression's at `level`. Written to
 * `<dataset>/baseline.json`, and the table into the dataset card between its baseline marks.
 *
 *   const r = await detectBaseline('runs/bench', { level: 'c23', facesPerVideo: 8 });
 *   r.test.auc; r.table.find((row) => row.detector === 'cnn' && row.data === 'c40')?.auc
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DetectBaselineConfig, LEVELS, type SplitName } from '../config/benchmark.ts';
import { parseConfig } from '../config/parse.ts';
import { readAlignments } from '../face/alignments-file.ts';
import { recropFaces } from '../face/recrop.ts';

import type { RgbImage } from '../util/geometry.ts';
import { trainCnnDetector } from './cnn-detector.ts';
import { BASELINE_SCHEMA, writeBaseline, writeCardTable, type BaselineResult, type SplitScore, type TableRow } from './baseline-file.ts';

import type { MetadataEntry } from './metadata.ts';
import { checkpointCoverage, loadTrainedModel, type TrainedModel } from '../model/checkpoint.ts';
import { latentEncoder } from '../model/latents.ts';
import { UserError } from '../util/errors.ts';
import { accuracy, rocAuc, trainLogistic } from './classifier.ts';
import { paths, planFile } from './layout.ts';
import { metadataPath, readMetadata } from './metadata.ts';
import { sha256File } from '../util/hash.ts';
import { readPlanModels, readPlanRecord } from './plan-files.ts';
import { readCompositeRecord } from '../swap/composite-record.ts';
import { spread } from '../swap/kept-faces.ts';

/** Level, faces per video and feature model; absent ones take DetectBaselineConfig's defaults. */
export type BaselineOptions = z.input<typeof DetectBaselineConfig>;

/**
 * The encoder the features come from: --model, else the first model of a train-split pair
 * (trained on train identities only) that has a usable checkpoint.
 */
async function featureModel(dir: string, given?: string): Promise<{ modelDir: string; m: TrainedModel }> {
  if (given) return { modelDir: given, m: await loadTrainedModel(given) };
  if (!existsSync(planFile(dir, 'models'))) throw new UserError(`${dir} has no plan/models.json`, 'pass --model DIR (a trained model folder)');
  const weights = existsSync(planFile(dir, 'plan')) ? readPlanRecord(dir).config.weights : undefined;
  const root = weights ?? join(dir, paths.models);
  const models = readPlanModels(dir).sort((a, b) => Number(b.split === 'train') - Number(a.split === 'train'));
  const problems: string[] = [];
  for (const model of models) {
    try {
      return { modelDir: join(root, model.key), m: await loadTrainedModel(join(root, model.key)) };
    } catch (err) {
      problems.push(`${model.key}: ${(err as Error).message}`);
    }
  }
  throw new UserError(`no usable model in ${root} (${problems.join('; ') || 'none planned'})`, 'pass --model DIR (a trained model folder)');
}

/** Faces of one kind of data: crops (for the CNN), latents (for the regression), labels, splits, and the perturbation group of each. */
interface Faces {
  crops: RgbImage[];
  latents: Float32Array[];
  y: number[];
  split: SplitName[];
  group: string[];
}

/** Where a video's faces are cut: its source's alignments and the frames (kept faces; fakes: swapped ones), spread. */
interface Cut {
  doc: ReturnType<typeof readAlignments>;
  pick: Set<number>;
}

/** Each file's cut, read once (every level and perturbed copy of a video is cut alike). */
function cutsOf(dir: string, metadata: Record<string, MetadataEntry>, per: number): Map<string, Cut> {
  const cuts = new Map<string, Cut>();
  for (const [file, e] of Object.entries(metadata)) {
    const id = file.replace(/\.mp4$/, '');
    const source = e.label === 'REAL' ? id : e.original!.replace(/\.mp4$/, '');
    const doc = readAlignments(join(dir, paths.alignments(source)));
    let frames = doc.frames.filter((f) => f.faces.some((x) => x.kept)).map((f) => f.index);
    if (e.label === 'FAKE') {
      const swapped = new Set(readCompositeRecord(join(dir, paths.compositeStats(id))).swappedFrames);
      frames = frames.filter((f) => swapped.has(f));
    }
    cuts.set(file, { doc, pick: new Set(spread(frames, per)) });
  }
  return cuts;
}

/** A perturbed copy's group: its one type, or `mixed`. */
const perturbGroup = (p: NonNullable<MetadataEntry['perturbed']>) => (p.perturbations.length === 1 ? p.perturbations[0]!.split(':')[0]! : 'mixed');

async function facesOf(dir: string, metadata: Record<string, MetadataEntry>, cuts: Map<string, Cut>, fileOf: (e: MetadataEntry) => string | null, encode: (crops: RgbImage[]) => Promise<Float32Array[]>): Promise<Faces> {
  const out: Faces = { crops: [], latents: [], y: [], split: [], group: [] };
  for (const [file, e] of Object.entries(metadata)) {
    const video = fileOf(e);
    if (!video) continue;
    const { doc, pick } = cuts.get(file)!;
    const crops: RgbImage[] = [];
    for await (const c of recropFaces(join(dir, video), doc, { frames: pick })) crops.push(c.image);
    out.latents.push(...(await encode(crops)));
    for (const c of crops) {
      out.crops.push(c);
      out.y.push(e.label === 'FAKE' ? 1 : 0);
      out.split.push(e.split);
      out.group.push(e.perturbed ? perturbGroup(e.perturbed) : '');
    }
  }
  return out;
}

function scoreOf(scores: number[] | null, y: number[]): SplitScore {
  return { faces: y.length, real: y.filter((v) => v === 0).length, fake: y.filter((v) => v === 1).length, auc: scores ? rocAuc(scores, y) : null, accuracy: scores ? accuracy(scores, y) : null };
}

const hasBoth = (y: number[]) => y.includes(0) && y.includes(1);
const pick = <T>(xs: T[], keep: boolean[]) => xs.filter((_, i) => keep[i]);

/** The two detectors trained on one level's train split; null where the split lacks a class (or the CNN is off). */
interface Trained {
  latents: ((x: Float32Array[]) => number[]) | null;
  cnn: { score(crops: readonly RgbImage[]): Promise<number[]>; dispose(): void; describe: string } | null;
}

async function train(f: Faces, opts: { cnn: boolean; epochs: number; seed: number }): Promise<Trained> {
  const inTrain = f.split.map((s) => s === 'train');
  const y = pick(f.y, inTrain);
  if (!hasBoth(y)) return { latents: null, cnn: null };
  const clf = trainLogistic(pick(f.latents, inTrain), y);
  const cnn = opts.cnn ? await trainCnnDetector(pick(f.crops, inTrain), y, { seed: opts.seed, epochs: opts.epochs }) : null;
  return { latents: (x) => x.map((v) => clf.score(v)), cnn };
}

async function rows(t: Trained, f: Faces, keep: boolean[], data: string, trainedOn: (typeof LEVELS)[number]): Promise<TableRow[]> {
  const y = pick(f.y, keep);
  const out: TableRow[] = [{ detector: 'latents', data, trainedOn, ...scoreOf(t.latents ? t.latents(pick(f.latents, keep)) : null, y) }];
  if (t.cnn) out.push({ detector: 'cnn', data, trainedOn, ...scoreOf(y.length ? await t.cnn.score(pick(f.crops, keep)) : [], y) });
  return out;
}

export async function detectBaseline(dir: string, opts: BaselineOptions = {}): Promise<BaselineResult> {
  const metadata = readMetadata(dir);
  const c = parseConfig(DetectBaselineConfig, opts, 'detect-baseline options');
  const { modelDir, m } = await featureModel(dir, c.model);
  const enc = latentEncoder(m.ae, checkpointCoverage(m.state));
  const table: TableRow[] = [];
  let main: { f: Faces; t: Trained } | null = null;
  const trained: Trained[] = [];
  try {
    const encode = (crops: RgbImage[]) => enc.encode(crops);
    const cuts = cutsOf(dir, metadata, c.facesPerVideo);
    // the detectors' level last: its detectors also score the perturbed copies
    for (const level of [...LEVELS.filter((l) => l !== c.level), c.level]) {
      const f = await facesOf(dir, metadata, cuts, (e) => e.files[level], encode);
      const t = await train(f, { cnn: c.cnn, epochs: c.cnnEpochs, seed: c.seed });
      trained.push(t);
      table.push(...(await rows(t, f, f.split.map((s) => s === 'test'), level, level)));
      if (level === c.level) main = { f, t };
    }
    const perturbed = await facesOf(dir, metadata, cuts, (e) => e.perturbed?.file ?? null, encode);
    const groups = [...new Set(perturbed.group.filter((g, i) => perturbed.split[i] === 'test'))].sort();
    for (const g of groups) table.push(...(await rows(main!.t, perturbed, perturbed.group.map((x, i) => x === g && perturbed.split[i] === 'test'), g, c.level)));
  } finally {
    for (const t of trained) t.cnn?.dispose();
    enc.dispose();
    m.ae.dispose();
  }
  const order = (x: TableRow) => (LEVELS.includes(x.data as never) ? LEVELS.indexOf(x.data as never) : LEVELS.length);
  table.sort((x, y) => order(x) - order(y)); // levels in ladder order, then the perturbation types (already sorted)
  const { f, t } = main!;
  const split = (s: SplitName) => {
    const keep = f.split.map((x) => x === s);
    return scoreOf(t.latents ? t.latents(pick(f.latents, keep)) : null, pick(f.y, keep));
  };
  let note: string | null = t.latents ? null : 'the train split lacks real or fake faces: no classifier trained';
  if (!note && !hasBoth(pick(f.y, f.split.map((s) => s === 'test')))) note = 'the test split lacks real or fake faces: no AUC';
  const result: BaselineResult = {
    schema: BASELINE_SCHEMA,
    detector: 'logistic regression on encoder latents (enc_latent), per face',
    features: { model: modelDir, fingerprint: m.fingerprint, dims: enc.dims, level: c.level, facesPerVideo: c.facesPerVideo },
    train: split('train'),
    val: split('val'),
    test: split('test'),
    cnn: c.cnn ? { describe: t.cnn?.describe ?? 'not trained (the train split lacks real or fake faces)', epochs: c.cnnEpochs, seed: c.seed } : null,
    table,
    note,
    metadataSha256: sha256File(metadataPath(dir)),
  };
  await writeBaseline(dir, result);
  await writeCardTable(dir, result);
  return result;
}

