/**
 * What the composite benches composite: an extraction's own aligned faces standing in for a
 * model's swaps (compositing does not care), by frame, with the default composite settings.
 *
 *   const { byFrame, swap } = selfSwap('runs/x/extract');   // the folder of alignments.json and faces/
 *   const inputs = await selfSwapInputs('runs/x/extract', 'clip.mp4');   // the composite stage's inputs
 */
import { join } from 'node:path';
import { modelArchitecture } from '../../src/config/model.ts';
import { CompositeConfig, SwapConfig } from '../../src/config/swap.ts';
import { writeSwapRecord } from '../../src/swap/swap-record.ts';
import type { FrameSwap } from '../../src/swap/composite-frame.ts';
import { readKeptFacesByFrame, type KeptFaceTable } from '../../src/swap/kept-faces.ts';

export function selfSwap(extractDir: string): { byFrame: KeptFaceTable; swap: FrameSwap; params: CompositeConfig } {
  const alignments = join(extractDir, 'alignments.json');
  const params = CompositeConfig.parse({});
  return { byFrame: readKeptFacesByFrame(alignments).byFrame, swap: { swappedDir: join(extractDir, 'faces'), learnedMasks: null, options: params }, params };
}

/**
 * The composite stage's inputs for a self-swap: the video, its alignments and the extraction's
 * faces as the swapped faces, with a swap record written beside them (a stand-in model: the
 * stage reads only its direction and fingerprint, for the tags).
 */
export async function selfSwapInputs(extractDir: string, video: string): Promise<{ video: string; alignments: string; swapped: string }> {
  const alignments = join(extractDir, 'alignments.json');
  const swapped = join(extractDir, 'faces');
  const arch = modelArchitecture('tiny');
  await writeSwapRecord(swapped, { schema: 'janus.swap/1', direction: 'a-to-b', params: SwapConfig.parse({}), alignments, faces: 0, model: { folder: 'self-swap', checkpoint: 'self-swap', iteration: 0, arch, fingerprint: 'self-swap' } });
  return { video, alignments, swapped };
}
