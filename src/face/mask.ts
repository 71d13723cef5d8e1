/**
 * Face masks at the aligned size: the convex hull of the landmarks, extended above the brows
 * to the forehead (like faceswap's "extended" mask). 255 inside, 0 outside, one byte a pixel.
 *
 *   const m = extendedMask(alignedLandmarks, 256);   // { width, height, data: Uint8Array }
 */
import type { GrayImage, Point } from '../util/geometry.ts';

/** Andrew's monotone chain; returns the hull counter-clockwise. */
export function convexHull(points: readonly Point[]): Point[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Point[] = [];
  for (const q of p.reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0) upper.pop();
    upper.push(q);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/** Fill a polygon (even-odd, pixel centres) into a new mask. */
export function fillPolygon(poly: readonly Point[], width: number, height: number): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const yc = y + 0.5;
    const xs: number[] = [];
    for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
      const [xi, yi] = poly[i]!;
      const [xj, yj] = poly[j]!;
      if (yi > yc !== yj > yc) xs.push(xi + ((yc - yi) / (yj - yi)) * (xj - xi));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const x0 = Math.max(0, Math.ceil(xs[k]! - 0.5));
      const x1 = Math.min(width - 1, Math.floor(xs[k + 1]! - 0.5));
      for (let x = x0; x <= x1; x++) data[y * width + x] = 255;
    }
  }
  return { width, height, data };
}

/** The landmark hull with the brows raised by a third of the brow-to-chin height. */
export function extendedMask(landmarks: readonly Point[], size: number): GrayImage {
  const chin = landmarks[8]!;
  const browY = landmarks.slice(17, 27).reduce((s, p) => s + p[1], 0) / 10;
  const lift = (chin[1] - browY) / 3;
  const pts: Point[] = landmarks.map((p, i) => (i >= 17 && i <= 26 ? [p[0], p[1] - lift] : [p[0], p[1]]));
  return fillPolygon(convexHull(pts), size, size);
}
