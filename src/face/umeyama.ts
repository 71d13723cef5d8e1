/**
 * Least-squares similarity transforms between point sets (Umeyama 1991), and the mean shape
 * of many point sets (generalised Procrustes analysis).
 *
 *   const m = umeyama(landmarks, templatePoints);   // Affine mapping landmarks onto the template
 *   const mean = meanShape([shapeA, shapeB, …]);
 */
import { applyAffine } from '../media/warp-affine.ts';
import type { Affine, Point } from '../util/geometry.ts';

/** The similarity (rotation, uniform scale, translation) that best maps `src` onto `dst`. */
export function umeyama(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  if (n !== dst.length || n < 2) throw new Error(`umeyama: expected two point sets of equal length >= 2, got ${n} and ${dst.length}`);
  let mx = 0;
  let my = 0;
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < n; i++) {
    mx += src[i]![0];
    my += src[i]![1];
    nx += dst[i]![0];
    ny += dst[i]![1];
  }
  mx /= n;
  my /= n;
  nx /= n;
  ny /= n;
  // For 2-D similarity the closed form reduces to: a = Σ(x·u + y·v)/Σ|p|², b = Σ(x·v − y·u)/Σ|p|²
  let sxx = 0;
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i]![0] - mx;
    const y = src[i]![1] - my;
    const u = dst[i]![0] - nx;
    const v = dst[i]![1] - ny;
    sxx += x * x + y * y;
    a += x * u + y * v;
    b += x * v - y * u;
  }
  if (sxx < 1e-12) throw new Error('umeyama: the source points are all at one place');
  a /= sxx;
  b /= sxx;
  // [u; v] = [a -b; b a][x; y] + t
  return [a, -b, nx - (a * mx - b * my), b, a, ny - (b * mx + a * my)];
}

export function transformPoints(m: Affine, pts: readonly Point[]): Point[] {
  return pts.map(([x, y]) => applyAffine(m, x, y));
}

export function meanDistance(a: readonly Point[], b: readonly Point[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.hypot(a[i]![0] - b[i]![0], a[i]![1] - b[i]![1]);
  return s / a.length;
}

/** Centre at the origin, scale to unit RMS radius. */
function normaliseShape(pts: readonly Point[]): Point[] {
  const n = pts.length;
  const cx = pts.reduce((s, p) => s + p[0], 0) / n;
  const cy = pts.reduce((s, p) => s + p[1], 0) / n;
  const r = Math.sqrt(pts.reduce((s, p) => s + (p[0] - cx) ** 2 + (p[1] - cy) ** 2, 0) / n);
  return pts.map(([x, y]) => [(x - cx) / r, (y - cy) / r] as Point);
}

/** Generalised Procrustes: align every shape to the running mean until it settles. */
export function meanShape(shapes: readonly (readonly Point[])[], iterations = 20): Point[] {
  if (!shapes.length) throw new Error('meanShape: no shapes');
  let mean = normaliseShape(shapes[0]!);
  for (let it = 0; it < iterations; it++) {
    const aligned = shapes.map((s) => transformPoints(umeyama(s, mean), s));
    const next = normaliseShape(mean.map((_, i) => [aligned.reduce((s, a) => s + a[i]![0], 0) / aligned.length, aligned.reduce((s, a) => s + a[i]![1], 0) / aligned.length] as Point));
    const moved = meanDistance(next, mean);
    mean = next;
    if (moved < 1e-9) break;
  }
  return mean;
}
