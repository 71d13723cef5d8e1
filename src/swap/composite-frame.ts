/**
 * A whole frame of a swap: every kept face of the frame re-composited into it (with the mask
 * the `mask` setting names: landmarks, learned, or the smaller of both), the union of the
 * replaced pixels, and the side-by-side of original and swap the composite stage encodes beside
 * the output.
 *
 *   const out = await compositeFrame(frame, facesOfFrame, { swappedDir, learnedMasks: swap.learnedMasks, options: params });
 *   await maskWriter.write(out.replaced.data);   // a grey writer
 *   await comparisonWriter.write(sideBySide(frame.data, out.image.data, frame.width, frame.height));
 *
 * readFaces and compositeFaces are its two halves (the stage reads a frame ahead).
 */
import { join } from 'node:path';
import type { MaskSource } from '../config/swap.ts';
import { readGrayImage, readImage } from '../media/image.ts';
import type { GrayImage, RgbImage } from '../util/geometry.ts';
import { UserError } from '../util/errors.ts';
import { compositeFace, type CompositeOptions } from './composite.ts';
import type { KeptFace } from './kept-faces.ts';

export interface FrameSwap {
  /** The swap stage's folder: one `<face id>.png` per swapped face. */
  swappedDir: string;
  /** Its learned-mask subfolder (`swap.json`'s learnedMasks); null or absent when the model learned none. */
  learnedMasks?: string | null;
  options: CompositeOptions & { mask: MaskSource };
}

export function sideBySide(left: Uint8Array, right: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * 2 * h * 3);
  for (let y = 0; y < h; y++) {
    out.set(left.subarray(y * w * 3, (y + 1) * w * 3), y * w * 6);
    out.set(right.subarray(y * w * 3, (y + 1) * w * 3), y * w * 6 + w * 3);
  }
  return out;
}

/** A kept face of a frame with what compositing it reads from disk: the swapped crop and its blend mask. */
export interface FaceToComposite {
  face: KeptFace;
  swapped: RgbImage;
  mask: GrayImage;
}

/** The mask a face is blended with (the `mask` option): landmarks, learned, or the smaller of both. */
async function blendMask(f: KeptFace, s: FrameSwap): Promise<GrayImage> {
  const landmarks = () => readGrayImage(f.mask);
  const mode = s.options.mask;
  if (mode === 'landmarks') return landmarks();
  if (!s.learnedMasks) throw new UserError(`composite --mask ${mode} needs a model that learned masks: the swap in ${s.swappedDir} was made with one that did not`, 'train with learnMask on (the default), or composite with --mask landmarks');
  const learned = await readGrayImage(join(s.swappedDir, s.learnedMasks, `${f.id}.png`));
  if (mode === 'learned') return learned;
  const lm = await landmarks();
  return { width: lm.width, height: lm.height, data: lm.data.map((v, i) => Math.min(v, learned.data[i]!)) };
}

/** Read what compositing the faces of a frame needs (start it a frame ahead: the decodes run off the main thread). */
export function readFaces(faces: readonly KeptFace[], s: FrameSwap): Promise<FaceToComposite[]> {
  return Promise.all(faces.map(async (face) => {
    const [swapped, mask] = await Promise.all([readImage(join(s.swappedDir, `${face.id}.png`)), blendMask(face, s)]);
    return { face, swapped, mask };
  }));
}

/**
 * The frame with every given face swapped into it, and the union of the replaced pixels.
 * `reuseFrame`: blend into the frame's own pixels (the caller no longer needs the original);
 * otherwise into one copy of them.
 */
export function compositeFaces(frame: RgbImage, faces: readonly FaceToComposite[], s: FrameSwap, reuseFrame = false): { image: RgbImage; replaced: GrayImage } {
  if (!faces.length) return { image: frame, replaced: { width: frame.width, height: frame.height, data: new Uint8Array(frame.width * frame.height) } };
  const image: RgbImage = { width: frame.width, height: frame.height, data: reuseFrame ? frame.data : new Uint8Array(frame.data) };
  // the union of the replaced pixels: the first face's (a new array), raised by the others'
  let replaced: GrayImage | null = null;
  for (const { face, swapped, mask } of faces) {
    const r = compositeFace(image, swapped, face.matrix, mask, s.options, image.data);
    if (!replaced) replaced = r.replaced;
    else for (let i = 0; i < replaced.data.length; i++) if (r.replaced.data[i]! > replaced.data[i]!) replaced.data[i] = r.replaced.data[i]!;
  }
  return { image, replaced: replaced! };
}

/** The frame with every kept face of it swapped, and the union of the replaced pixels (readFaces, then compositeFaces). */
export async function compositeFrame(frame: RgbImage, faces: readonly KeptFace[], s: FrameSwap): Promise<{ image: RgbImage; replaced: GrayImage }> {
  return compositeFaces(frame, await readFaces(faces, s), s);
}
