/**
 * What the composite benches composite: an extraction's own aligned faces standing in for a
 * model's swaps (compositing does not care), by frame, with the default composite settings.
 *
 *   const { byFrame, swap } = selfSwap('runs/x/extract');   // the folder of alignments.json and faces/
 */
import { join } from 'node:path';
import { CompositeConfig } from '../../src/config/swap.ts';
import type { FrameSwap } from '../../src/swap/composite-frame.ts';
import { readKeptFacesByFrame, type KeptFaceTable } from '../../src/swap/kept-faces.ts';

export function selfSwap(extractDir: string): { byFrame: KeptFaceTable; swap: FrameSwap; params: CompositeConfig } {
  const alignments = join(extractDir, 'alignments.json');
  const params = CompositeConfig.parse({});
  return { byFrame: readKeptFacesByFrame(alignments).byFrame, swap: { swappedDir: join(extractDir, 'faces'), learnedMasks: null, options: params }, params };
}
