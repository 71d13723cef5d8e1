/**
 * Re-compositing: put a (swapped) aligned face back into its frame. The face is recoloured to
 * the original's light, its mask eroded and feathered, and both are warped back with the
 * inverse of the alignment matrix and blended over the frame.
 *
 *   const out = compositeFace(frame, swappedCrop, matrix, mask, { colour: 'rct', erode: 3, feather: 8, seamless: false });
 *   out.replaced   // a grey mask of the frame: 255 where pixels were replaced
 */
import { applyAffine, invertAffine, warpAffine } from '../media/warp-affine.ts';
import { defaultOf } from '../config/parse.ts';
import { CompositeConfig, type ColourMethod } from '../config/swap.ts';
import type { Affine, GrayImage, RgbImage } from '../util/geometry.ts';
import { blendFaceWasm, erodeWasm, featherWasm, pixelsReadWasm } from '../media/pixel-kernels.ts';
import { scratch } from '../util/scratch.ts';
import { COLOUR_METHODS } from './colour.ts';
import { seamlessClone } from './seamless.ts';

export interface CompositeOptions {
  colour?: ColourMethod;
  /** Shrink the mask by this many crop pixels before feathering. */
  erode?: number;
  /** Soften the mask's edge over this many crop pixels (box blur radius, applied twice). */
  feather?: number;
  /** Poisson (seamless) blending inside the mask before the feathered blend. */
  seamless?: boolean;
}

/**
 * Min filter of radius r (square window); outside the image counts as 0 (pixel-kernels.wat,
 * 16 pixels at a time). `into`: the array to write (the mask's size); a new one without it.
 */
export function erode(mask: GrayImage, r: number, into?: Uint8Array): GrayImage {
  if (r <= 0) return mask;
  const out = into ?? new Uint8Array(mask.data.length);
  erodeWasm(mask.data, mask.width, mask.height, r, out);
  return { width: mask.width, height: mask.height, data: out };
}

/**
 * Box blur of radius r, twice (close to a Gaussian), to a 0..1 float alpha. Edges repeat;
 * running sums along each row, then each column, in float64, stored as float32
 * (pixel-kernels.wat). `into`: the array to write (the mask's size); a new one without it.
 */
export function feather(mask: GrayImage, r: number, into?: Float32Array): Float32Array {
  const a = into ?? new Float32Array(mask.data.length);
  featherWasm(mask.data, mask.width, mask.height, r, a);
  return a;
}

/**
 * The crop's pixels the blend (alpha > 0) or the seamless clone (inside the mask) reads, bilinear
 * taps included (each such pixel's 3x3 neighbourhood), as a scratch array (valid until the next
 * call); and the box [x0, y0, x1, y1] of the pixels with some alpha (x1 < 0: none).
 */
export function pixelsRead(alpha: Float32Array, mask: GrayImage): { needed: Uint8Array; box: [number, number, number, number] } {
  const size = mask.width;
  if (mask.height !== size || alpha.length !== size * size) throw new Error(`pixelsRead: expected a square mask and its alpha, got ${mask.width}x${mask.height} and ${alpha.length} values`);
  const needed = scratch('composite.needed', Uint8Array, size * size, false);
  const box = pixelsReadWasm(alpha, mask.data, size, needed);
  return { needed, box };
}

/**
 * The frame with the face blended in, and the pixels replaced. `into`: the frame's pixels to
 * blend into (the frame's own data, or a copy of it made once for several faces); without it,
 * a copy of the frame.
 */
