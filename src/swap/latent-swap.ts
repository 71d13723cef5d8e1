/**
 * The latent swap: A's aligned faces through the shared encoder and B's decoder (or the
 * reverse), in batches, at the model's input size and back to the crop size.
 *
 *   const swapped = await swapFaces(ae, crops, 'a-to-b', { batchSize: 16 });   // RgbImage[] like crops
 */
import { tf } from '../engine/tf.ts';
import type { RgbImage } from '../media/image.ts';
import type { Autoencoder } from '../model/autoencoder.ts';
import { cropBatch } from '../model/input.ts';
import type { Direction } from '../config/swap.ts';

export async function swapFaces(ae: Autoencoder, crops: readonly RgbImage[], direction: Direction, opts: { batchSize?: number } = {}): Promise<RgbImage[]> {
  const s = ae.arch.inputSize;
  const batch = opts.batchSize ?? 16;
  const decoder = direction === 'a-to-b' ? 'b' : 'a';
  const out: RgbImage[] = [];
  for (let i = 0; i < crops.length; i += batch) {
    const group = crops.slice(i, i + batch);
    const result = tf.tidy(() => {
      const x = cropBatch(group, s);
      const y = ae.reconstruct(x, decoder);
      return group.map((c, k) => tf.image.resizeBilinear(y.slice([k, 0, 0, 0], [1, s, s, 3]).reshape([s, s, 3]) as tf.Tensor3D, [c.height, c.width]).mul(255).clipByValue(0, 255).round().toInt());
    });
    for (let k = 0; k < group.length; k++) {
      const t = result[k]!;
      out.push({ width: group[k]!.width, height: group[k]!.height, data: Uint8Array.from(await t.data()) });
      t.dispose();
    }
  }
  return out;
}
