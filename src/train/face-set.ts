/**
 * A face set: the aligned faces of one identity (the PNGs `janus extract` writes to faces/),
 * resized to the model's input and held as floats in 0..1.
 *
 *   const a = await loadFaceSet('runs/extract-a/faces', 64);   // { dir, size, files, faces }
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { UserError } from '../util/errors.ts';

export interface FaceSet {
  dir: string;
  size: number;
  files: string[];
  /** One HWC Float32Array (size*size*3, 0..1) per face. */
  faces: Float32Array[];
}

export async function loadFaceSet(dir: string, size: number): Promise<FaceSet> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(`face folder not found: "${dir}"`, 'pass the faces/ folder that `janus extract VIDEO --out DIR` wrote (DIR/faces)');
  }
  const files = readdirSync(dir).filter((f) => /\.(png|jpe?g|webp)$/i.test(f) && !f.startsWith('.')).sort();
  if (!files.length) throw new UserError(`no face images in "${dir}"`, 'run `janus extract` first, or check that it kept some faces (`janus alignments`)');
  const faces: Float32Array[] = [];
  for (const f of files) {
    const { data } = await sharp(join(dir, f)).removeAlpha().resize(size, size, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    faces.push(Float32Array.from(data, (v) => v / 255));
  }
  return { dir, size, files, faces };
}