export function compositeFace(frame: RgbImage, face: RgbImage, matrix: Affine, mask: GrayImage, opts: CompositeOptions = {}, into?: Uint8Array): { image: RgbImage; replaced: GrayImage } {
  const size = face.width;
  if (face.height !== size || mask.width !== size || mask.height !== size) throw new Error(`compositeFace: expected a square face and a mask of its size, got a ${face.width}x${face.height} face and a ${mask.width}x${mask.height} mask`);
  const inv = invertAffine(matrix); // crop -> frame
  const colour = opts.colour ?? defaultOf(CompositeConfig, 'colour');
  // the original crop where it is read: all of it for the seamless clone, inside the mask for the colour statistics
  let only: Uint8Array | undefined;
  if (!opts.seamless) {
    only = scratch('composite.only', Uint8Array, size * size);
    if (colour !== 'none') for (let i = 0; i < only.length; i++) only[i] = mask.data[i]! > 127 ? 1 : 0;
  }
  // the crop-sized arrays are scratch (src/util/scratch.ts): this runs on every face of every frame
  const original = warpAffine(frame, inv, size, size, { border: 'replicate', only, into: scratch('composite.original', Uint8Array, size * size * 3, false) });
  const eroded = erode(mask, opts.erode ?? 0, scratch('composite.eroded', Uint8Array, size * size, false));
  const alpha = feather(eroded, opts.feather ?? 0, scratch('composite.alpha', Float32Array, size * size, false));
  const { needed, box } = pixelsRead(alpha, mask);
  const [ax0, ay0, ax1, ay1] = box;
  const coloured = COLOUR_METHODS[colour](original, face, mask, needed);
  const recoloured = opts.seamless ? seamlessClone(original, coloured, mask) : coloured;
  if (into && into.length !== frame.data.length) throw new Error(`compositeFace: expected ${frame.data.length} bytes to blend into, got ${into.length}`);
  const out = into ?? new Uint8Array(frame.data); // a pixel is read before it is written: blending in place is safe
  const replaced = new Uint8Array(frame.width * frame.height);
  // only the frame pixels the crop's alpha box covers (a point a pixel or more outside it reads
  // no alpha): its corners mapped back, as a bounding box
  if (ax1 < 0) return { image: { width: frame.width, height: frame.height, data: out }, replaced: { width: frame.width, height: frame.height, data: replaced } };
  const corners = [applyAffine(inv, ax0 - 1, ay0 - 1), applyAffine(inv, ax1 + 1, ay0 - 1), applyAffine(inv, ax0 - 1, ay1 + 1), applyAffine(inv, ax1 + 1, ay1 + 1)];
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0]))));
  const x1 = Math.min(frame.width - 1, Math.ceil(Math.max(...corners.map((c) => c[0]))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1]))));
  const y1 = Math.min(frame.height - 1, Math.ceil(Math.max(...corners.map((c) => c[1]))));
  const [a, b, c, d, e, f] = matrix;
  // on each row, the x where (u, v) lies in the alpha box, one pixel wider each side (u and v are linear in x)
  const [bu0, bu1, bv0, bv1] = [Math.max(0, ax0 - 1), Math.min(size - 1, ax1 + 1), Math.max(0, ay0 - 1), Math.min(size - 1, ay1 + 1)];
  const span = (p: number, q: number, lo: number, hi: number, range: [number, number]) => {
    // x with lo <= p * x + q <= hi, narrowed into range
    if (Math.abs(p) < 1e-12) {
      if (q < lo || q > hi) range[1] = range[0] - 1;
      return;
    }
    const ta = (lo - q) / p;
    const tb = (hi - q) / p;
    range[0] = Math.max(range[0], Math.floor(Math.min(ta, tb)) - 1);
    range[1] = Math.min(range[1], Math.ceil(Math.max(ta, tb)) + 1);
  };
  const columns = (y: number, range: [number, number]) => {
    range[0] = x0;
    range[1] = x1;
    span(a, b * y + c, bu0, bu1, range);
    span(d, e * y + f, bv0, bv1, range);
  };
  blendFaceWasm({ out, src: frame.data, width: frame.width, replaced, rgb: recoloured.data, alpha, size, matrix, y0, y1, columns });
  return { image: { width: frame.width, height: frame.height, data: out }, replaced: { width: frame.width, height: frame.height, data: replaced } };
}
