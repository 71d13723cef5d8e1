/**
 * Stage `compress-ladder`: a video at the FaceForensics++ compression levels c0, c23 and c40
 * (see src/media/compress.ts); any subset of the three outputs may be named.
 *
 *   - name: ladder-alice-01
 *     kind: compress-ladder
 *     inputs: { video: alice1.mp4 }
 *     outputs: { c0: ladder/alice-01/c0.mp4, c23: ladder/alice-01/c23.mp4, c40: ladder/alice-01/c40.mp4 }
 */
import { z } from 'zod';
import type { StageKind } from '../dag/stage-kind.ts';
import { LEVELS } from '../config/benchmark.ts';
import { compressVideo } from '../media/compress.ts';

const Params = z.object({}).strict();

export const compressLadderStage: StageKind<z.infer<typeof Params>> = {
  kind: 'compress-ladder',
  version: '1',
  description: 'the video at compression levels c0 (lossless), c23 and c40',
  params: Params,
  inputs: ['video'],
  async run(ctx) {
    const levels = LEVELS.filter((l) => ctx.outputs[l]);
    if (!levels.length) throw new Error(`stage ${ctx.name}: expected at least one of the outputs ${LEVELS.join(', ')}`);
    for (const level of levels) {
      if (ctx.signal.aborted) throw new Error('interrupted');
      await compressVideo(ctx.inputs.video!, level, ctx.outputs[level]!);
    }
  },
};
