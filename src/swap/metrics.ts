/**
 * What a swap did, in numbers (`metrics.json`): whether the swapped faces look like the
 * target identity to a face-recognition net (face-api's 128-d descriptors, distance to each
 * identity's mean descriptor; < 0.6 is face-api's "same person"), how well the model
 * reconstructs each identity (PSNR, SSIM at the model's input size), and how many frames
 * were swapped.
 *
 *   psnr(a, b)                 // dB, images as floats in 0..1
 *   await ssim(a, b, 64, 64)   // 0..1, 7x7 windows per channel (the training loss's SSIM)
 *   await maskSsim(a, b, mask, 64, 64)   // the same over the windows inside the mask (Celeb-DF's Mask-SSIM)
 *   await ssimBatch(x, y, masks)         // [N] of either for a batch of tensors, one readback
 *   identityDistances(swapped, sourceCentroid, targetCentroid)
 *   await checkpointReconstruction('runs/demo/model/checkpoints/ckpt-000000400', { a: facesOfA, b: facesOfB })
 */
import { tf } from '../engine/tf.ts';
import { descriptorDistance } from '../face/face-api.ts';
import type { Autoencoder } from '../model/autoencoder.ts';
import { checkpointCoverage, loadCheckpointAt } from '../model/checkpoint.ts';
import { loadFaces } from '../train/face-set.ts';
import type { KeptFace } from './kept-faces.ts';
import { SSIM_WINDOW, ssimMap, weightedWindowMeans, windowWeights } from '../model/ssim.ts';

export function psnr(a: Float32Array, b: Float32Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  const mse = se / a.length;
  return mse <= 1e-12 ? 120 : 10 * Math.log10(1 / mse);
}

/** Mean SSIM (model/ssim.ts: 7x7 windows, per channel, the loss's definition) of two HWC images in 0..1. */
export async function ssim(a: Float32Array, b: Float32Array, width: number, height: number): Promise<number> {
  return maskSsim(a, b, null, width, height);
}

/**
 * Mask-SSIM (Celeb-DF): the SSIM of two images over the windows that lie inside the mask
 * (`mask`: width*height values in 0..1, null = whole image).
 */
export async function maskSsim(a: Float32Array, b: Float32Array, mask: Float32Array | null, width: number, height: number): Promise<number> {
  const t = tf.tensor4d(a, [1, height, width, 3]);
  const u = tf.tensor4d(b, [1, height, width, 3]);
  const m = mask ? tf.tensor4d(mask, [1, height, width, 1]) : null;
  try {
    return (await ssimBatch(t, u, m))[0]!;
  } finally {
    tf.dispose([t, u, ...(m ? [m] : [])]);
  }
}

/**
 * The (Mask-)SSIM of each pair of a batch ([N, H, W, 3] twice, 0..1; masks [N, H, W, 1] in 0..1
 * or null), read back once: what ssim/maskSsim give one pair at a time. NaN where a mask
 * leaves no whole window; images smaller than a window are 1 when equal, else 0.
 */
export async function ssimBatch(a: tf.Tensor4D, b: tf.Tensor4D, masks: tf.Tensor4D | null = null): Promise<number[]> {
  const [n, height, width] = a.shape;
  if (width < SSIM_WINDOW || height < SSIM_WINDOW) {
    // too small for a window: equal (psnr's 120 dB, mse <= 1e-12) or not
    const se = tf.tidy(() => tf.mean(tf.square(tf.sub(a, b)), [1, 2, 3]));
    const mse = Array.from(await se.data());
    se.dispose();
    return mse.map((d) => (d <= 1e-12 ? 1 : 0));
  }
  // [N] means over the (weighted) windows and [N] total weights, read once, asynchronously (webgpu has no synchronous read in Node)
  const r = tf.tidy(() => {
    const map = ssimMap(a, b);
    if (!masks) return tf.stack([weightedWindowMeans(map, null), tf.ones([n])]);
    const w = windowWeights(masks);
    return tf.stack([weightedWindowMeans(map, w), tf.sum(w, [1, 2, 3])]);
  });
  const data = Array.from(await r.data());
  r.dispose();
  return data.slice(0, n).map((v, i) => (data[n + i]! > 0 ? v : NaN));
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

export interface ReconstructionScore {
  faces: number;
  psnr: number;
  ssim: number;
}

/** Mean PSNR/SSIM of faces through the encoder and their own decoder (16 faces a batch, one readback each for the images and the SSIMs). */
export async function reconstruction(ae: Autoencoder, coverage: number, faces: readonly KeptFace[], which: 'a' | 'b'): Promise<ReconstructionScore | null> {
  if (!faces.length) return null;
  const s = ae.arch.inputSize;
  const per = s * s * 3;
  const input = await loadFaces(faces.map((f) => f.face), s, coverage);
  let p = 0;
  let q = 0;
  for (let i = 0; i < input.length; i += 16) {
    const group = input.slice(i, i + 16);
    const x = tf.tidy(() => tf.stack(group.map((g) => tf.tensor3d(g, [s, s, 3]))) as tf.Tensor4D);
    const y = tf.tidy(() => ae.reconstruct(x, which));
    const [data, ssims] = await Promise.all([y.data(), ssimBatch(x, y)]);
    tf.dispose([x, y]);
    for (const [k, g] of group.entries()) p += psnr(g, new Float32Array(data.buffer, data.byteOffset + k * per * 4, per));
    for (const v of ssims) q += v;
  }
  return { faces: input.length, psnr: p / input.length, ssim: q / input.length };
}

/**
 * The reconstruction scores of each identity's faces under one checkpoint (loaded, scored,
 * freed), and which model that was.
 */
export async function checkpointReconstruction(
  checkpoint: string,
  faces: Readonly<Record<'a' | 'b', readonly KeptFace[]>>,
): Promise<{ model: { iteration: number; fingerprint: string; preset: string }; scores: Record<'a' | 'b', ReconstructionScore | null> }> {
  const m = await loadCheckpointAt(checkpoint);
  try {
    const coverage = checkpointCoverage(m.state);
    const scores = { a: await reconstruction(m.ae, coverage, faces.a, 'a'), b: await reconstruction(m.ae, coverage, faces.b, 'b') };
    return { model: { iteration: m.state.iteration, fingerprint: m.fingerprint, preset: m.state.arch.preset }, scores };
  } finally {
    m.ae.dispose();
  }
}
