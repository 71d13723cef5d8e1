/**
 * Stage `sample-clip`: build one sample clip from a face photo inside face-api.
 * Its spec (version, params, inputs, outputs) is in registry.ts; this file loads when the stage runs.
 *
 *   - name: clip-a
 *     kind: sample-clip
 *     params: { identity: a }
 *     outputs: { video: a.mp4 }
 */
import type { StageImplementation } from '../dag/stage-kind.ts';
import { makeSampleClip } from '../samples/make-sample.ts';
import type { SampleClipParams } from './registry.ts';

export const sampleClipStage: StageImplementation<SampleClipParams> = {
  async run(ctx) {
    const { identity, ...clip } = ctx.params;
    await makeSampleClip(identity, ctx.outputs.video!, clip);
  },
};
