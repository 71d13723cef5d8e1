/**
 * A face set: the aligned faces of one identity (the PNGs `janus extract` writes to faces/),
 * cut to the training coverage and resized to the model's input (model/input.ts, the same
 * conversion the swap uses), held as floats in 0..1.
 *
 *   const a = await loadFaceSet('runs/extract-a/faces', 64, { coverage: 0.75 });   // { dir, size, files, faces }
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readGrayImage, readImage } from '../media/image.ts';
import { maskInput, modelInput } from '../model/input.ts';
import { UserError } from '../util/errors.ts';

export interface FaceSet {
  dir: string;
  size: number;
  files: string[];
  /** One HWC Float32Array (size*size*3, 0..1) per face. */
  faces: Float32Array[];
  /** One size*size mask (0..1) per face, from the sibling masks/ folder, when asked for. */
  masks?: Float32Array[];
}

/**
 * The folder of face images `dir` names: `dir` itself, or `dir/faces` when `dir` is what
 * `janus extract VIDEO --out DIR` made (its faces/ folder, with masks/ and alignments.json
 * beside) and holds no images of its own.
 */
export function faceFolder(dir: string): string {
  const faces = join(dir, 'faces');
  if (isFolder(dir) && isFolder(faces) && !imageNames(dir).length) return faces;
  return dir;
}

/** The face images of a folder (names, sorted); a missing or empty folder is a UserError saying what to pass. */
export function faceFiles(dir: string): string[] {
  if (!isFolder(dir)) {
    throw new UserError(`face folder not found: "${dir}"`, 'pass the folder `janus extract VIDEO --out DIR` wrote (DIR, or DIR/faces)');
  }
  const files = imageNames(dir);
  if (!files.length) throw new UserError(`no face images in "${dir}"`, 'run `janus extract` first, or check that it kept some faces (`janus alignments`)');
  return files;
}

function isFolder(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}

function imageNames(dir: string): string[] {
  return readdirSync(dir).filter((f) => /\.(png|jpe?g|webp)$/i.test(f) && !f.startsWith('.')).sort();
}

/** `masks: true` also loads <dir>/../masks/<same name> for each face (janus extract writes them there). */
/** `files`: only these names in `dir` (default: every image, sorted). */
export async function loadFaceSet(dir: string, size: number, opts: { masks?: boolean; coverage?: number; files?: readonly string[] } = {}): Promise<FaceSet> {
  const files = opts.files ? [...opts.files] : faceFiles(dir);
  const faces = await loadFaces(files.map((f) => join(dir, f)), size, opts.coverage);
  if (!opts.masks) return { dir, size, files, faces };
  const maskDir = join(dirname(dir), 'masks');
  const masks: Float32Array[] = [];
  for (const f of files) {
    const p = join(maskDir, f);
    if (!existsSync(p)) throw new UserError(`mask-weighted loss needs a mask for every face: "${p}" is missing`, 'train on the faces/ folder of a `janus extract` output (its masks/ sits beside it), or turn mask weighting off');
    masks.push(await maskInput(await readGrayImage(p), size, opts.coverage));
  }
  return { dir, size, files, faces, masks };
}

/** Face images as model input (coverage square resized to size x size), HWC floats in 0..1. */
export async function loadFaces(files: readonly string[], size: number, coverage = 1): Promise<Float32Array[]> {
  const faces: Float32Array[] = [];
  for (const f of files) faces.push(await modelInput(await readImage(f), size, coverage));
  return faces;
}
