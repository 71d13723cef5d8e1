/**
 * Aligned face crops as the autoencoder's input: each resized (bilinear) to the model's input
 * size and scaled to [0, 1], stacked into one batch. Call inside tf.tidy or dispose the result.
 *
 *   const x = cropBatch(crops, ae.arch.inputSize);   // [crops.length, s, s, 3]
 */
import { tf } from '../engine/tf.ts';
import type { RgbImage } from '../media/image.ts';

export function cropBatch(crops: readonly RgbImage[], size: number): tf.Tensor4D {
  return tf.tidy(() => tf.stack(crops.map((c) => tf.image.resizeBilinear(tf.tensor3d(c.data, [c.height, c.width, 3], 'float32'), [size, size]).div(255))) as tf.Tensor4D);
}
