/**
 * Test data helpers: a seeded random stream, real face crops from face-api's photos, numeric
 * comparisons.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { SAMPLE_IDENTITIES } from '../../src/config/samples.ts';
import { faceApiDemoDir } from '../../src/face/package-files.ts';

/** Mulberry32: a small seeded PRNG, values in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}

/** max |a-b| / max |b| */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-12);
}

/** A square crop around a sample identity's face, resized to `size`, as floats in [0, 1]. */
export async function faceCrop(name: keyof typeof SAMPLE_IDENTITIES, size: number): Promise<Float32Array> {
  const id = SAMPLE_IDENTITIES[name];
  const cx = Math.round((id.leftEye[0] + id.rightEye[0]) / 2);
  const cy = Math.round((id.leftEye[1] + id.mouth[1]) / 2);
  const half = Math.round(1.6 * Math.hypot(id.rightEye[0] - id.leftEye[0], id.rightEye[1] - id.leftEye[1]));
  const { data } = await sharp(join(faceApiDemoDir(), id.photo))
    .extract({ left: cx - half, top: cy - half, width: 2 * half, height: 2 * half })
    .resize(size, size)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Float32Array.from(data, (v) => v / 255);
}
