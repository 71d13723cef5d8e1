/**
 * Colour transfer for compositing (faceswap's contract: `process(old, new, mask)` returns the
 * new face recoloured to sit in the old one's light). `rct`: Reinhard's mean/std matching in
 * Lab; `hist`: per-channel histogram matching; `none`.
 *
 *   const fixed = COLOUR_METHODS.rct(originalCrop, swappedCrop, mask);
 */
import type { GrayImage, RgbImage } from '../util/geometry.ts';
import type { ColourMethod } from '../config/swap.ts';
import { COLOUR_TABLES, pixelKernels, layout, type PixelKernels } from '../media/pixel-kernels.ts';

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
/** CIE Lab's threshold (6/29)^3 and slope (29/3)^3, read by the JavaScript and passed to the kernels. */
const T1 = 216 / 24389;
const KK = 24389 / 27;
const f = (t: number) => (t > T1 ? Math.cbrt(t) : (KK * t + 16) / 116);
const finv = (t: number) => {
  const t3 = t * t * t;
  return t3 > T1 ? t3 : (116 * t - 16) / KK;
};

/**
 * The conversions' constants, read by the JavaScript below and written into the WebAssembly
 * kernels' memory (one source for both): linear RGB -> XYZ by rows, the D65 white's X and Z,
 * XYZ -> linear RGB by rows.
 */
const RGB_TO_XYZ = [0.4124, 0.3576, 0.1805, 0.2126, 0.7152, 0.0722, 0.0193, 0.1192, 0.9505] as const;
const WHITE_XZ = [0.95047, 1.08883] as const;
const XYZ_TO_RGB = [3.2406, -1.5372, -0.4986, -0.9689, 1.8758, 0.0415, 0.0557, -0.204, 1.057] as const;
const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = RGB_TO_XYZ;
const [wx, wz] = WHITE_XZ;
const [r0, r1, r2, r3, r4, r5, r6, r7, r8] = XYZ_TO_RGB;

/** Lab of the pixels of an RGB image that `which` marks (every pixel without it), into `out` (3 floats per pixel). */
function rgbToLabAll(data: Uint8Array, n: number, out: Float32Array, which?: Uint8Array): void {
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    if (which && !which[i]) continue;
    const R = LINEAR[data[o]!]!;
    const G = LINEAR[data[o + 1]!]!;
    const B = LINEAR[data[o + 2]!]!;
    const fx = f((m0 * R + m1 * G + m2 * B) / wx);
    const fy = f(m3 * R + m4 * G + m5 * B);
    const fz = f((m6 * R + m7 * G + m8 * B) / wz);
    out[o] = 116 * fy - 16;
    out[o + 1] = 500 * (fx - fy);
    out[o + 2] = 200 * (fy - fz);
  }
}

/** One Lab pixel to bytes at `o` of `out`. */
function labToRgbInto(L: number, a: number, bb: number, out: Uint8Array, o: number): void {
  const fy = (L + 16) / 116;
  const x = finv(fy + a / 500) * wx;
  const y = finv(fy);
  const z = finv(fy - bb / 200) * wz;
  out[o] = toByte(r0 * x + r1 * y + r2 * z);
  out[o + 1] = toByte(r3 * x + r4 * y + r5 * z);
  out[o + 2] = toByte(r6 * x + r7 * y + r8 * z);
}

function inMask(mask: GrayImage | undefined, i: number): boolean {
  return !mask || mask.data[i]! > 127;
}

/** One channel's statistics from its sums over k pixels: the mean and the standard deviation. */
function channelStats(m: number, q: number, k: number): readonly [number, number] {
  return [m / k, Math.sqrt(Math.max(1e-6, q / k - (m / k) ** 2))];
}

/**
 * rct's colour transfer from the sums over the mask's pixels of each image's Lab (m0, m1, m2, q0,
 * q1, q2 and the count): per channel, (x - mean_new) / std_new * std_old + mean_old, as a scale
 * and an offset.
 */
