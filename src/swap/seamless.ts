/**
 * Seamless (Poisson) blending in the aligned crop, as in Pérez et al. 2003 and OpenCV's
 * seamlessClone: inside the mask the result keeps the swapped face's gradients, and on the
 * mask's edge it takes the original's values. Solved as a membrane: the correction
 * d = result − face is harmonic inside the mask and equals original − face on its boundary
 * (successive over-relaxation, a fixed number of sweeps so the output is reproducible).
 *
 *   const blended = seamlessClone(originalCrop, swappedCrop, mask);   // RgbImage, crop size
 */
import type { GrayImage, RgbImage } from '../util/geometry.ts';

export interface SeamlessOptions {
  /** Relaxation sweeps (more: smoother low frequencies). */
  iterations?: number;
  /** Over-relaxation factor, 1 (Gauss-Seidel) … < 2. */
  omega?: number;
}

export function seamlessClone(original: RgbImage, face: RgbImage, mask: GrayImage, opts: SeamlessOptions = {}): RgbImage {
  const { width: w, height: h } = face;
  if (original.width !== w || original.height !== h || mask.width !== w || mask.height !== h) {
    throw new Error(`seamlessClone: expected original, face and mask of one size (${w}x${h}), got ${original.width}x${original.height} and ${mask.width}x${mask.height}`);
  }
  const iterations = opts.iterations ?? 400;
  const omega = opts.omega ?? 1.9;
  const n = w * h;
  // the domain: mask pixels off the crop's edge (so every domain pixel has 4 neighbours)
  const inside = new Uint8Array(n);
  const domain: number[] = [];
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (mask.data[i]! > 127) {
        inside[i] = 1;
        domain.push(i);
      }
    }
  }
  const out = new Uint8Array(original.data);
  if (!domain.length) return { width: w, height: h, data: out };
  const d = new Float32Array(n);
  for (let c = 0; c < 3; c++) {
    // boundary values (outside the domain): original − face; start the inside at their mean
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (inside[i]) continue;
      d[i] = original.data[i * 3 + c]! - face.data[i * 3 + c]!;
    }
    for (const i of domain) {
      for (const j of [i - 1, i + 1, i - w, i + w]) {
        if (!inside[j]) {
          sum += d[j]!;
          count++;
        }
      }
    }
    const start = count ? sum / count : 0;
    for (const i of domain) d[i] = start;
    for (let it = 0; it < iterations; it++) {
      for (const i of domain) {
        const avg = (d[i - 1]! + d[i + 1]! + d[i - w]! + d[i + w]!) / 4;
        d[i] = d[i]! + omega * (avg - d[i]!);
      }
    }
    for (const i of domain) out[i * 3 + c] = Math.min(255, Math.max(0, Math.round(face.data[i * 3 + c]! + d[i]!)));
  }
  return { width: w, height: h, data: out };
}
