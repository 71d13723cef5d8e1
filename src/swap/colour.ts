/**
 * Colour transfer for compositing (faceswap's contract: `process(old, new, mask)` returns the
 * new face recoloured to sit in the old one's light). `rct`: Reinhard's mean/std matching in
 * Lab; `hist`: per-channel histogram matching; `none`.
 *
 *   const fixed = COLOUR_METHODS.rct(originalCrop, swappedCrop, mask);
 */
import type { GrayImage, RgbImage } from '../util/geometry.ts';
import type { ColourMethod } from '../config/swap.ts';
import { scratch } from '../util/scratch.ts';

// sRGB <-> CIE Lab (D65), per pixel, floats; no allocation per pixel (compositing runs this on
// every face of every frame)
function toLinearExact(c: number): number {
  c /= 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}
/** toLinear of the 256 byte values, computed once. */
const LINEAR = Float64Array.from({ length: 256 }, (_, v) => toLinearExact(v));
function fromLinear(c: number): number {
  const v = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
  return Math.min(255, Math.max(0, v * 255));
}
/** The byte `Math.round(fromLinear(c))` stores, exactly. */
export function toByteExact(c: number): number {
  return Math.round(fromLinear(c));
}

// toByteExact without a power per call: THRESHOLD[k] is the least double c whose byte is k or
// more (found by bisecting the doubles' bit patterns, which order non-negative doubles as their
// values), and a grid over 0..1 says where to start looking. The byte only grows with c, so this
// returns what toByteExact returns for every c (the colour tests compare them).
const THRESHOLD = new Float64Array(257);
{
  const f64 = new Float64Array(1);
  const bits = new BigInt64Array(f64.buffer);
  const asDouble = (b: bigint) => ((bits[0] = b), f64[0]!);
  f64[0] = 1.5;
  const top = bits[0]!; // every byte is reached below 1.5
  for (let k = 1; k <= 255; k++) {
    let lo = 0n; // bits of 0.0: byte 0 < k
    let hi = top;
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      if (toByteExact(asDouble(mid)) >= k) hi = mid;
      else lo = mid;
    }
    THRESHOLD[k] = asDouble(hi);
  }
  THRESHOLD[0] = -Infinity;
  THRESHOLD[256] = Infinity;
}
const GRID = 4096;
/** START[i]: the byte of (i / GRID), where a search for a c in [i / GRID, (i + 1) / GRID) begins. */
const START = Uint8Array.from({ length: GRID + 1 }, (_, i) => toByteExact(i / GRID));
export function toByte(c: number): number {
  if (!(c > 0)) return 0; // negatives, zero and NaN (which Math.round(NaN) stores as 0)
  if (c >= 1) return c >= THRESHOLD[255]! ? 255 : toByteExact(c);
  let k = START[(c * GRID) | 0]!;
  while (c >= THRESHOLD[k + 1]!) k++;
  return k;
}
const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
const finv = (t: number) => {
  const t3 = t * t * t;
  return t3 > 216 / 24389 ? t3 : (116 * t - 16) / (24389 / 27);
};

