/**
 * The composite blend in JavaScript, the definition src/media/pixel-kernels.wat's `blend`
 * reproduces byte for byte (test/media/pixel-kernels.test.ts compares them). The last step of
 * compositing a face: every frame pixel whose point in the crop (through the
 * alignment matrix) lies inside the crop is blended with the recoloured face by the feathered
 * alpha there, both read bilinearly (media/bilinear.ts's weights and sums, in the same order,
 * so the same bytes as sampling through a tap), and its alpha (0-255) goes into `replaced`.
 *
 *   blendFace({ out, src, width, replaced, rgb, alpha, size, matrix, y0, y1, columns: (y, range) => { range[0] = 0; range[1] = width - 1; } });
 */
import type { BlendJob } from '../../src/media/pixel-kernels.ts';

export function blendFace(j: BlendJob): void {
  const { out, src, width, replaced, rgb, alpha, size } = j;
  const [a, b, c, d, e, f] = j.matrix;
  const last = size - 1;
  const range: [number, number] = [0, -1];
  for (let y = j.y0; y <= j.y1; y++) {
    j.columns(y, range);
    const by = b * y;
    const ey = e * y;
    for (let x = range[0]; x <= range[1]; x++) {
      const u = a * x + by + c;
      const v = d * x + ey + f;
      if (u < 0 || v < 0 || u > last || v > last) continue;
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      const dx = x0 + 1 < size ? 1 : 0;
      const dy = y0 + 1 < size ? size : 0;
      const fx = u - x0;
      const fy = v - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const i00 = y0 * size + x0;
      const k = w00 * alpha[i00]! + w10 * alpha[i00 + dx]! + w01 * alpha[i00 + dy]! + w11 * alpha[i00 + dy + dx]!;
      if (k <= 0) continue;
      const p00 = i00 * 3;
      const p10 = p00 + dx * 3;
      const p01 = p00 + dy * 3;
      const p11 = p01 + dx * 3;
      const q = 1 - k;
      const o = (y * width + x) * 3;
      out[o] = Math.round(k * (w00 * rgb[p00]! + w10 * rgb[p10]! + w01 * rgb[p01]! + w11 * rgb[p11]!) + q * src[o]!);
      out[o + 1] = Math.round(k * (w00 * rgb[p00 + 1]! + w10 * rgb[p10 + 1]! + w01 * rgb[p01 + 1]! + w11 * rgb[p11 + 1]!) + q * src[o + 1]!);
      out[o + 2] = Math.round(k * (w00 * rgb[p00 + 2]! + w10 * rgb[p10 + 2]! + w01 * rgb[p01 + 2]! + w11 * rgb[p11 + 2]!) + q * src[o + 2]!);
      replaced[y * width + x] = Math.round(255 * k);
    }
  }
}
