/**
 * The latent swap: A's aligned faces through the shared encoder and B's decoder (or the
 * reverse), in batches. The model sees the coverage square of each crop (model/input.ts, the
 * same conversion training used) and its output is pasted back into that square.
 *
 *   const swapped = await swapFaces(ae, crops, 'a-to-b', { batchSize: 16, coverage: 0.75 });   // RgbImage[] like crops
 *   const { faces, masks } = await swapFacesWithMasks(ae, crops, 'a-to-b');           // masks: learned, or null
 */
import { tf } from '../engine/tf.ts';
import type { GrayImage, RgbImage } from '../util/geometry.ts';
import type { Autoencoder } from '../model/autoencoder.ts';
import { inputBatch, pasteMasks, pasteOutputs } from '../model/input.ts';
import { defaultOf } from '../config/parse.ts';
import { SwapConfig, type Direction } from '../config/swap.ts';

export async function swapFaces(ae: Autoencoder, crops: readonly RgbImage[], direction: Direction, opts: { batchSize?: number; coverage?: number } = {}): Promise<RgbImage[]> {
  return (await swapFacesWithMasks(ae, crops, direction, opts)).faces;
}

/**
 * The swap and, when the model learned masks, the target decoder's mask of each swapped face
 * (crop size, the coverage square; 0 outside it).
 */
export async function swapFacesWithMasks(ae: Autoencoder, crops: readonly RgbImage[], direction: Direction, opts: { batchSize?: number; coverage?: number } = {}): Promise<{ faces: RgbImage[]; masks: GrayImage[] | null }> {
  const s = ae.arch.inputSize;
  const batch = opts.batchSize ?? defaultOf(SwapConfig, 'batchSize');
  const decoder = direction === 'a-to-b' ? 'b' : 'a';
  const faces: RgbImage[] = [];
  const masks: GrayImage[] | null = ae.arch.learnMask ? [] : null;
  for (let i = 0; i < crops.length; i += batch) {
    const group = crops.slice(i, i + batch);
    const x = await inputBatch(group, s, opts.coverage);
    const y = ae.reconstructWithMask(x, decoder);
    x.dispose();
    try {
      // the whole batch pasted at once: one resize and one readback for the faces, one for the masks
      faces.push(...(await pasteOutputs(group, y.rgb, opts.coverage)));
      if (masks && y.mask) masks.push(...(await pasteMasks(group.map((c) => c.width), y.mask, opts.coverage)));
    } finally {
      tf.dispose([y.rgb, ...(y.mask ? [y.mask] : [])]);
    }
  }
  return { faces, masks };
}
