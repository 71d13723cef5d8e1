/**
 * What a swap did, in numbers (`metrics.json`): whether the swapped faces look like the
 * target identity to a face-recognition net (face-api's 128-d descriptors, distance to each
 * identity's mean descriptor; < 0.6 is face-api's "same person"), how well the model
 * reconstructs each identity (PSNR, SSIM at the model's input size), and how many frames
 * were swapped.
 *
 *   psnr(a, b)                 // dB, images as floats in 0..1
 *   ssim(a, b, 64, 64)         // 0..1, 7x7 windows on luma
 *   identityDistances(swapped, sourceCentroid, targetCentroid)
 */
import { descriptorDistance } from '../face/face-api.ts';

export function psnr(a: Float32Array, b: Float32Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  const mse = se / a.length;
  return mse <= 1e-12 ? 120 : 10 * Math.log10(1 / mse);
}

function luma(img: Float32Array, n: number): Float32Array {
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = 0.299 * img[i * 3]! + 0.587 * img[i * 3 + 1]! + 0.114 * img[i * 3 + 2]!;
  return y;
}

/** Mean SSIM (Wang et al. 2004) over 7x7 windows of the luma, images HWC floats in 0..1. */
export function ssim(a: Float32Array, b: Float32Array, width: number, height: number, win = 7): number {
  const x = luma(a, width * height);
  const y = luma(b, width * height);
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  let sum = 0;
  let count = 0;
  for (let y0 = 0; y0 + win <= height; y0++) {
    for (let x0 = 0; x0 + win <= width; x0++) {
      let mx = 0;
      let my = 0;
      for (let v = 0; v < win; v++) for (let u = 0; u < win; u++) (mx += x[(y0 + v) * width + x0 + u]!), (my += y[(y0 + v) * width + x0 + u]!);
      const n = win * win;
      mx /= n;
      my /= n;
      let vx = 0;
      let vy = 0;
      let cov = 0;
      for (let v = 0; v < win; v++) {
        for (let u = 0; u < win; u++) {
          const dx = x[(y0 + v) * width + x0 + u]! - mx;
          const dy = y[(y0 + v) * width + x0 + u]! - my;
          vx += dx * dx;
          vy += dy * dy;
          cov += dx * dy;
        }
      }
      vx /= n - 1;
      vy /= n - 1;
      cov /= n - 1;
      sum += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      count++;
    }
  }
  return count ? sum / count : 1;
}

/** Element-wise mean of descriptors. */
export function centroid(descriptors: readonly (readonly number[])[]): number[] {
  const c = new Array<number>(descriptors[0]?.length ?? 0).fill(0);
  for (const d of descriptors) for (let i = 0; i < c.length; i++) c[i]! += d[i]! / descriptors.length;
  return c;
}

export interface DistanceSummary {
  faces: number;
  mean: number;
  median: number;
  min: number;
  max: number;
}

export function summariseDistances(values: readonly number[]): DistanceSummary | null {
  if (!values.length) return null;
  const s = [...values].sort((p, q) => p - q);
  const mid = s.length / 2;
  const median = s.length % 2 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
  return { faces: s.length, mean: s.reduce((p, q) => p + q, 0) / s.length, median, min: s[0]!, max: s[s.length - 1]! };
}

export interface IdentityResult {
  toSource: DistanceSummary | null;
  toTarget: DistanceSummary | null;
  /** Share of faces closer to the target identity than to the source. */
  closerToTarget: number | null;
}

/** Distances of each descriptor to the source and target identities' centroids. */
export function identityDistances(descriptors: readonly (readonly number[])[], source: readonly number[], target: readonly number[] | null): IdentityResult {
  const toS = descriptors.map((d) => descriptorDistance(d, source));
  const toT = target ? descriptors.map((d) => descriptorDistance(d, target)) : [];
  return {
    toSource: summariseDistances(toS),
    toTarget: target ? summariseDistances(toT) : null,
    closerToTarget: target && descriptors.length ? toT.filter((t, i) => t < toS[i]!).length / descriptors.length : null,
  };
}