function transfer(sumsOld: ArrayLike<number>, sumsNew: ArrayLike<number>): { scale: [number, number, number]; shift: [number, number, number] } {
  const stats = (s: ArrayLike<number>) => {
    const k = Math.max(1, s[6]!);
    return [channelStats(s[0]!, s[3]!, k), channelStats(s[1]!, s[4]!, k), channelStats(s[2]!, s[5]!, k)];
  };
  const so = stats(sumsOld);
  const sn = stats(sumsNew);
  const scale = [0, 1, 2].map((c) => so[c]![1] / sn[c]![1]) as [number, number, number];
  const shift = [0, 1, 2].map((c) => so[c]![0] - sn[c]![0] * scale[c]!) as [number, number, number];
  return { scale, shift };
}

/** The pixels rct reads: inside the mask (> 127) for the statistics, and those or the needed ones of the new face. */
function rctPixels(mask: GrayImage, needed: Uint8Array | undefined, inside: Uint8Array, wanted: Uint8Array | undefined): void {
  for (let i = 0; i < inside.length; i++) inside[i] = mask.data[i]! > 127 ? 1 : 0;
  if (wanted && needed) for (let i = 0; i < inside.length; i++) wanted[i] = inside[i]! | needed[i]!;
}

/**
 * rct in JavaScript: the definition the WebAssembly one (rct, below) reproduces byte for byte
 * (test/media/pixel-kernels.test.ts compares them).
 */
export function rctReference(old: RgbImage, next: RgbImage, mask?: GrayImage, needed?: Uint8Array): RgbImage {
  const n = old.width * old.height;
  const labOld = new Float32Array(n * 3);
  const labNew = new Float32Array(n * 3);
  // Lab where it is read: the statistics read the mask's pixels, the result the needed ones
  let inside: Uint8Array | undefined;
  let wanted: Uint8Array | undefined;
  if (mask) {
    inside = new Uint8Array(n);
    wanted = needed ? new Uint8Array(n) : undefined;
    rctPixels(mask, needed, inside, wanted);
  }
  rgbToLabAll(old.data, n, labOld, inside);
  rgbToLabAll(next.data, n, labNew, wanted);
  const sums = (lab: Float32Array) => {
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
      q0 += l * l;
      m1 += a;
      q1 += a * a;
      m2 += b;
      q2 += b * b;
    }
    return [m0, m1, m2, q0, q1, q2, k];
  };
  const { scale, shift } = transfer(sums(labOld), sums(labNew));
  const [s0, s1, s2] = scale;
  const [t0, t1, t2] = shift;
  // pixels nobody will read keep the new face's colour (the conversion back is the costly part)
  const out = needed ? new Uint8Array(next.data) : new Uint8Array(n * 3);
  for (let i = 0, o = 0; i < n; i++, o += 3) if (!needed || needed[i]) labToRgbInto(labNew[o]! * s0 + t0, labNew[o + 1]! * s1 + t1, labNew[o + 2]! * s2 + t2, out, o);
  return { width: old.width, height: old.height, data: out };
}

/** colour.ts's tables in the kernels' memory (pixel-kernels.wat says where), written once per instance. */
const tablesWritten = new WeakSet<PixelKernels>();
function kernelsWithTables(): PixelKernels {
  const k = pixelKernels();
  if (!tablesWritten.has(k)) {
    if (!(THRESHOLD[255]! <= 1)) throw new Error(`colour: expected the least linear value of byte 255 to be at most 1 (the kernels return 255 from 1 up), got ${THRESHOLD[255]}`);
    new Float64Array(k.memory.buffer, COLOUR_TABLES.linear, 256).set(LINEAR);
    new Float64Array(k.memory.buffer, COLOUR_TABLES.threshold, 257).set(THRESHOLD);
    new Uint8Array(k.memory.buffer, COLOUR_TABLES.start, GRID + 1).set(START);
    new Float64Array(k.memory.buffer, COLOUR_TABLES.constants, 20).set([...RGB_TO_XYZ, ...WHITE_XZ, ...XYZ_TO_RGB]);
    tablesWritten.add(k);
  }
  return k;
}

