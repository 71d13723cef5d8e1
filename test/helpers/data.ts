/**
 * Real face crops from face-api's photos (through sharp). Seeded numbers and comparisons are in
 * numbers.ts, which loads nothing: a test that needs only those imports it, not this file.
 *
 *   const a = await faceCrop('a', 64);     // Float32Array of 64 * 64 * 3 in [0, 1]
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { SAMPLE_IDENTITIES } from '../../src/config/samples.ts';
import { faceApiDemoDir } from '../../src/face/package-files.ts';

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
