/**
 * Training batches: faces drawn at random from a face set, augmented (train/augment.ts), as
 * tensors, with the per-pixel loss weights and the target mask when the loss needs them. The
 * maps that follow each face through the augmentation (its mask, the eyes and mouth) are made
 * once per face set.
 *
 *   const use = { weighted: true, learnMask: false };
 *   const maps = faceMaps(set, settings, use, 1.6);
 *   const b = makeBatch(set, maps, use, settings, 8, rng, augment);   // disposeBatch(b) after the step
 */
import { tf } from '../engine/tf.ts';
import type { Rng } from '../util/rng.ts';
import { augmentFace, type AugmentSettings } from './augment.ts';
import type { FaceSet } from './face-set.ts';
import { eyeMouthMap, pixelWeight, type WeightSettings } from './loss-weights.ts';

export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor4D;
  /** Per-pixel loss weights (weighted loss). */
  w?: tf.Tensor4D;
  /** The target face mask (learned mask). */
  m?: tf.Tensor4D;
}

/** Which per-pixel maps a batch carries. */
export interface MapUse {
  weighted: boolean;
  learnMask: boolean;
}

/** The loss weights and the training coverage (where the eyes and mouth sit in the input). */
export type BatchSettings = WeightSettings & { coverage: number };

/**
 * Per-face maps that follow the target's geometry: [face mask, eyes and mouth] interleaved (2
 * channels), or null when neither the loss weights nor a learned mask need them.
 */
export function faceMaps(set: FaceSet, s: BatchSettings, use: MapUse, extractCoverage: number): Float32Array[] | null {
  if (!use.weighted && !use.learnMask) return null;
  const n = set.size * set.size;
  const em = s.eyeMouthWeight > 0 ? eyeMouthMap(set.size, s.coverage, extractCoverage) : null;
  return set.faces.map((_, k) => {
    const m = set.masks ? set.masks[k]! : null;
    const out = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      out[i * 2] = m ? m[i]! : 1;
      out[i * 2 + 1] = em ? em[i]! : 0;
    }
    return out;
  });
}

/** `n` faces drawn with `rng` and augmented; the caller disposes the tensors (disposeBatch). */
export function makeBatch(set: FaceSet, maps: Float32Array[] | null, use: MapUse, s: BatchSettings, n: number, rng: Rng, aug: AugmentSettings): Batch {
  const size = set.size;
  const per = size * size * 3;
  const xs = new Float32Array(n * per);
  const ys = new Float32Array(n * per);
  const ws = use.weighted ? new Float32Array(n * size * size) : null;
  const ms = use.learnMask ? new Float32Array(n * size * size) : null;
  for (let i = 0; i < n; i++) {
    const k = rng.int(set.faces.length);
    const { input, target, targetMask } = augmentFace(set.faces[k]!, size, rng, aug, maps ? maps[k] : undefined);
    xs.set(input, i * per);
    ys.set(target, i * per);
    if (!targetMask) continue;
    for (let p = 0; p < size * size; p++) {
      const m = targetMask[p * 2]!;
      if (ms) ms[i * size * size + p] = m;
      if (ws) ws[i * size * size + p] = pixelWeight(m, targetMask[p * 2 + 1]!, s);
    }
  }
  return { x: tf.tensor4d(xs, [n, size, size, 3]), y: tf.tensor4d(ys, [n, size, size, 3]), w: ws ? tf.tensor4d(ws, [n, size, size, 1]) : undefined, m: ms ? tf.tensor4d(ms, [n, size, size, 1]) : undefined };
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.x, b.y, ...(b.w ? [b.w] : []), ...(b.m ? [b.m] : [])]);
}
