/**
 * The latent swap: A's aligned faces through the shared encoder and B's decoder (or the
 * reverse), in batches. The model sees the coverage square of each crop (model/input.ts, the
 * same conversion training used) and its output is pasted back into that square.
 *
 *   const swapped = await swapFaces(ae, crops, 'a-to-b', { batchSize: 16, coverage: 0.75 });   // RgbImage[] like crops
 */
import { tf } from '../engine/tf.ts';
import type { RgbImage } from '../media/image.ts';
import type { Autoencoder } from '../model/autoencoder.ts';
import { inputBatch, pasteOutput } from '../model/input.ts';
import type { Direction } from '../config/swap.ts';

export async function swapFaces(ae: Autoencoder, crops: readonly RgbImage[], direction: Direction, opts: { batchSize?: number; coverage?: number } = {}): Promise<RgbImage[]> {
  const s = ae.arch.inputSize;
  const batch = opts.batchSize ?? 16;
  const decoder = direction === 'a-to-b' ? 'b' : 'a';
  const out: RgbImage[] = [];
  for (let i = 0; i < crops.length; i += batch) {
    const group = crops.slice(i, i + batch);
    const x = await inputBatch(group, s, opts.coverage);
    const y = ae.reconstruct(x, decoder);
    x.dispose();
    for (let k = 0; k < group.length; k++) {
      const face = tf.tidy(() => y.slice([k, 0, 0, 0], [1, s, s, 3]).reshape([s, s, 3]) as tf.Tensor3D);
      out.push(pasteOutput(group[k]!, face, opts.coverage));
      face.dispose();
    }
    y.dispose();
  }
  return out;
}
