/**
 * Stage `extract`: faces from a video. Per-frame items (detection, landmarks, descriptors: a
 * killed extraction resumes at the next frame), then one finishing step (identity, filters,
 * smoothing, aligned faces, masks, alignments file). The target is the person in the `identity`
 * photo input, or else identity cluster `cluster` (param; 1 = the largest) of the face tracks.
 * Its spec (version, params, inputs, outputs) is in registry.ts; this file loads when the stage runs.
 *
 *   - name: extract-a
 *     kind: extract
 *     params: { size: 256 }
 *     inputs: { video: samples/a.mp4 }          # optional: identity: photo-of-a.jpg
 *     outputs: { detections: a/detections, faces: a/faces, masks: a/masks, alignments: a/alignments.json }
 */
import { join } from 'node:path';
import type { StageContext, StageImplementation } from '../dag/stage-kind.ts';
import { finishExtraction, referenceDescriptor, trackingStart, type FrameDetections } from '../face/extract.ts';
import { readFrameDetections, writeFrameDetections } from '../face/detections-file.ts';
import { loadFaceApi, type FaceApi } from '../face/face-api.ts';
import { FaceFollower } from '../face/face-follower.ts';
import { decodeFrames, type Frame } from '../media/decode.ts';
import { probeVideo, requireInputFile, withExactFrameCount, type VideoInfo } from '../media/probe.ts';
import { ensureEngine, engineUsed } from './engine.ts';
import { faceApiModelHashes, faceApiVersion } from '../face/package-files.ts';
import type { ExtractParams } from './registry.ts';
import { faultPoint } from '../util/fault-point.ts';

type P = ExtractParams;

/** One run of the stage: the video, face-api (loaded once), its decoder once an item started it, tracking state. */
interface Session {
  info: VideoInfo;
  fa: FaceApi;
  frames: AsyncGenerator<Frame> | null;
  ended: boolean;
  /** Pass 1 frame by frame (what following carries from one frame to the next). */
  follower: FaceFollower;
  /** The identity reference photo's face descriptor (`--identity FILE`), read before any frame. */
  reference: { file: string; descriptor: number[] } | undefined;
}

const itemName = (i: number) => String(i).padStart(6, '0');
const detectionFile = (ctx: StageContext<P, Session>, item: string) => join(ctx.outputs.detections!, `${item}.json`);

export const extractStage: StageImplementation<P, Session> = {
  async open(ctx) {
    requireInputFile(ctx.inputs.video!, 'video'); // a wrong path refused at once, before the engine starts
    // the probe (ffmpeg and ffprobe runs: waits) beside the engine's start and the models' load (work here)
    const [probed, loaded] = await Promise.allSettled([
      probeVideo(ctx.inputs.video!).then(withExactFrameCount), // an estimated count would lose or invent frames
      ensureEngine(ctx.backend).then(loadFaceApi),
    ]);
    if (probed.status === 'rejected') throw probed.reason; // a bad video is named first
    if (loaded.status === 'rejected') throw loaded.reason;
    const info = probed.value;
    const fa = loaded.value;
    // a reference photo without a face is refused here, before any frame is searched
    const reference = ctx.inputs.identity ? { file: ctx.inputs.identity, descriptor: await referenceDescriptor(fa, ctx.inputs.identity, ctx.params) } : undefined;
    return { info, fa, frames: null, ended: false, follower: new FaceFollower(fa, ctx.params), reference };
  },
  async close(ctx) {
    // finished, failed or stopped: stop the decoder (and its ffmpeg)
    await ctx.session.frames?.return(undefined);
    ctx.session.frames = null;
  },
  items(ctx) {
    const s = ctx.session;
    return Array.from({ length: s.info.frameCount }, (_, i) => itemName(i));
  },
  async runItem(ctx, item) {
    const s = ctx.session;
    const index = Number(item);
    // One streaming decoder for the whole stage run. It starts at the last detection frame at or
    // before the first frame still to do, so that tracking state is rebuilt exactly on resume.
    s.frames ??= decodeFrames(ctx.inputs.video!, { info: s.info, startFrame: trackingStart(index, ctx.params), thread: true, recycle: true }); // a frame is done with when the next is asked for
    let det: FrameDetections | null = null;
    while (!s.ended) {
      const r = await s.frames.next();
      if (r.done) {
        s.ended = true;
        break;
      }
      if (r.value.index > index) throw new Error(`decoder passed frame ${index} (at ${r.value.index}): items must run in order`);
      const d = await s.follower.next(r.value);
      if (r.value.index === index) {
        det = d;
        break;
      }
    }
    det ??= { index, time: index / (s.info.fps.num / s.info.fps.den), faces: [] };
    faultPoint('extract.pass1');
    await writeFrameDetections(detectionFile(ctx, item), det);
  },
  async run(ctx) {
    const s = ctx.session;
    await s.frames?.return(undefined); // the items are done: stop the decoder before the long finishing step
    const items = await extractStage.items!(ctx);
    const { fa, reference } = s;
    // the detection files are read again where needed, never all held (memory flat in the video's length)
    const detections = { count: items.length, read: (t: number) => readFrameDetections(detectionFile(ctx, items[t]!)) };
    const done = await finishExtraction({
      video: ctx.inputs.video!,
      info: s.info,
      detections,
      cfg: ctx.params,
      alignmentsFile: ctx.outputs.alignments!,
      facesDir: ctx.outputs.faces!,
      masksDir: ctx.outputs.masks!,
      reference,
      fa,
      signal: ctx.signal,
      log: ctx.log,
    });
    const { jitter } = done.header;
    ctx.log(`kept ${done.kept} faces in ${done.frames} frames; jitter ${jitter.before?.toFixed(2)} -> ${jitter.after?.toFixed(2)} px`);
  },
  did(ctx) {
    return { detector: ctx.params.detector, faceApi: faceApiVersion(), models: faceApiModelHashes(), engine: engineUsed() };
  },
};