/** Lab of the pixels of an RGB image that `which` marks (every pixel without it), into `out` (3 floats per pixel). */
function rgbToLabAll(data: Uint8Array, n: number, out: Float32Array, which?: Uint8Array): void {
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    if (which && !which[i]) continue;
    const R = LINEAR[data[o]!]!;
    const G = LINEAR[data[o + 1]!]!;
    const B = LINEAR[data[o + 2]!]!;
    const fx = f((0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047);
    const fy = f(0.2126 * R + 0.7152 * G + 0.0722 * B);
    const fz = f((0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883);
    out[o] = 116 * fy - 16;
    out[o + 1] = 500 * (fx - fy);
    out[o + 2] = 200 * (fy - fz);
  }
}

/** One Lab pixel to bytes at `o` of `out`. */
function labToRgbInto(L: number, a: number, bb: number, out: Uint8Array, o: number): void {
  const fy = (L + 16) / 116;
  const x = finv(fy + a / 500) * 0.95047;
  const y = finv(fy);
  const z = finv(fy - bb / 200) * 1.08883;
  out[o] = toByte(3.2406 * x - 1.5372 * y - 0.4986 * z);
  out[o + 1] = toByte(-0.9689 * x + 1.8758 * y + 0.0415 * z);
  out[o + 2] = toByte(0.0557 * x - 0.204 * y + 1.057 * z);
}

function inMask(mask: GrayImage | undefined, i: number): boolean {
  return !mask || mask.data[i]! > 127;
}

function rct(old: RgbImage, next: RgbImage, mask?: GrayImage, needed?: Uint8Array): RgbImage {
  const n = old.width * old.height;
  // scratch (src/util/scratch.ts): this runs on every face of every frame; each is read only where written
  const labOld = scratch('rct.labOld', Float32Array, n * 3, false);
  const labNew = scratch('rct.labNew', Float32Array, n * 3, false);
  // Lab where it is read: the statistics read the mask's pixels, the result the needed ones
  let inside: Uint8Array | undefined;
  let wanted: Uint8Array | undefined;
  if (mask) {
    inside = scratch('rct.inside', Uint8Array, n, false);
    for (let i = 0; i < n; i++) inside[i] = mask.data[i]! > 127 ? 1 : 0;
    if (needed) {
      wanted = scratch('rct.wanted', Uint8Array, n, false);
      for (let i = 0; i < n; i++) wanted[i] = inside[i]! | needed[i]!;
    }
  }
  rgbToLabAll(old.data, n, labOld, inside);
  rgbToLabAll(next.data, n, labNew, wanted);
  const stats = (lab: Float32Array) => {
    // per channel, in pixel order: the sum and the sum of squares over the mask's pixels
    let m0 = 0;
    let m1 = 0;
    let m2 = 0;
    let q0 = 0;
    let q1 = 0;
    let q2 = 0;
    let k = 0;
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      if (inside && !inside[i]) continue;
      k++;
      const l = lab[o]!;
      const a = lab[o + 1]!;
      const b = lab[o + 2]!;
      m0 += l;
      q0 += l ** 2;
      m1 += a;
      q1 += a ** 2;
      m2 += b;
      q2 += b ** 2;
    }
    k = Math.max(1, k);
    const channel = (m: number, q: number) => [m / k, Math.sqrt(Math.max(1e-6, q / k - (m / k) ** 2))] as const;
    return [channel(m0, q0), channel(m1, q1), channel(m2, q2)];
  };
  const so = stats(labOld);
  const sn = stats(labNew);
  // per channel: (x - mean_new) / std_new * std_old + mean_old, as a scale and an offset
  const scale = [0, 1, 2].map((c) => so[c]![1] / sn[c]![1]);
  const shift = [0, 1, 2].map((c) => so[c]![0] - sn[c]![0] * scale[c]!);
  const [s0, s1, s2] = scale as [number, number, number];
  const [t0, t1, t2] = shift as [number, number, number];
  // pixels nobody will read keep the new face's colour (the conversion back is the costly part)
  const out = needed ? new Uint8Array(next.data) : new Uint8Array(n * 3);
  for (let i = 0, o = 0; i < n; i++, o += 3) if (!needed || needed[i]) labToRgbInto(labNew[o]! * s0 + t0, labNew[o + 1]! * s1 + t1, labNew[o + 2]! * s2 + t2, out, o);
  return { width: old.width, height: old.height, data: out };
}

function hist(old: RgbImage, next: RgbImage, mask?: GrayImage): RgbImage {
  const n = old.width * old.height;
  const out = new Uint8Array(next.data);
  for (let c = 0; c < 3; c++) {
    const ho = new Float64Array(256);
    const hn = new Float64Array(256);
    for (let i = 0; i < n; i++) {
      if (!inMask(mask, i)) continue;
      ho[old.data[i * 3 + c]!]!++;
      hn[next.data[i * 3 + c]!]!++;
    }
    const cdf = (h: Float64Array) => {
      const t = h.reduce((a, b) => a + b, 0) || 1;
      let s = 0;
      return Array.from(h, (v) => (s += v) / t);
    };
    const co = cdf(ho);
    const cn = cdf(hn);
    const lut = new Uint8Array(256);
    let j = 0;
    for (let v = 0; v < 256; v++) {
      while (j < 255 && co[j]! < cn[v]!) j++;
      lut[v] = j;
    }
    for (let i = 0; i < n; i++) out[i * 3 + c] = lut[next.data[i * 3 + c]!]!;
  }
  return { width: next.width, height: next.height, data: out };
}

/**
 * `process(old, new, mask, needed?)`: `needed` (one byte per pixel, non-zero where the result is
 * read) lets a method skip the rest; those pixels are the new face's as it came.
 */
export const COLOUR_METHODS: Readonly<Record<ColourMethod, (old: RgbImage, next: RgbImage, mask?: GrayImage, needed?: Uint8Array) => RgbImage>> = Object.freeze({
  none: (_old: RgbImage, next: RgbImage) => next,
  rct,
  hist,
});
