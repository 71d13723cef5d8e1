/**
 * Stage `sample-clip`: build one sample clip from a face photo inside face-api.
 *
 *   - name: clip-a
 *     kind: sample-clip
 *     params: { identity: a }
 *     outputs: { video: a.mp4 }
 */
import { z } from 'zod';
import { SampleClipConfig, SAMPLE_NAMES, type SampleName } from '../config/samples.ts';
import type { StageKind } from '../dag/stage-kind.ts';
import { makeSampleClip } from '../samples/make-sample.ts';

const Params = SampleClipConfig.extend({
  /** Which identity (see src/config/samples.ts). */
  identity: z.enum(SAMPLE_NAMES as [SampleName, ...SampleName[]]),
}).strict();

export const sampleClipStage: StageKind<z.infer<typeof Params>> = {
  kind: 'sample-clip',
  version: '1',
  description: 'make a sample clip (pan/zoom/roll/light over a face photo shipped in face-api)',
  params: Params,
  outputs: ['video'],
  async run(ctx) {
    const { identity, ...clip } = ctx.params;
    await makeSampleClip(identity, ctx.outputs.video!, clip);
  },
};
