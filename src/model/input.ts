/**
 * Aligned face crops as the autoencoder's input, one conversion for training and inference: the
 * centre square that the training coverage keeps (faceswap's coverage: the model sees the face,
 * not the hair and background around it), resized to the model's input size (sharp, lanczos3)
 * and scaled to [0, 1]. The swap pastes the model's output back into the same square, so
 * training and swap see exactly the same pixels.
 *
 *   const box = coverageBox(256, 0.75);                  // { left: 32, top: 32, side: 192 }
 *   const x = await modelInput(crop, 64, 0.75);           // Float32Array, 64*64*3, HWC, 0..1
 *   const t = await inputBatch(crops, 64, 0.75);          // tf.Tensor4D [n, 64, 64, 3]: dispose it
 */
import sharp from 'sharp';
import { tf } from '../engine/tf.ts';
import type { RgbImage } from '../media/image.ts';

export interface CoverageBox {
  left: number;
  top: number;
  side: number;
}

/** The centre square of a `size` x `size` crop that `coverage` (0 < c <= 1) keeps. */
export function coverageBox(size: number, coverage: number): CoverageBox {
  if (!(coverage > 0 && coverage <= 1)) throw new Error(`expected coverage in (0, 1], got ${coverage}`);
  const side = Math.max(1, Math.round(size * coverage));
  const left = Math.floor((size - side) / 2);
  return { left, top: left, side };
}

/** One crop (square RGB) as model input: coverage square, resized to `size`, 0..1 floats (HWC). */
export async function modelInput(crop: RgbImage, size: number, coverage = 1): Promise<Float32Array> {
  if (crop.width !== crop.height) throw new Error(`expected a square aligned crop, got ${crop.width}x${crop.height}`);
  const box = coverageBox(crop.width, coverage);
  let img = sharp(Buffer.from(crop.data.buffer, crop.data.byteOffset, crop.data.byteLength), { raw: { width: crop.width, height: crop.height, channels: 3 } });
  if (box.side !== crop.width) img = img.extract({ left: box.left, top: box.top, width: box.side, height: box.side });
  const data = box.side === size ? await img.raw().toBuffer() : await img.resize(size, size, { fit: 'fill' }).raw().toBuffer();
  return Float32Array.from(data, (v) => v / 255);
}

/** The same conversion for a one-channel mask (0..255 -> 0..1). */
export async function maskInput(mask: { width: number; height: number; data: Uint8Array }, size: number, coverage = 1): Promise<Float32Array> {
  const box = coverageBox(mask.width, coverage);
  let img = sharp(Buffer.from(mask.data.buffer, mask.data.byteOffset, mask.data.byteLength), { raw: { width: mask.width, height: mask.height, channels: 1 } });
  if (box.side !== mask.width) img = img.extract({ left: box.left, top: box.top, width: box.side, height: box.side });
  const data = await img.resize(size, size, { fit: 'fill' }).extractChannel(0).raw().toBuffer();
  return Float32Array.from(data, (v) => v / 255);
}

/** Crops as one input batch [n, size, size, 3]; the caller disposes it. */
export async function inputBatch(crops: readonly RgbImage[], size: number, coverage = 1): Promise<tf.Tensor4D> {
  const per = size * size * 3;
  const all = new Float32Array(crops.length * per);
  for (let i = 0; i < crops.length; i++) all.set(await modelInput(crops[i]!, size, coverage), i * per);
  return tf.tensor4d(all, [crops.length, size, size, 3]);
}

/**
 * The model's output for one crop put back: resized (bilinear) to the coverage square and pasted
 * into a copy of the crop, whose pixels outside the square stay as they were.
 */
export function pasteOutput(crop: RgbImage, output: tf.Tensor3D, coverage = 1): RgbImage {
  const box = coverageBox(crop.width, coverage);
  const patch = tf.tidy(() => tf.image.resizeBilinear(output, [box.side, box.side]).mul(255).clipByValue(0, 255).round().toInt());
  const p = patch.dataSync();
  patch.dispose();
  const data = Uint8Array.from(crop.data);
  for (let y = 0; y < box.side; y++) {
    for (let x = 0; x < box.side; x++) {
      const src = (y * box.side + x) * 3;
      const dst = ((box.top + y) * crop.width + box.left + x) * 3;
      data[dst] = p[src]!;
      data[dst + 1] = p[src + 1]!;
      data[dst + 2] = p[src + 2]!;
    }
  }
  return { width: crop.width, height: crop.height, data };
}

/** A learned mask [s, s, 1] (0..1) as a crop-size grey image: the coverage square, 0 outside. */
export function pasteMask(cropSize: number, mask: tf.Tensor3D, coverage = 1): { width: number; height: number; data: Uint8Array } {
  const box = coverageBox(cropSize, coverage);
  const patch = tf.tidy(() => tf.image.resizeBilinear(mask, [box.side, box.side]).mul(255).clipByValue(0, 255).round().toInt());
  const p = patch.dataSync();
  patch.dispose();
  const data = new Uint8Array(cropSize * cropSize);
  for (let y = 0; y < box.side; y++) for (let x = 0; x < box.side; x++) data[(box.top + y) * cropSize + box.left + x] = p[y * box.side + x]!;
  return { width: cropSize, height: cropSize, data };
}
