/**
 * Per-pixel loops in WebAssembly (src/media/pixel-kernels.wat, embedded as pixel-kernels-binary.ts):
 * affine warps with a replicated border, and compositing's blend, min filter, feather, pixels read
 * and rct colour transfer; the same bytes as the JavaScript that defines them (warp-affine.ts's
 * loop; test/helpers/blend-face.ts; composite.test.ts's plain definitions; colour.ts's
 * rctReference), in less time. One instance per thread, on its own memory: each call copies what
 * it reads in and what it wrote out.
 *
 *   blendFaceWasm(job);                                 // as blendFace(job)
 *   erodeWasm(mask, w, h, r, out);  featherWasm(mask, w, h, r, alpha);   // composite.ts's erode and feather
 *   warpWasm(frame, inverse, 256, 256, only, into);     // warpAffine(frame, inverse, 256, 256, { border: 'replicate', only, into })
 *   const k = pixelKernels();                            // the instance, for colour.ts
 *   const [a, b] = layout(k, [bytesOfA, bytesOfB]);      // byte offsets of two blocks in its memory
 */
import type { Affine, RgbImage } from '../util/geometry.ts';
import { PIXEL_KERNELS } from './pixel-kernels-binary.ts';

export interface PixelKernels {
  memory: WebAssembly.Memory;
  cbrt(x: number): number;
  cbrt_pair(x0: number, x1: number, out: number): void;
  warp(src: number, sw: number, sh: number, ybase: number, out: number, width: number, height: number, a: number, b: number, c: number, d: number, e: number, f: number, only: number): void;
  rct_pixels(mask: number, needed: number, n: number, inside: number, wanted: number): void;
  pixels_read(alpha: number, mask: number, size: number, seed: number, across: number, needed: number, box: number): void;
  erode(src: number, w: number, h: number, r: number, tmp: number, out: number): void;
  feather(mask: number, w: number, h: number, r: number, a: number, tmp: number, sums: number): void;
  rgb_to_lab(rgb: number, n: number, lab: number, which: number, t1: number, kk: number): void;
  lab_stats(lab: number, n: number, which: number, out: number): void;
  lab_to_rgb(lab: number, n: number, rgb: number, which: number, s0: number, s1: number, s2: number, u0: number, u1: number, u2: number, t1: number, kk: number): void;
  blend(src: number, out: number, repl: number, rx0: number, rw: number, rgb: number, alpha: number, size: number, a: number, b: number, c: number, d: number, e: number, f: number, ranges: number, y0: number, y1: number): void;
}

/** The memory below this offset holds colour.ts's tables (written once, by colour.ts); blocks start above it. */
export const TABLES_END = 16384;
/** Where pixel-kernels.wat reads colour.ts's tables (byte offsets, fixed in the .wat): LINEAR, THRESHOLD, START, the conversion constants. */
export const COLOUR_TABLES = Object.freeze({ linear: 0, threshold: 2048, start: 4112, constants: 8216 });

/** The composite blend's inputs: every frame pixel whose point in the crop (through the matrix) lies inside it is blended with the face by the bilinear alpha there. */
export interface BlendJob {
  /** The frame's pixels to blend into (RGB) and the pixels blended with (the same array or the original frame). */
  out: Uint8Array;
  src: Uint8Array;
  /** The frame's width in pixels. */
  width: number;
  /** The replaced-pixel mask of the frame (one byte a pixel), written where alpha > 0. */
  replaced: Uint8Array;
  /** The recoloured face (RGB) and its alpha (0-1), size x size. */
  rgb: Uint8Array;
  alpha: Float32Array;
  size: number;
  /** Frame point -> crop point. */
  matrix: Affine;
  /** Frame rows y0 .. y1 (inclusive), and on each the columns [from, to] to visit (to < from: none). */
  y0: number;
  y1: number;
  columns(y: number, range: [number, number]): void;
}

let instance: PixelKernels | null = null;
export function pixelKernels(): PixelKernels {
  instance ??= new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(PIXEL_KERNELS, 'base64'))).exports as unknown as PixelKernels;
  return instance;
}

