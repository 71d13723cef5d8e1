/**
 * Per-pixel loss weights at the model's input: the face mask weighted up (1 + maskWeight), the
 * background at `backgroundWeight`, and the eyes and mouth (from the landmark template, where
 * alignment puts them in every crop) `eyeMouthWeight` more on top: faceswap's eye and mouth
 * multipliers, without per-face landmarks.
 *
 *   const em = eyeMouthMap(64, 0.75, 1.6);                         // Float32Array 64*64, 0..1
 *   const w = pixelWeights(mask, em, { maskWeight: 3, backgroundWeight: 1, eyeMouthWeight: 2 });
 */
import { templateInCrop } from '../face/align.ts';
import type { Point } from '../util/geometry.ts';
import { convexHull, fillPolygon } from '../face/mask.ts';

export interface WeightSettings {
  maskWeight: number;
  backgroundWeight: number;
  eyeMouthWeight: number;
}

/** Grow a polygon about its centroid. */
function grow(points: readonly Point[], factor: number): Point[] {
  const cx = points.reduce((s, p) => s + p[0], 0) / points.length;
  const cy = points.reduce((s, p) => s + p[1], 0) / points.length;
  return points.map(([x, y]) => [cx + (x - cx) * factor, cy + (y - cy) * factor] as Point);
}

const REGIONS: ReadonlyArray<{ points: readonly number[]; grow: number }> = [
  { points: [36, 37, 38, 39, 40, 41, 17, 18, 19, 20, 21], grow: 1.15 }, // left eye with its brow
  { points: [42, 43, 44, 45, 46, 47, 22, 23, 24, 25, 26], grow: 1.15 }, // right eye with its brow
  { points: [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59], grow: 1.3 }, // mouth
];

/**
 * Eyes (with brows) and mouth of the alignment template as a `size` x `size` map (1 inside, 0
 * outside), in the coordinates of the model input: the coverage square of a crop aligned at
 * `extractCoverage`.
 */
export function eyeMouthMap(size: number, coverage: number, extractCoverage: number): Float32Array {
  const full = size / coverage;
  const shift = (full - size) / 2;
  const pts = templateInCrop({ size: full, coverage: extractCoverage }).map(([x, y]) => [x - shift, y - shift] as Point);
  const out = new Float32Array(size * size);
  for (const r of REGIONS) {
    const poly = convexHull(grow(r.points.map((i) => pts[i]!), r.grow));
    const m = fillPolygon(poly, size, size);
    for (let i = 0; i < out.length; i++) if (m.data[i]) out[i] = 1;
  }
  return out;
}

/** The loss weight of one pixel: its face-mask value `m` and eye/mouth value `e` (both 0..1). */
export function pixelWeight(m: number, e: number, s: WeightSettings): number {
  return (1 - m) * s.backgroundWeight + m * (1 + s.maskWeight + e * s.eyeMouthWeight);
}

/** The weight map of one face: mask (0..1, model input size) or null for none, eye/mouth map. */
export function pixelWeights(mask: Float32Array | null, eyeMouth: Float32Array | null, s: WeightSettings): Float32Array {
  const n = mask?.length ?? eyeMouth!.length;
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = pixelWeight(mask ? mask[i]! : 1, eyeMouth ? eyeMouth[i]! : 0, s);
  return w;
}
