/**
 * Checkerboard artefacts of a stride-2 upscale (Odena et al. 2016), in one number: the share of
 * an image's luma energy (mean removed) at the 2-pixel period, the three Fourier bins (N/2, 0),
 * (0, N/2) and (N/2, N/2) that a transposed convolution's uneven overlap feeds. A natural face
 * has almost none there; a checkerboard puts it all there.
 *
 *   checkerboardEnergy(face, 64)   // e.g. 2e-5 for a photo, 1 for a pure checkerboard
 */

export function checkerboardEnergy(img: Float32Array, size: number): number {
  const n = size * size;
  if (img.length !== n * 3) throw new Error(`expected a ${size}x${size} RGB image (${n * 3} floats), got ${img.length}`);
  const y = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += (y[i] = 0.299 * img[i * 3]! + 0.587 * img[i * 3 + 1]! + 0.114 * img[i * 3 + 2]!);
  mean /= n;
  let total = 0;
  let vert = 0; // (-1)^x: bin (N/2, 0)
  let horiz = 0; // (-1)^y
  let diag = 0; // (-1)^(x+y)
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const v = y[r * size + c]! - mean;
      total += v * v;
      const sx = c % 2 ? -1 : 1;
      const sy = r % 2 ? -1 : 1;
      vert += sx * v;
      horiz += sy * v;
      diag += sx * sy * v;
    }
  }
  if (total <= 0) return 0;
  // Parseval: sum |X_k|^2 = N * sum x^2; each of these bins holds |X|^2 = (sum ±x)^2
  return (vert * vert + horiz * horiz + diag * diag) / (n * total);
}