/**
 * rct's two conversions alone, in JavaScript (`wasm` false: the definition) or WebAssembly, for
 * the tests that compare them bit for bit: the Lab (float32) of n RGB pixels, and RGB bytes of
 * Lab pixels scaled and shifted per channel.
 */
export function labOf(rgb: Uint8Array, n: number, wasm: boolean): Float32Array {
  if (!wasm) {
    const out = new Float32Array(n * 3);
    rgbToLabAll(rgb, n, out);
    return out;
  }
  const k = kernelsWithTables();
  const [pRgb, pLab] = layout(k, [n * 3, n * 12]) as [number, number];
  new Uint8Array(k.memory.buffer).set(rgb.subarray(0, n * 3), pRgb);
  k.rgb_to_lab(pRgb, n, pLab, -1, T1, KK);
  return new Float32Array(k.memory.buffer, pLab, n * 3).slice();
}
export function rgbOfLab(lab: Float32Array, n: number, scale: readonly [number, number, number], shift: readonly [number, number, number], wasm: boolean): Uint8Array {
  if (!wasm) {
    const out = new Uint8Array(n * 3);
    for (let o = 0; o < n * 3; o += 3) labToRgbInto(lab[o]! * scale[0] + shift[0], lab[o + 1]! * scale[1] + shift[1], lab[o + 2]! * scale[2] + shift[2], out, o);
    return out;
  }
  const k = kernelsWithTables();
  const [pLab, pRgb] = layout(k, [n * 12, n * 3]) as [number, number];
  new Float32Array(k.memory.buffer, pLab, n * 3).set(lab.subarray(0, n * 3));
  k.lab_to_rgb(pLab, n, pRgb, -1, scale[0], scale[1], scale[2], shift[0], shift[1], shift[2], T1, KK);
  return new Uint8Array(k.memory.buffer, pRgb, n * 3).slice();
}

/** rct (Reinhard's transfer in Lab) in WebAssembly: rctReference's bytes. */
function rct(old: RgbImage, next: RgbImage, mask?: GrayImage, needed?: Uint8Array): RgbImage {
  const n = old.width * old.height;
  if (next.width * next.height !== n) throw new Error(`rct: expected two images of one size, got ${old.width}x${old.height} and ${next.width}x${next.height}`);
  const k = kernelsWithTables();
  const [pOld, pNew, pLabOld, pLabNew, pMask, pNeeded, pInside, pWanted, pOut, pSums] = layout(k, [n * 3, n * 3, n * 12, n * 12, n, n, n, n, n * 3, 7 * 8 * 2]) as [number, number, number, number, number, number, number, number, number, number];
  const heap = new Uint8Array(k.memory.buffer);
  heap.set(old.data.subarray(0, n * 3), pOld);
  heap.set(next.data.subarray(0, n * 3), pNew);
  if (needed) heap.set(needed.subarray(0, n), pNeeded);
  let inside = -1;
  let wanted = -1;
  if (mask) {
    heap.set(mask.data.subarray(0, n), pMask);
    k.rct_pixels(pMask, needed ? pNeeded : -1, n, pInside, pWanted);
    inside = pInside;
    if (needed) wanted = pWanted;
  }
  k.rgb_to_lab(pOld, n, pLabOld, inside, T1, KK);
  k.rgb_to_lab(pNew, n, pLabNew, wanted, T1, KK);
  k.lab_stats(pLabOld, n, inside, pSums);
  k.lab_stats(pLabNew, n, inside, pSums + 56);
  const sums = new Float64Array(k.memory.buffer, pSums, 14);
  const { scale, shift } = transfer(sums.subarray(0, 7), sums.subarray(7, 14));
  // pixels nobody will read keep the new face's colour (the conversion back is the costly part)
  if (needed) heap.copyWithin(pOut, pNew, pNew + n * 3);
  else heap.fill(0, pOut, pOut + n * 3);
  k.lab_to_rgb(pLabNew, n, pOut, needed ? pNeeded : -1, scale[0], scale[1], scale[2], shift[0], shift[1], shift[2], T1, KK);
  return { width: old.width, height: old.height, data: heap.slice(pOut, pOut + n * 3) };
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
