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
import { bilinearAt, newTap, sampleBilinear } from '../media/bilinear.ts';
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

/** Min filter of radius r (square window), separable. */
export function erode(mask: GrayImage, r: number): GrayImage {
  if (r <= 0) return mask;
  const { width: w, height: h } = mask;
  const pass = (src: Uint8Array, horizontal: boolean) => {
    const out = new Uint8Array(src.length);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let m = 255;
        for (let d = -r; d <= r && m; d++) {
          const xx = horizontal ? x + d : x;
          const yy = horizontal ? y : y + d;
          m = xx < 0 || yy < 0 || xx >= w || yy >= h ? 0 : Math.min(m, src[yy * w + xx]!);
        }
        out[y * w + x] = m;
      }
    return out;
  };
  return { width: w, height: h, data: pass(pass(mask.data, true), false) };
}

/** Box blur of radius r, twice (close to a Gaussian), to a 0..1 float alpha. Edges repeat; running sums, O(1) a pixel. */
export function feather(mask: GrayImage, r: number): Float32Array {
  const { width: w, height: h } = mask;
  const a = new Float32Array(mask.data.length);
  for (let i = 0; i < a.length; i++) a[i] = mask.data[i]! / 255;
  if (r <= 0) return a;
  const n = 2 * r + 1;
  // one line of `len` values at src[start + i * step], blurred into out at the same places
  const line = (src: Float32Array, out: Float32Array, start: number, step: number, len: number) => {
    const last = len - 1;
    let s = 0;
    for (let d = -r; d <= r; d++) s += src[start + (d < 0 ? 0 : d > last ? last : d) * step]!;
    for (let i = 0; i < len; i++) {
      out[start + i * step] = s / n;
      const add = i + r + 1;
      const drop = i - r;
      s += src[start + (add > last ? last : add) * step]! - src[start + (drop < 0 ? 0 : drop) * step]!;
    }
  };
  const tmp = new Float32Array(a.length);
  for (let k = 0; k < 2; k++) {
    for (let y = 0; y < h; y++) line(a, tmp, y * w, 1, w);
    for (let x = 0; x < w; x++) line(tmp, a, x, w, h);
  }
  return a;
}

export function compositeFace(frame: RgbImage, face: RgbImage, matrix: Affine, mask: GrayImage, opts: CompositeOptions = {}): { image: RgbImage; replaced: GrayImage } {
  const size = face.width;
  const inv = invertAffine(matrix); // crop -> frame
  const original = warpAffine(frame, inv, size, size, { border: 'replicate' });
  const alpha = feather(erode(mask, opts.erode ?? 0), opts.feather ?? 0);
  // the crop's pixels the blend (alpha > 0) or the seamless clone (inside the mask) reads, bilinear taps included
  const needed = new Uint8Array(size * size);
  for (let i = 0; i < needed.length; i++) {
    if (alpha[i]! <= 0 && !mask.data[i]) continue;
    const x = i % size;
    const y = (i - x) / size;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (x + dx >= 0 && x + dx < size && y + dy >= 0 && y + dy < size) needed[i + dy * size + dx] = 1;
  }
  const coloured = COLOUR_METHODS[opts.colour ?? defaultOf(CompositeConfig, 'colour')](original, face, mask, needed);
  const recoloured = opts.seamless ? seamlessClone(original, coloured, mask) : coloured;
  const out = new Uint8Array(frame.data);
  const replaced = new Uint8Array(frame.width * frame.height);
  // only the frame pixels the crop covers: its corners mapped back, as a bounding box
  const corners = [applyAffine(inv, 0, 0), applyAffine(inv, size, 0), applyAffine(inv, 0, size), applyAffine(inv, size, size)];
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0]))));
  const x1 = Math.min(frame.width - 1, Math.ceil(Math.max(...corners.map((c) => c[0]))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1]))));
  const y1 = Math.min(frame.height - 1, Math.ceil(Math.max(...corners.map((c) => c[1]))));
  const [a, b, c, d, e, f] = matrix;
  const t = newTap();
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const u = a * x + b * y + c;
      const v = d * x + e * y + f;
      if (u < 0 || v < 0 || u > size - 1 || v > size - 1) continue;
      bilinearAt(u, v, size, size, t);
      const k = sampleBilinear(alpha, 1, t, 0);
      if (k <= 0) continue;
      const o = (y * frame.width + x) * 3;
      for (let ch = 0; ch < 3; ch++) out[o + ch] = Math.round(k * sampleBilinear(recoloured.data, 3, t, ch) + (1 - k) * frame.data[o + ch]!);
      replaced[y * frame.width + x] = Math.round(255 * k);
    }
  }
  return { image: { width: frame.width, height: frame.height, data: out }, replaced: { width: frame.width, height: frame.height, data: replaced } };
}
