/**
 * The faces a swap works on: every kept face of an alignments file, with its aligned crop,
 * mask and matrix, named as extraction named them (`000012_0`: frame 12, face 0).
 *
 *   const faces = keptFaces(readAlignments(file), file);
 *   faces[0]   // { id: '000000_0', frame: 0, face: '/…/faces/000000_0.png', mask: '/…/masks/000000_0.png', matrix: [...] }
 *   keptFacesByFrame(doc, file).get(12)   // the kept faces of frame 12
 *   readKeptFacesByFrame(file).byFrame    // the same, read a frame at a time (the document never held whole)
 */
import { basename, dirname, extname, resolve } from 'node:path';
import { readAlignmentsEach, type AlignedFrame, type AlignmentsDoc, type AlignmentsHeader } from '../face/alignments-file.ts';
import type { Affine } from '../util/geometry.ts';

export interface KeptFace {
  id: string;
  frame: number;
  face: string;
  mask: string;
  matrix: Affine;
}

/** The kept faces of one frame of an alignments file (`base`: the file's folder, which its paths are relative to). */
function keptOf(f: AlignedFrame, base: string): KeptFace[] {
  const out: KeptFace[] = [];
  for (const r of f.faces) {
    if (!r.kept || !r.face || !r.mask || !r.matrix) continue;
    out.push({ id: basename(r.face, extname(r.face)), frame: f.index, face: resolve(base, r.face), mask: resolve(base, r.mask), matrix: r.matrix });
  }
  return out;
}

export function keptFaces(doc: AlignmentsDoc, alignmentsFile: string): KeptFace[] {
  const base = dirname(resolve(alignmentsFile));
  return doc.frames.flatMap((f) => keptOf(f, base));
}

/** Add a frame's kept faces to the map by frame index (a frame index met twice: its faces joined, in order). */
function addKept(byFrame: Map<number, KeptFace[]>, kept: readonly KeptFace[]): void {
  if (kept.length) byFrame.set(kept[0]!.frame, [...(byFrame.get(kept[0]!.frame) ?? []), ...kept]);
}

/** The kept faces by frame index (frames without one are absent). */
export function keptFacesByFrame(doc: AlignmentsDoc, alignmentsFile: string): Map<number, KeptFace[]> {
  const base = dirname(resolve(alignmentsFile));
  const byFrame = new Map<number, KeptFace[]>();
  for (const f of doc.frames) addKept(byFrame, keptOf(f, base));
  return byFrame;
}

/**
 * keptFacesByFrame straight from the file, a frame at a time (readAlignmentsEach): the whole
 * document is never held, only the kept faces (what compositing needs of a long video); and the
 * file's header.
 */
export function readKeptFacesByFrame(alignmentsFile: string): { header: AlignmentsHeader; byFrame: Map<number, KeptFace[]> } {
  const base = dirname(resolve(alignmentsFile));
  const byFrame = new Map<number, KeptFace[]>();
  const header = readAlignmentsEach(alignmentsFile, (f) => addKept(byFrame, keptOf(f, base)));
  return { header, byFrame };
}

/** `n` items spread evenly over a list (all of them when it is shorter). */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}
