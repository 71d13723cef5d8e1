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
 *   await pasteOutputs(crops, y, 0.75)                    // the model's output [n, 64, 64, 3] back in each crop
 */
import sharp from 'sharp';
import { tf } from '../engine/tf.ts';
import type { GrayImage, RgbImage } from '../util/geometry.ts';

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

/** The coverage square of a raw square image with `channels` channels, resized to `size`, as 0..1 floats. */
async function squareInput(data: Uint8Array, width: number, channels: 1 | 3, size: number, coverage: number): Promise<Float32Array> {
  const box = coverageBox(width, coverage);
  let img = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height: width, channels } });
  if (box.side !== width) img = img.extract({ left: box.left, top: box.top, width: box.side, height: box.side });
  if (box.side !== size) img = img.resize(size, size, { fit: 'fill' });
  const out = await (channels === 1 ? img.extractChannel(0) : img).raw().toBuffer();
  return Float32Array.from(out, (v) => v / 255);
}

/** One crop (square RGB) as model input: coverage square, resized to `size`, 0..1 floats (HWC). */
export async function modelInput(crop: RgbImage, size: number, coverage = 1): Promise<Float32Array> {
  if (crop.width !== crop.height) throw new Error(`expected a square aligned crop, got ${crop.width}x${crop.height}`);
  return squareInput(crop.data, crop.width, 3, size, coverage);
}

/** The same conversion for a one-channel mask (0..255 -> 0..1). */
export async function maskInput(mask: GrayImage, size: number, coverage = 1): Promise<Float32Array> {
  return squareInput(mask.data, mask.width, 1, size, coverage);
}

/** Crops as one input batch [n, size, size, 3]; the caller disposes it. */
export async function inputBatch(crops: readonly RgbImage[], size: number, coverage = 1): Promise<tf.Tensor4D> {
  const per = size * size * 3;
  const all = new Float32Array(crops.length * per);
  for (let i = 0; i < crops.length; i++) all.set(await modelInput(crops[i]!, size, coverage), i * per);
  return tf.tensor4d(all, [crops.length, size, size, 3]);
}

/**
 * Model outputs [n, s, s, c] (0..1), each resized (bilinear) to its coverage square `sides[i]`,
 * as bytes: one resize and one readback per distinct side (read asynchronously: webgpu has no
 * synchronous read in Node).
 */
async function squarePatches(t: tf.Tensor4D, sides: readonly number[]): Promise<Int32Array[]> {
  const out: Int32Array[] = [];
  for (const side of new Set(sides)) {
    const idx = sides.flatMap((s, i) => (s === side ? [i] : []));
    const patch = tf.tidy(() => {
      const part = idx.length === sides.length ? t : tf.gather(t, idx);
      return tf.image.resizeBilinear(part, [side, side]).mul(255).clipByValue(0, 255).round().toInt();
    });
    const data = (await patch.data()) as Int32Array;
    patch.dispose();
    const per = side * side * t.shape[3];
    idx.forEach((i, k) => (out[i] = data.subarray(k * per, (k + 1) * per)));
  }
  return out;
}

/** Copy a `side` x `side` patch of `ch` channels into `data` (`width` wide, `ch` channels) at (left, top). */
function pasteSquare(data: Uint8Array, width: number, ch: number, patch: Int32Array, box: CoverageBox): void {
  for (let y = 0; y < box.side; y++) for (let i = 0; i < box.side * ch; i++) data[((box.top + y) * width + box.left) * ch + i] = patch[y * box.side * ch + i]!;
}

/**
 * The model's outputs [n, s, s, 3] for `crops` put back: each resized (bilinear) to its coverage
 * square and pasted into a copy of its crop, whose pixels outside the square stay as they were.
 */
export async function pasteOutputs(crops: readonly RgbImage[], outputs: tf.Tensor4D, coverage = 1): Promise<RgbImage[]> {
  const boxes = crops.map((c) => coverageBox(c.width, coverage));
  const patches = await squarePatches(outputs, boxes.map((b) => b.side));
  return crops.map((crop, i) => {
    const data = Uint8Array.from(crop.data);
    pasteSquare(data, crop.width, 3, patches[i]!, boxes[i]!);
    return { width: crop.width, height: crop.height, data };
  });
}

/** Learned masks [n, s, s, 1] (0..1) as crop-size grey images (`cropSizes[i]`): the coverage square, 0 outside. */
export async function pasteMasks(cropSizes: readonly number[], masks: tf.Tensor4D, coverage = 1): Promise<GrayImage[]> {
  const boxes = cropSizes.map((size) => coverageBox(size, coverage));
  const patches = await squarePatches(masks, boxes.map((b) => b.side));
  return cropSizes.map((size, i) => {
    const data = new Uint8Array(size * size);
    pasteSquare(data, size, 1, patches[i]!, boxes[i]!);
    return { width: size, height: size, data };
  });
}
