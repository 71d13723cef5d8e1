/**
 * Stage `probe-video`: what Janus reads from a video (size, fps, frames, audio), as JSON.
 * Its spec (version, params, inputs, outputs) is in registry.ts; this file loads when the stage runs.
 *
 *   - name: probe-a
 *     kind: probe-video
 *     inputs: { video: samples/a.mp4 }
 *     outputs: { info: a.json }
 */
import type { StageImplementation } from '../dag/stage-kind.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { decodeFrames } from '../media/decode.ts';
import { probeVideo } from '../media/probe.ts';
import type { ProbeVideoParams } from './registry.ts';

export const probeVideoStage: StageImplementation<ProbeVideoParams> = {
  async run(ctx) {
    const video = ctx.inputs.video!;
    const info = await probeVideo(video);
    if (ctx.params.countFrames) {
      let n = 0;
      for await (const _ of decodeFrames(video, { info, thread: true })) {
        if (ctx.signal.aborted) return;
        n++;
      }
      info.frameCount = n;
      info.frameCountExact = true;
    }
    ctx.log(`${info.width}x${info.height} ${info.fps.num}/${info.fps.den} fps, ${info.frameCount} frames`);
    await writeJsonAtomic(ctx.outputs.info!, { ...info, file: undefined });
  },
};
