/**
 * Aligned face crops re-cut from a video with the matrices of an alignments file: the same
 * geometry as extraction, on any version of the video (a compressed copy, a swapped video made
 * from it). Streams the video; only the frames asked for are warped.
 *
 *   for await (const f of recropFaces('fake/c23/x.mp4', readAlignments('a/alignments.json'), { frames: new Set([0, 10]) })) f.image
 */
import type { AlignmentsDoc } from './alignments-file.ts';
import { decodeFrames, prefetch } from '../media/decode.ts';
import type { Affine, RgbImage } from '../util/geometry.ts';
import { invertAffine, warpAffine } from '../media/warp-affine.ts';

export interface Recrop {
  frame: number;
  image: RgbImage;
}

export async function* recropFaces(video: string, doc: AlignmentsDoc, opts: { frames?: ReadonlySet<number>; size?: number } = {}): AsyncGenerator<Recrop> {
  const size = opts.size ?? doc.settings.size;
  const scale = size / doc.settings.size;
  const wanted = new Map<number, Affine>();
  for (const f of doc.frames) {
    const face = f.faces.find((x) => x.kept && x.matrix);
    if (face && (!opts.frames || opts.frames.has(f.index))) {
      const [a, b, c, d, e, g] = face.matrix!;
      wanted.set(f.index, [a * scale, b * scale, c * scale, d * scale, e * scale, g * scale]);
    }
  }
  if (!wanted.size) return;
  const last = Math.max(...wanted.keys());
  for await (const frame of prefetch(decodeFrames(video, { maxFrames: last + 1 }))) {
    const m = wanted.get(frame.index);
    if (m) yield { frame: frame.index, image: warpAffine(frame, invertAffine(m), size, size, { border: 'replicate' }) };
  }
}
