/**
 * Face quality measures for the filters: sharpness as the variance of the Laplacian of the
 * grey image (low = blurred), over the masked face when a mask is given.
 *
 *   laplacianVariance(alignedFace, mask)   // e.g. 180 for a sharp face, 8 for a blurred one
 */
import type { GrayImage, RgbImage } from '../util/geometry.ts';

export function laplacianVariance(img: RgbImage, mask?: GrayImage): number {
  const { width: w, height: h, data } = img;
  const g = new Float32Array(w * h);
  for (let i = 0, j = 0; i < g.length; i++, j += 3) g[i] = 0.299 * data[j]! + 0.587 * data[j + 1]! + 0.114 * data[j + 2]!;
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (mask && mask.data[i] === 0) continue;
      const l = g[i - 1]! + g[i + 1]! + g[i - w]! + g[i + w]! - 4 * g[i]!;
      n++;
      s += l;
      s2 += l * l;
    }
  }
  if (n === 0) return 0;
  const mean = s / n;
  return s2 / n - mean * mean;
}
