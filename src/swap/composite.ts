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
import { bilinearAt, newTap, sampleAlpha, sampleRgb } from '../media/bilinear.ts';
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

/** Min filter of radius r (square window), separable; outside the image counts as 0. */
export function erode(mask: GrayImage, r: number): GrayImage {
  if (r <= 0) return mask;
  const { width: w, height: h } = mask;
  // one line of `len` values at src[start + i * step]: the min over i - r .. i + r, 0 where that reaches past an end
  const line = (src: Uint8Array, out: Uint8Array, start: number, step: number, len: number) => {
    for (let i = r; i < len - r; i++) {
      let m = 255;
      for (let j = start + (i - r) * step, end = start + (i + r) * step; j <= end && m; j += step) if (src[j]! < m) m = src[j]!;
      out[start + i * step] = m;
    }
  };
  const tmp = new Uint8Array(mask.data.length);
  for (let y = 0; y < h; y++) line(mask.data, tmp, y * w, 1, w);
  const out = new Uint8Array(mask.data.length);
  for (let x = 0; x < w; x++) line(tmp, out, x, w, h);
  return { width: w, height: h, data: out };
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

/**
 * The frame with the face blended in, and the pixels replaced. `into`: the frame's pixels to
 * blend into (the frame's own data, or a copy of it made once for several faces); without it,
 * a copy of the frame.
 */
export function compositeFace(frame: RgbImage, face: RgbImage, matrix: Affine, mask: GrayImage, opts: CompositeOptions = {}, into?: Uint8Array): { image: RgbImage; replaced: GrayImage } {
  const size = face.width;
  const inv = invertAffine(matrix); // crop -> frame
  const colour = opts.colour ?? defaultOf(CompositeConfig, 'colour');
  // the original crop where it is read: all of it for the seamless clone, inside the mask for the colour statistics
  let only: Uint8Array | undefined;
  if (!opts.seamless) {
    only = new Uint8Array(size * size);
    if (colour !== 'none') for (let i = 0; i < only.length; i++) only[i] = mask.data[i]! > 127 ? 1 : 0;
  }
  const original = warpAffine(frame, inv, size, size, { border: 'replicate', only });
  const alpha = feather(erode(mask, opts.erode ?? 0), opts.feather ?? 0);
  // the crop's pixels the blend (alpha > 0) or the seamless clone (inside the mask) reads, bilinear taps included
  // and the box of the crop's pixels with some alpha (the blend reads nothing outside it)
  const needed = new Uint8Array(size * size);
  let ax0 = size;
  let ax1 = -1;
  let ay0 = size;
  let ay1 = -1;
  for (let y = 0, i = 0; y < size; y++) {
    for (let x = 0; x < size; x++, i++) {
      if (alpha[i]! <= 0 && !mask.data[i]) continue;
      if (alpha[i]! > 0) {
        if (x < ax0) ax0 = x;
        if (x > ax1) ax1 = x;
        if (y < ay0) ay0 = y;
        ay1 = y;
      }
      const l = x > 0 ? -1 : 0;
      const r = x < size - 1 ? 1 : 0;
      for (let dy = y > 0 ? -1 : 0; dy <= (y < size - 1 ? 1 : 0); dy++) for (let dx = l; dx <= r; dx++) needed[i + dy * size + dx] = 1;
    }
  }
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
  const t = newTap();
  const rgb = recoloured.data;
  const src = frame.data;
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
  const range: [number, number] = [0, 0];
  for (let y = y0; y <= y1; y++) {
    range[0] = x0;
    range[1] = x1;
    span(a, b * y + c, bu0, bu1, range);
    span(d, e * y + f, bv0, bv1, range);
    for (let x = range[0]; x <= range[1]; x++) {
      const u = a * x + b * y + c;
      const v = d * x + e * y + f;
      if (u < 0 || v < 0 || u > size - 1 || v > size - 1) continue;
      bilinearAt(u, v, size, size, t);
      const k = sampleAlpha(alpha, t);
      if (k <= 0) continue;
      const o = (y * frame.width + x) * 3;
      for (let ch = 0; ch < 3; ch++) out[o + ch] = Math.round(k * sampleRgb(rgb, t, ch) + (1 - k) * src[o + ch]!);
      replaced[y * frame.width + x] = Math.round(255 * k);
    }
  }
  return { image: { width: frame.width, height: frame.height, data: out }, replaced: { width: frame.width, height: frame.height, data: replaced } };
}
