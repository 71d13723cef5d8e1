/**
 * A face set: the aligned faces of one identity (the PNGs `janus extract` writes to faces/),
 * resized to the model's input and held as floats in 0..1.
 *
 *   const a = await loadFaceSet('runs/extract-a/faces', 64);   // { dir, size, files, faces }
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
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

/** `masks: true` also loads <dir>/../masks/<same name> for each face (janus extract writes them there). */
export async function loadFaceSet(dir: string, size: number, opts: { masks?: boolean } = {}): Promise<FaceSet> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(`face folder not found: "${dir}"`, 'pass the faces/ folder that `janus extract VIDEO --out DIR` wrote (DIR/faces)');
  }
  const files = readdirSync(dir).filter((f) => /\.(png|jpe?g|webp)$/i.test(f) && !f.startsWith('.')).sort();
  if (!files.length) throw new UserError(`no face images in "${dir}"`, 'run `janus extract` first, or check that it kept some faces (`janus alignments`)');
  const faces = await loadFaces(files.map((f) => join(dir, f)), size);
  if (!opts.masks) return { dir, size, files, faces };
  const maskDir = join(dirname(dir), 'masks');
  const masks: Float32Array[] = [];
  for (const f of files) {
    const p = join(maskDir, f);
    if (!existsSync(p)) throw new UserError(`mask-weighted loss needs a mask for every face: "${p}" is missing`, 'train on the faces/ folder of a `janus extract` output (its masks/ sits beside it), or turn mask weighting off');
    const { data } = await sharp(p).extractChannel(0).resize(size, size, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    masks.push(Float32Array.from(data, (v) => v / 255));
  }
  return { dir, size, files, faces, masks };
}

/** Face images resized to size x size, as HWC floats in 0..1. */
export async function loadFaces(files: readonly string[], size: number): Promise<Float32Array[]> {
  const faces: Float32Array[] = [];
  for (const f of files) {
    const { data } = await sharp(f).removeAlpha().resize(size, size, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    faces.push(Float32Array.from(data, (v) => v / 255));
  }
  return faces;
}
