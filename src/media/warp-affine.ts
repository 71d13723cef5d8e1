/**
 * Affine warps of RGB images (bilinear), the geometry under sample clips, face alignment and
 * compositing. A matrix `[a, b, c, d, e, f]` maps a point (x, y) to (a·x + b·y + c, d·x + e·y + f);
 * pixel (i, j) sits at coordinate (i, j) (OpenCV's convention).
 *
 *   const m = similarity(0.5, Math.PI / 12, 10, 20);          // scale, angle, tx, ty
 *   const out = warpAffine(img, invertAffine(m), 256, 256);    // dst pixel -> src point
 *
 * `warpAffine` takes the *inverse* map (output pixel to source point), so callers say exactly
 * which way they mean; `invertAffine` turns a forward matrix around.
 */
import type { Affine, RgbImage } from '../util/geometry.ts';
import { warpWasm } from './pixel-kernels.ts';

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/** Scale s, rotation theta (radians, counter-clockwise in image coordinates, y down), then translation. */
export function similarity(s: number, theta: number, tx: number, ty: number): Affine {
  const c = s * Math.cos(theta);
  const n = s * Math.sin(theta);
  return [c, -n, tx, n, c, ty];
}

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new Error(`cannot invert a singular affine matrix [${m.join(', ')}]`);
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** m2 ∘ m1: first m1, then m2. */
export function composeAffine(m2: Affine, m1: Affine): Affine {
  const [a2, b2, c2, d2, e2, f2] = m2;
  const [a1, b1, c1, d1, e1, f1] = m1;
  return [a2 * a1 + b2 * d1, a2 * b1 + b2 * e1, a2 * c1 + b2 * f1 + c2, d2 * a1 + e2 * d1, d2 * b1 + e2 * e1, d2 * c1 + e2 * f1 + f2];
}

export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

export interface WarpOptions {
  /** What lies outside the source: repeat the edge pixel, or a constant colour. */
  border?: 'replicate' | 'constant';
  /** Colour for `border: 'constant'`. */
  fill?: readonly [number, number, number];
  /** Only the output pixels marked here (one byte per pixel, non-zero: wanted); the rest are 0. */
  only?: Uint8Array;
  /** The array to write (width x height x 3, every byte written); a new one without it. */
  into?: Uint8Array;
}

/**
 * Resample `src` into a `width`×`height` image; `inverse` maps each output pixel to the source
 * point it takes its colour from (bilinear interpolation). A replicated border runs in
 * WebAssembly (media/pixel-kernels.wat, the same bytes as warpAffineJs: tested).
 */
export function warpAffine(src: RgbImage, inverse: Affine, width: number, height: number, options: WarpOptions = {}): RgbImage {
  const { border = 'replicate', only, into } = options;
  if (into && into.length !== width * height * 3) throw new Error(`warpAffine: expected ${width * height * 3} bytes to write into, got ${into.length}`);
  if (border === 'replicate') return warpWasm(src, inverse, width, height, only, into ?? new Uint8Array(width * height * 3));
  return warpAffineJs(src, inverse, width, height, options);
}

/** warpAffine in JavaScript: the definition, and the constant border. */
export function warpAffineJs(src: RgbImage, inverse: Affine, width: number, height: number, options: WarpOptions = {}): RgbImage {
  const { border = 'replicate', fill = [0, 0, 0], only, into } = options;
  if (into && into.length !== width * height * 3) throw new Error(`warpAffine: expected ${width * height * 3} bytes to write into, got ${into.length}`);
  const out = into ? into.fill(0) : new Uint8Array(width * height * 3);
  const sw = src.width;
  const sh = src.height;
  const s = src.data;
  const constant = border === 'constant';
  const [f0, f1, f2] = fill;
  const [a, b, c, d, e, f] = inverse;
  // media/bilinear.ts's weights and sums, written out over locals (this runs on every pixel of
  // every aligned face and composited crop): the same values as sampling through a tap
  const right = sw - 1;
  const bottom = sh - 1;
  let o = 0;
  let p = 0;
  for (let v = 0; v < height; v++) {
    let x = b * v + c;
    let y = e * v + f;
    for (let u = 0; u < width; u++, x += a, y += d, o += 3, p++) {
      if (only && !only[p]) continue;
      if (constant && (x < -0.5 || y < -0.5 || x > sw - 0.5 || y > sh - 0.5)) {
        out[o] = f0;
        out[o + 1] = f1;
        out[o + 2] = f2;
        continue;
      }
      const xc = x < 0 ? 0 : x > right ? right : x;
      const yc = y < 0 ? 0 : y > bottom ? bottom : y;
      const x0 = Math.floor(xc);
      const y0 = Math.floor(yc);
      const dx = x0 + 1 < sw ? 3 : 0;
      const dy = y0 + 1 < sh ? sw * 3 : 0;
      const fx = xc - x0;
      const fy = yc - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const i00 = (y0 * sw + x0) * 3;
      const i10 = i00 + dx;
      const i01 = i00 + dy;
      const i11 = i01 + dx;
      // a blend of 0..255 stays in 0..255; the store truncates, so +0.5 rounds
      out[o] = w00 * s[i00]! + w10 * s[i10]! + w01 * s[i01]! + w11 * s[i11]! + 0.5;
      out[o + 1] = w00 * s[i00 + 1]! + w10 * s[i10 + 1]! + w01 * s[i01 + 1]! + w11 * s[i11 + 1]! + 0.5;
      out[o + 2] = w00 * s[i00 + 2]! + w10 * s[i10 + 2]! + w01 * s[i01 + 2]! + w11 * s[i11 + 2]! + 0.5;
    }
  }
  return { width, height, data: out };
}
