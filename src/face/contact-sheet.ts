/**
 * Contact sheets of identity clusters: per cluster of an alignments file, a grid of up to 16
 * of its faces (spread over the video), aligned as extraction aligns them and re-cut from the
 * video, so that every cluster can be seen, target or not. Written atomically.
 *
 *   const sheets = await writeContactSheets(readAlignments('runs/x/alignments.json'), 'runs/x/clusters');
 *   sheets[0]   // { rank: 1, file: 'runs/x/clusters/cluster-1.png', faces: 16 }
 */
import { join } from 'node:path';
import { decodeFrames, prefetch } from '../media/decode.ts';
import { createImage, writeImage } from '../media/image.ts';
import { requireInputFile } from '../media/probe.ts';
import { invertAffine, warpAffine } from '../media/warp-affine.ts';
import { UserError } from '../util/errors.ts';
import { alignmentMatrix } from './align.ts';
import type { AlignmentsDoc } from './alignments-file.ts';
import type { RgbImage } from '../util/geometry.ts';

export interface ContactSheet {
  rank: number;
  file: string;
  /** Faces shown. */
  faces: number;
}

export interface SheetOptions {
  /** Faces per sheet at most (a square-ish grid). */
  perSheet?: number;
  /** Cell size in pixels. */
  cell?: number;
  /** The video to cut from (default: the one the alignments file names). */
  video?: string;
}

/** Up to `n` of `items`, evenly spread (first to last). */
function spreadPick<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor(((i + 0.5) * items.length) / n)]!);
}

export async function writeContactSheets(doc: AlignmentsDoc, outDir: string, o: SheetOptions = {}): Promise<ContactSheet[]> {
  if (!doc.clustering) throw new UserError('this alignments file has no identity clusters (schema 1, written before tracks were clustered)', 're-run janus extract on the video to write them');
  const perSheet = o.perSheet ?? 16;
  const cell = o.cell ?? 96;
  const video = o.video ?? doc.video.file;
  requireInputFile(video, 'video of the alignments file');
  const coverage = doc.settings.coverage;
  // which faces each sheet shows, by frame
  const picks = new Map<number, Array<{ rank: number; slot: number; landmarks: AlignmentsDoc['frames'][number]['faces'][number]['landmarks'] }>>();
  const counts = new Map<number, number>();
  for (const c of doc.clustering.clusters) {
    const faces = doc.frames.flatMap((f) => f.faces.filter((x) => x.cluster === c.rank).map((x) => ({ frame: f.index, landmarks: x.smoothed ?? x.landmarks })));
    const chosen = spreadPick(faces, perSheet);
    counts.set(c.rank, chosen.length);
    chosen.forEach((f, slot) => {
      const list = picks.get(f.frame) ?? [];
      list.push({ rank: c.rank, slot, landmarks: f.landmarks });
      picks.set(f.frame, list);
    });
  }
  const sheets = new Map<number, RgbImage>();
  const cols = (n: number) => Math.max(1, Math.ceil(Math.sqrt(n)));
  const gap = 2;
  for (const c of doc.clustering.clusters) {
    const n = counts.get(c.rank)!;
    const w = cols(n);
    const h = Math.max(1, Math.ceil(n / w));
    sheets.set(c.rank, createImage(w * cell + (w + 1) * gap, h * cell + (h + 1) * gap, 40));
  }
  if (picks.size) {
    const last = Math.max(...picks.keys());
    for await (const frame of prefetch(decodeFrames(video, { maxFrames: last + 1 }))) {
      for (const p of picks.get(frame.index) ?? []) {
        const m = alignmentMatrix(p.landmarks, { size: cell, coverage });
        const crop = warpAffine(frame, invertAffine(m), cell, cell, { border: 'replicate' });
        const sheet = sheets.get(p.rank)!;
        const w = cols(counts.get(p.rank)!);
        const x0 = gap + (p.slot % w) * (cell + gap);
        const y0 = gap + Math.floor(p.slot / w) * (cell + gap);
        for (let y = 0; y < cell; y++) sheet.data.set(crop.data.subarray(y * cell * 3, (y + 1) * cell * 3), ((y0 + y) * sheet.width + x0) * 3);
      }
    }
  }
  const out: ContactSheet[] = [];
  for (const c of doc.clustering.clusters) {
    const file = join(outDir, `cluster-${c.rank}.png`);
    await writeImage(file, sheets.get(c.rank)!);
    out.push({ rank: c.rank, file, faces: counts.get(c.rank)! });
  }
  return out;
}
