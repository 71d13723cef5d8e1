/**
 * What a training run reads: each identity's faces split into the training set and a held-out
 * stretch (the last `holdout` share of the files, which are named by frame: a separate part of
 * the video, for the quality probe), cut to the training coverage, with their masks when the
 * loss is weighted (the landmark template's mask for folders without masks/), and how the crops were aligned (from the alignments.json beside faces/,
 * when there is one).
 *
 *   const d = await loadTrainingData(cfg, 'runs/demo/extract-a/faces', 'runs/demo/extract-b/faces', 64);
 *   d.a.faces.length; d.heldOut.a   // file paths of A's held-out faces
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExtractConfig } from '../config/extract.ts';
import type { TrainConfig } from '../config/train.ts';
import { templateInCrop } from '../face/align.ts';
import { readAlignments } from '../face/alignments-file.ts';
import { extendedMask } from '../face/mask.ts';
import { readImage } from '../media/image.ts';
import { maskInput } from '../model/input.ts';
import { UserError } from '../util/errors.ts';
import { faceFiles, faceFolder, loadFaceSet, type FaceSet } from './face-set.ts';

export interface TrainingData {
  a: FaceSet;
  b: FaceSet;
  /** Held-out face files per identity (not trained on). */
  heldOut: { a: string[]; b: string[] };
  /** Every face file per identity, training and held-out. */
  all: { a: string[]; b: string[] };
  /** How the crops were aligned: size and extraction coverage. */
  crop: { size: number; coverage: number };
}

/** The alignment settings of a faces/ folder: its alignments.json's, else the extraction defaults. */
function cropSettings(dir: string): { size: number; coverage: number; known: boolean } {
  const file = join(dirname(dir), 'alignments.json');
  if (existsSync(file)) {
    const s = readAlignments(file).settings;
    return { size: s.size, coverage: s.coverage, known: true };
  }
  const d = ExtractConfig.parse({});
  return { size: d.size, coverage: d.coverage, known: false };
}

type Cfg = Pick<TrainConfig, 'holdout' | 'coverage' | 'maskWeight' | 'backgroundWeight' | 'qualityMinutes' | 'learnMask'>;

/** Training files and the held-out tail (none when the probe is off or too few faces). */
export function splitHoldout(files: readonly string[], share: number): { train: string[]; heldOut: string[] } {
  const n = Math.floor(files.length * share);
  if (n < 1 || files.length - n < 1) return { train: [...files], heldOut: [] };
  return { train: files.slice(0, files.length - n), heldOut: files.slice(files.length - n) };
}

/** One identity's faces folder: the training set (cut to the coverage, masks when needed) and its held-out tail. */
async function loadIdentity(cfg: Cfg, dir: string, size: number, share: number, log?: (line: string) => void): Promise<{ set: FaceSet; heldOut: string[]; all: string[] }> {
  const masks = cfg.maskWeight > 0 || cfg.backgroundWeight < 1 || cfg.learnMask;
  const files = faceFiles(dir);
  const { train, heldOut } = splitHoldout(files, share);
  const hasMasks = existsSync(join(dirname(dir), 'masks'));
  const set = await loadFaceSet(dir, size, { masks: masks && hasMasks, coverage: cfg.coverage, files: train });
  if (masks && !hasMasks) {
    // faces from elsewhere: every aligned crop has the template's geometry, so its mask fits them all
    const crop = cropSettings(dir);
    const width = (await readImage(join(dir, train[0]!))).width;
    const m = await maskInput(extendedMask(templateInCrop({ size: width, coverage: crop.coverage }), width), size, cfg.coverage);
    set.masks = train.map(() => m);
    log?.(`no masks/ folder beside ${dir}: the loss weights use the landmark template's face mask`);
  }
  return { set, heldOut: heldOut.map((f) => join(dir, f)), all: files.map((f) => join(dir, f)) };
}

/** `aDir`/`bDir`: faces folders, or the folders `janus extract` wrote them in. */
export async function loadTrainingData(cfg: Cfg, aFolder: string, bFolder: string, size: number, log?: (line: string) => void): Promise<TrainingData> {
  const aDir = faceFolder(aFolder);
  const bDir = faceFolder(bFolder);
  const share = cfg.qualityMinutes > 0 ? cfg.holdout : 0;
  const a = await loadIdentity(cfg, aDir, size, share, log);
  const b = await loadIdentity(cfg, bDir, size, share, log);
  const ca = cropSettings(aDir);
  return { a: a.set, b: b.set, heldOut: { a: a.heldOut, b: b.heldOut }, all: { a: a.all, b: b.all }, crop: { size: ca.size, coverage: ca.coverage } };
}

/** Every face of several folders as one set (pretraining on many people), nothing held out. */
export async function loadPooledFaces(cfg: Cfg, dirs: readonly string[], size: number, log?: (line: string) => void): Promise<{ set: FaceSet; crop: { size: number; coverage: number } }> {
  if (!dirs.length) throw new UserError('expected at least one faces folder', 'e.g. janus pretrain runs/x/faces runs/y/faces --out weights/pretrained');
  dirs = dirs.map(faceFolder);
  const parts = [];
  for (const d of dirs) parts.push((await loadIdentity(cfg, d, size, 0, log)).set);
  const withMasks = parts.every((p) => p.masks);
  const set: FaceSet = { dir: dirs.join(', '), size, files: parts.flatMap((p) => p.files.map((f) => join(p.dir, f))), faces: parts.flatMap((p) => p.faces), ...(withMasks ? { masks: parts.flatMap((p) => p.masks!) } : {}) };
  const c = cropSettings(dirs[0]!);
  return { set, crop: { size: c.size, coverage: c.coverage } };
}