/** Byte offsets for blocks of the given sizes (16-byte aligned) in the module's memory, grown to hold them all. */
export function layout(k: PixelKernels, sizes: readonly number[]): number[] {
  const offsets: number[] = [];
  let end = TABLES_END;
  for (const s of sizes) {
    offsets.push(end);
    end += Math.ceil(s / 16) * 16 + 16; // and 16 bytes more: a 4-byte load of a block's last RGB pixel reads 1 byte past it
  }
  const have = k.memory.buffer.byteLength;
  if (end > have) k.memory.grow(Math.ceil((end - have) / 65536));
  return offsets;
}

/** The composite blend (the same bytes as test/helpers/blend-face.ts's definition). */
export function blendFaceWasm(j: BlendJob): void {
  if (j.y1 < j.y0) return;
  const k = pixelKernels();
  const rows = j.y1 - j.y0 + 1;
  // the columns each row visits (whether any are is all rx0 and rx1 say: whole rows are copied)
  const ranges = new Int32Array(rows * 2);
  const range: [number, number] = [0, -1];
  let rx0 = Infinity;
  let rx1 = -Infinity;
  for (let r = 0; r < rows; r++) {
    j.columns(j.y0 + r, range);
    ranges[2 * r] = range[0];
    ranges[2 * r + 1] = range[1];
    if (range[1] >= range[0]) {
      if (range[0] < 0 || range[1] >= j.width) throw new Error(`blendFaceWasm: row ${j.y0 + r}'s columns ${range[0]}..${range[1]} are not all inside the frame's 0..${j.width - 1}`);
      rx0 = Math.min(rx0, range[0]);
      rx1 = Math.max(rx1, range[1]);
    }
  }
  if (rx1 < rx0) return;
  // whole rows y0 .. y1 (one copy each way); blending in place (out is src) reads each pixel
  // before it writes it, so one block serves both
  const n = j.size * j.size;
  const rowBytes = j.width * 3;
  const inPlace = j.out === j.src;
  const [pSrc, pOut, pRepl, pRgb, pAlpha, pRanges] = layout(k, [rows * rowBytes, inPlace ? 0 : rows * rowBytes, rows * j.width, n * 3, n * 4, rows * 8]) as [number, number, number, number, number, number];
  const out = inPlace ? pSrc : pOut;
  const heap = new Uint8Array(k.memory.buffer);
  heap.set(j.src.subarray(j.y0 * rowBytes, (j.y1 + 1) * rowBytes), pSrc);
  if (!inPlace) heap.set(j.out.subarray(j.y0 * rowBytes, (j.y1 + 1) * rowBytes), pOut);
  heap.set(j.replaced.subarray(j.y0 * j.width, (j.y1 + 1) * j.width), pRepl);
  heap.set(j.rgb.subarray(0, n * 3), pRgb);
  new Float32Array(k.memory.buffer, pAlpha, n).set(j.alpha.subarray(0, n));
  new Int32Array(k.memory.buffer, pRanges, rows * 2).set(ranges);
  const [a, b, c, d, e, f] = j.matrix;
  k.blend(pSrc, out, pRepl, 0, j.width, pRgb, pAlpha, j.size, a, b, c, d, e, f, pRanges, j.y0, j.y1);
  j.out.set(heap.subarray(out, out + rows * rowBytes), j.y0 * rowBytes);
  j.replaced.set(heap.subarray(pRepl, pRepl + rows * j.width), j.y0 * j.width);
}

/** composite.ts's erode: the min over each (2r + 1)-square window of a w x h byte mask, 0 outside it, into out. */
export function erodeWasm(src: Uint8Array, w: number, h: number, r: number, out: Uint8Array): void {
  const k = pixelKernels();
  const n = w * h;
  const [pSrc, pTmp, pOut] = layout(k, [n, n, n]) as [number, number, number];
  const heap = new Uint8Array(k.memory.buffer);
  heap.set(src.subarray(0, n), pSrc);
  k.erode(pSrc, w, h, r, pTmp, pOut);
  out.set(heap.subarray(pOut, pOut + n));
}

