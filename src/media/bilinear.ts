/**
 * The one bilinear sampler: where a point (x, y) falls between four pixels, and how much each
 * counts. Training augmentation (train/augment.ts) and perturbations sample through it; the two
 * loops that run on every pixel of every face, affine warps (media/warp-affine.ts) and the
 * composite blend (media/pixel-kernels.wat, defined by test/helpers/blend-face.ts), write the same weights and sums out, and
 * their tests hold them to this sampler's bytes. Pixel (i, j) sits at coordinate (i, j); a point
 * outside the image is clamped to its edge (edge pixels repeated).
 *
 *   const t = bilinearAt(10.25, 3.5, width, height);     // reuse a tap: bilinearAt(x, y, w, h, t)
 *   const red = sampleBilinear(rgb, 3, t, 0);            // channel 0 of an HWC image at (10.25, 3.5)
 *
 * Callers that sample several images at one point take the tap once and read each through it.
 */

/** The four neighbours (pixel indices, y * width + x) of a point and their weights (summing to 1). */
export interface BilinearTap {
  /** (x0, y0), (x1, y0), (x0, y1), (x1, y1). */
  i00: number;
  i10: number;
  i01: number;
  i11: number;
  w00: number;
  w10: number;
  w01: number;
  w11: number;
}

export function newTap(): BilinearTap {
  return { i00: 0, i10: 0, i01: 0, i11: 0, w00: 1, w10: 0, w01: 0, w11: 0 };
}

/** Fill `t` (a fresh tap when not given) for the point (x, y) of a `width` x `height` image, clamped to the image. */
export function bilinearAt(x: number, y: number, width: number, height: number, t: BilinearTap = newTap()): BilinearTap {
  const xc = x < 0 ? 0 : x > width - 1 ? width - 1 : x;
  const yc = y < 0 ? 0 : y > height - 1 ? height - 1 : y;
  const x0 = Math.floor(xc);
  const y0 = Math.floor(yc);
  const x1 = x0 + 1 < width ? x0 + 1 : x0;
  const y1 = y0 + 1 < height ? y0 + 1 : y0;
  const fx = xc - x0;
  const fy = yc - y0;
  t.w00 = (1 - fx) * (1 - fy);
  t.w10 = fx * (1 - fy);
  t.w01 = (1 - fx) * fy;
  t.w11 = fx * fy;
  t.i00 = y0 * width + x0;
  t.i10 = y0 * width + x1;
  t.i01 = y1 * width + x0;
  t.i11 = y1 * width + x1;
  return t;
}

/** Channel `c` of an interleaved image with `channels` channels, read through the tap. */
export function sampleBilinear(src: ArrayLike<number>, channels: number, t: BilinearTap, c: number): number {
  return t.w00 * src[t.i00 * channels + c]! + t.w10 * src[t.i10 * channels + c]! + t.w01 * src[t.i01 * channels + c]! + t.w11 * src[t.i11 * channels + c]!;
}
