/**
 * The quality probe that runs while a model trains: held-out faces of the source identity are
 * swapped with the model as it is, and face-api's recognition net (which no training loss uses)
 * says whether they read as the target: the share closer to the target than to the source, the
 * median distance to the target, Celeb-DF's Mask-SSIM (swapped vs source inside the face mask)
 * and the reconstruction SSIM of both identities' held-out faces.
 *
 *   const probe = await makeQualityProbe({ fa, a, b, direction: 'a-to-b', crop: { size: 256, coverage: 1.6 }, coverage: 0.75 });
 *   const q = await probe(ae, { iteration: 900, minutes: 9 });   // q.identityShare, q.medianToTarget, …
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Direction } from '../config/swap.ts';
import { templateInCrop } from '../face/align.ts';
import { describeFace, descriptorDistance, type FaceApi } from '../face/face-api.ts';
import { fileDescriptors } from '../face/file-descriptors.ts';
import { extendedMask } from '../face/mask.ts';
import { readGrayImage, readImage } from '../media/image.ts';
import type { Autoencoder } from '../model/autoencoder.ts';
import { tf } from '../engine/tf.ts';
import { inputBatch } from '../model/input.ts';
import type { QualityEntry, QualityProbe } from '../train/quality-log.ts';
import { swapFaces } from './latent-swap.ts';
import { spread } from './kept-faces.ts';
import { centroid, ssimBatch, summariseDistances } from './metrics.ts';
import type { GrayImage, RgbImage } from '../util/geometry.ts';

export interface ProbeFaces {
  /** Held-out aligned crops (what the probe swaps and reconstructs). */
  crops: RgbImage[];
  /** Their face masks (crop size, 0..255). */
  masks: GrayImage[];
  /** Descriptors of the identity's faces (any: the identity's centroid is their mean). */
  descriptors: number[][];
}

export interface ProbeSettings {
  fa: FaceApi;
  a: ProbeFaces;
  b: ProbeFaces;
  direction: Direction;
  /** How the crops were aligned (where the template's landmarks sit, for the descriptor box). */
  crop: { size: number; coverage: number };
  /** The share of the crop the model sees. */
  coverage: number;
}

/** Images of one size as a batch [N, H, W, channels] in 0..1 (bytes / 255). */
function floatBatch(images: ReadonlyArray<{ width: number; height: number; data: Uint8Array }>, channels: 1 | 3): tf.Tensor4D {
  const { width, height } = images[0]!;
  const per = width * height * channels;
  const all = new Float32Array(images.length * per);
  for (const [i, img] of images.entries()) {
    if (img.width !== width || img.height !== height) throw new Error(`the quality probe expects faces of one size, got ${img.width}x${img.height} beside ${width}x${height}`);
    all.set(Float32Array.from(img.data, (v) => v / 255), i * per);
  }
  return tf.tensor4d(all, [images.length, height, width, channels]);
}

/** Mean SSIM of held-out faces through their own decoder (one batch, scored on the device, one readback). */
async function reconstructionSsim(ae: Autoencoder, crops: readonly RgbImage[], which: 'a' | 'b', coverage: number): Promise<number> {
  if (!crops.length) return NaN;
  const x = await inputBatch(crops, ae.arch.inputSize, coverage);
  const y = ae.reconstruct(x, which);
  try {
    const scores = await ssimBatch(x, y);
    return scores.reduce((p, q) => p + q, 0) / crops.length;
  } finally {
    tf.dispose([x, y]);
  }
}

/** Mean Mask-SSIM of the swapped faces against the source crops inside their masks (one batch, one readback). */
async function meanMaskSsim(swapped: readonly RgbImage[], crops: readonly RgbImage[], masks: readonly GrayImage[]): Promise<number> {
  const [a, b, m] = [floatBatch(swapped, 3), floatBatch(crops, 3), floatBatch(masks, 1)];
  try {
    return (await ssimBatch(a, b, m)).reduce((p, q) => p + q, 0) / swapped.length;
  } finally {
    tf.dispose([a, b, m]);
  }
}

export async function makeQualityProbe(p: ProbeSettings): Promise<QualityProbe> {
  const [src, dst] = p.direction === 'a-to-b' ? [p.a, p.b] : [p.b, p.a];
  if (!src.crops.length) throw new Error('the quality probe needs held-out faces of the source identity');
  const cSource = centroid(src.descriptors);
  const cTarget = centroid(dst.descriptors);
  const points = templateInCrop(p.crop);
  return async (ae, at): Promise<QualityEntry> => {
    const swapped = await swapFaces(ae, src.crops, p.direction, { coverage: p.coverage });
    const toT: number[] = [];
    const toS: number[] = [];
    for (const face of swapped) {
      const d = await describeFace(p.fa, face, points);
      toT.push(descriptorDistance(d, cTarget));
      toS.push(descriptorDistance(d, cSource));
    }
    const mssim = await meanMaskSsim(swapped, src.crops, src.masks.slice(0, swapped.length));
    const ra = await reconstructionSsim(ae, p.a.crops, 'a', p.coverage);
    const rb = await reconstructionSsim(ae, p.b.crops, 'b', p.coverage);
    const recon = [ra, rb].filter((v) => Number.isFinite(v));
    return {
      iteration: at.iteration,
      minutes: Math.round(at.minutes * 1000) / 1000,
      identityShare: toT.filter((t, i) => t < toS[i]!).length / toT.length,
      medianToTarget: summariseDistances(toT)!.median,
      medianToSource: summariseDistances(toS)!.median,
      maskSsim: mssim,
      reconstructionSsim: recon.length ? recon.reduce((x, y) => x + y, 0) / recon.length : NaN,
      faces: { source: src.crops.length, target: dst.crops.length },
    };
  };
}

/**
 * A probe over face files: `heldOut` faces of each identity are swapped and reconstructed
 * (their masks from the masks/ folder beside faces/, else the template's extended mask), the
 * identities' centroids come from up to 48 of `all` their faces. Null when the source has no
 * held-out faces.
 */
export async function probeFromFiles(fa: FaceApi, d: { heldOut: { a: string[]; b: string[] }; all: { a: string[]; b: string[] }; crop: { size: number; coverage: number } }, o: { direction: Direction; coverage: number; sample: number }): Promise<QualityProbe | null> {
  const source = o.direction === 'a-to-b' ? 'a' : 'b';
  if (!d.heldOut[source].length) return null;
  const template = extendedMask(templateInCrop(d.crop), d.crop.size);
  const faces = async (id: 'a' | 'b'): Promise<ProbeFaces> => {
    const files = spread(d.heldOut[id], o.sample);
    const crops = await Promise.all(files.map((f) => readImage(f)));
    const masks = await Promise.all(
      files.map(async (f) => {
        const m = join(dirname(dirname(f)), 'masks', basename(f));
        return existsSync(m) ? readGrayImage(m) : template;
      }),
    );
    return { crops, masks, descriptors: await fileDescriptors(fa, spread(d.all[id], 48), d.crop) };
  };
  return makeQualityProbe({ fa, a: await faces('a'), b: await faces('b'), direction: o.direction, crop: d.crop, coverage: o.coverage });
}