/** composite.ts's feather: a w x h byte mask / 255, box-blurred twice with radius r, into alpha (float32). */
export function featherWasm(mask: Uint8Array, w: number, h: number, r: number, alpha: Float32Array): void {
  const k = pixelKernels();
  const n = w * h;
  const [pMask, pA, pTmp, pSums] = layout(k, [n, n * 4, n * 4, w * 8]) as [number, number, number, number];
  new Uint8Array(k.memory.buffer).set(mask.subarray(0, n), pMask);
  k.feather(pMask, w, h, r, pA, pTmp, pSums);
  alpha.set(new Float32Array(k.memory.buffer, pA, n));
}

/** composite.ts's pixelsRead: the crop pixels the blend reads into needed (one byte each), and the box [x0, y0, x1, y1] of the pixels with alpha > 0. */
export function pixelsReadWasm(alpha: Float32Array, mask: Uint8Array, size: number, needed: Uint8Array): [number, number, number, number] {
  const k = pixelKernels();
  const n = size * size;
  const [pAlpha, pMask, pSeed, pAcross, pNeeded, pBox] = layout(k, [n * 4, n, n, n, n, 16]) as [number, number, number, number, number, number];
  new Float32Array(k.memory.buffer, pAlpha, n).set(alpha.subarray(0, n));
  const heap = new Uint8Array(k.memory.buffer);
  heap.set(mask.subarray(0, n), pMask);
  k.pixels_read(pAlpha, pMask, size, pSeed, pAcross, pNeeded, pBox);
  needed.set(heap.subarray(pNeeded, pNeeded + n));
  const box = new Int32Array(k.memory.buffer, pBox, 4);
  return [box[0]!, box[1]!, box[2]!, box[3]!];
}

/**
 * media/warp-affine.ts's warpAffine with border 'replicate' (the same bytes): into (width x height
 * RGB) gets the pixels `only` marks (all without it), every other pixel 0. Only the source rows
 * the map reaches are copied in.
 */
export function warpWasm(src: RgbImage, inverse: Affine, width: number, height: number, only: Uint8Array | undefined, into: Uint8Array): RgbImage {
  if (into.length !== width * height * 3) throw new Error(`warpWasm: expected ${width * height * 3} bytes to write into, got ${into.length}`);
  const n = width * height;
  if (only && only.length < n) throw new Error(`warpWasm: expected a mark for each of the ${n} output pixels, got ${only.length}`);
  const k = pixelKernels();
  const [a, b, c, d, e, f] = inverse;
  // the source rows reached: the map's extremes are at the output's corners (two rows' margin
  // for the bilinear neighbour and the stepped coordinates' rounding); every row when the map
  // is not finite or so large that stepping's rounding could pass the margin
  const ys = [f, e * (height - 1) + f, d * (width - 1) + f, d * (width - 1) + e * (height - 1) + f];
  const window = [a, b, c, d, e, f].every(Number.isFinite) && ys.every((y) => Math.abs(y) < 2 ** 31);
  const base = window ? Math.max(0, Math.min(src.height - 1, Math.floor(Math.min(...ys)) - 2)) : 0;
  const last = window ? Math.max(0, Math.min(src.height - 1, Math.ceil(Math.max(...ys)) + 2)) : src.height - 1;
  const rows = last - base + 1;
  const rowBytes = src.width * 3;
  const [pSrc, pOut, pOnly] = layout(k, [rows * rowBytes, n * 3, only ? n : 0]) as [number, number, number];
  const heap = new Uint8Array(k.memory.buffer);
  heap.set(src.data.subarray(base * rowBytes, (base + rows) * rowBytes), pSrc);
  heap.fill(0, pOut, pOut + n * 3);
  if (only) heap.set(only.subarray(0, n), pOnly);
  k.warp(pSrc, src.width, src.height, base, pOut, width, height, a, b, c, d, e, f, only ? pOnly : -1);
  into.set(heap.subarray(pOut, pOut + n * 3));
  return { width, height, data: into };
}
