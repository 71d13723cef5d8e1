/**
 * The faces a swap works on: every kept face of an alignments file, with its aligned crop,
 * mask and matrix, named as extraction named them (`000012_0`: frame 12, face 0).
 *
 *   const faces = keptFaces(readAlignments(file), file);
 *   faces[0]   // { id: '000000_0', frame: 0, face: '/…/faces/000000_0.png', mask: '/…/masks/000000_0.png', matrix: [...] }
 *   keptFacesByFrame(doc, file).get(12)   // the kept faces of frame 12
 *   readKeptFacesByFrame(file).byFrame    // the same, read a frame at a time into a KeptFaceTable
 *                                         // (.get(12), .size, .keys(): a few numbers and two names a face)
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

type FaceRecord = AlignedFrame['faces'][number];

/** A frame's faces that were kept and aligned (face, mask and matrix written). */
function keptRecords(f: AlignedFrame): Array<FaceRecord & { face: string; mask: string; matrix: Affine }> {
  return f.faces.filter((r): r is FaceRecord & { face: string; mask: string; matrix: Affine } => r.kept && !!r.face && !!r.mask && !!r.matrix);
}

/** A kept face of frame `frame` from the names its record gives (relative to `base`, the alignments file's folder). */
function keptFace(frame: number, face: string, mask: string, matrix: Affine, base: string): KeptFace {
  return { id: basename(face, extname(face)), frame, face: resolve(base, face), mask: resolve(base, mask), matrix };
}

/** The kept faces of one frame of an alignments file (`base`: the file's folder, which its paths are relative to). */
function keptOf(f: AlignedFrame, base: string): KeptFace[] {
  return keptRecords(f).map((r) => keptFace(f.index, r.face, r.mask, r.matrix, base));
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
 * Kept faces by frame index as a Map of them reads (`get`, `size`, `keys`), held compactly: a
 * face is its frame, matrix and the face's and mask's names as the file gives them (resolved
 * when asked for), about 150 bytes against a KeptFace's 1 KB: the composite stage holds the kept
 * faces of the whole video (15,000 of a 10-minute one) for its run.
 */
export class KeptFaceTable {
  /** The first and last face of each frame with one; each face's next of the same frame (-1: none). */
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly next: number[] = [];
  private readonly matrix: number[] = [];
  private readonly face: string[] = [];
  private readonly mask: string[] = [];

  /** `base`: the folder the file's paths are relative to (the alignments file's). */
  constructor(private readonly base: string) {}

  /** Add a frame's kept faces (a frame index met twice: its faces joined, in order). */
  add(f: AlignedFrame): void {
    for (const r of keptRecords(f)) {
      const k = this.next.length;
      this.matrix.push(...r.matrix);
      this.face.push(r.face);
      this.mask.push(r.mask);
      this.next.push(-1);
      const tail = this.last.get(f.index);
      if (tail === undefined) this.first.set(f.index, k);
      else this.next[tail] = k;
      this.last.set(f.index, k);
    }
  }

  /** The kept faces of frame `index`, in order (undefined: none). */
  get(index: number): KeptFace[] | undefined {
    let k = this.first.get(index) ?? -1;
    if (k < 0) return undefined;
    const out: KeptFace[] = [];
    for (; k >= 0; k = this.next[k]!) out.push(keptFace(index, this.face[k]!, this.mask[k]!, this.matrixOf(k), this.base));
    return out;
  }

  private matrixOf(k: number): Affine {
    const m = this.matrix;
    const j = 6 * k;
    return [m[j]!, m[j + 1]!, m[j + 2]!, m[j + 3]!, m[j + 4]!, m[j + 5]!];
  }

  /** How many frames have a kept face. */
  get size(): number {
    return this.first.size;
  }

  /** How many kept faces there are. */
  get faces(): number {
    return this.next.length;
  }

  /** The frames with a kept face, in the order first met. */
  keys(): IterableIterator<number> {
    return this.first.keys();
  }
}

/**
 * keptFacesByFrame straight from the file, a frame at a time (readAlignmentsEach): the whole
 * document is never held, only the kept faces, compactly (what compositing needs of a long
 * video); and the file's header.
 */
export function readKeptFacesByFrame(alignmentsFile: string): { header: AlignmentsHeader; byFrame: KeptFaceTable } {
  const byFrame = new KeptFaceTable(dirname(resolve(alignmentsFile)));
  const header = readAlignmentsEach(alignmentsFile, (f) => byFrame.add(f));
  return { header, byFrame };
}

/** `n` items spread evenly over a list (all of them when it is shorter). */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}
