/**
 * Stage `compress-ladder`: a video at the FaceForensics++ compression levels c0, c23 and c40
 * (see src/media/compress.ts); any subset of the three outputs may be named.
 * Its spec (version, params, inputs, outputs) is in registry.ts; this file loads when the stage runs.
 *
 *   - name: ladder-alice-01
 *     kind: compress-ladder
 *     inputs: { video: alice1.mp4 }
 *     outputs: { c0: ladder/alice-01/c0.mp4, c23: ladder/alice-01/c23.mp4, c40: ladder/alice-01/c40.mp4 }
 */
import type { StageImplementation } from '../dag/stage-kind.ts';
import { LEVELS } from '../config/benchmark.ts';
import { compressVideo } from '../media/compress.ts';
import type { CompressLadderParams } from './registry.ts';
import { faultPoint } from '../util/fault-point.ts';

export const compressLadderStage: StageImplementation<CompressLadderParams> = {
  async run(ctx) {
    const levels = LEVELS.filter((l) => ctx.outputs[l]);
    if (!levels.length) throw new Error(`stage ${ctx.name}: expected at least one of the outputs ${LEVELS.join(', ')}`);
    for (const level of levels) {
      if (ctx.signal.aborted) throw new Error('interrupted');
      await compressVideo(ctx.inputs.video!, level, ctx.outputs[level]!, { strip: ctx.params.strip, tags: ctx.params.tags });
      faultPoint('ladder.rung');
    }
  },
};
