/**
 * The faces a swap works on: every kept face of an alignments file, with its aligned crop,
 * mask and matrix, named as extraction named them (`000012_0`: frame 12, face 0).
 *
 *   const faces = keptFaces(readAlignments(file), file);
 *   faces[0]   // { id: '000000_0', frame: 0, face: '/…/faces/000000_0.png', mask: '/…/masks/000000_0.png', matrix: [...] }
 *   keptFacesByFrame(doc, file).get(12)   // the kept faces of frame 12
 */
import { basename, dirname, extname, resolve } from 'node:path';
import type { AlignmentsDoc } from '../face/alignments-file.ts';
import type { Affine } from '../util/geometry.ts';

export interface KeptFace {
  id: string;
  frame: number;
  face: string;
  mask: string;
  matrix: Affine;
}

export function keptFaces(doc: AlignmentsDoc, alignmentsFile: string): KeptFace[] {
  const base = dirname(resolve(alignmentsFile));
  const out: KeptFace[] = [];
  for (const f of doc.frames) {
    for (const r of f.faces) {
      if (!r.kept || !r.face || !r.mask || !r.matrix) continue;
      out.push({ id: basename(r.face, extname(r.face)), frame: f.index, face: resolve(base, r.face), mask: resolve(base, r.mask), matrix: r.matrix });
    }
  }
  return out;
}

/** The kept faces by frame index (frames without one are absent). */
export function keptFacesByFrame(doc: AlignmentsDoc, alignmentsFile: string): Map<number, KeptFace[]> {
  const byFrame = new Map<number, KeptFace[]>();
  for (const f of keptFaces(doc, alignmentsFile)) byFrame.set(f.frame, [...(byFrame.get(f.frame) ?? []), f]);
  return byFrame;
}

/** `n` items spread evenly over a list (all of them when it is shorter). */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}
