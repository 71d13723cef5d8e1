/**
 * Stage `composite`: put the swapped faces back into the video. Per-segment items (a killed
 * run resumes at the next segment): decode the segment's frames, re-composite each kept face
 * (colour transfer, eroded and feathered mask, optional seamless blend, inverse warp), encode
 * the segment, its replaced-pixel mask and (when the `comparison` output is named) a
 * side-by-side of original and swap. The finishing step joins the segments without
 * re-encoding, adds the source's audio and the synthetic tags, and writes the sidecar.
 * Its spec (version, params, inputs, outputs) is in registry.ts; this file loads when the stage runs.
 *
 *   - name: composite
 *     kind: composite
 *     params: { colour: rct, erode: 3, feather: 8 }
 *     inputs: { video: samples/a.mp4, alignments: "@extract-a.alignments", swapped: "@swap.faces" }
 *     outputs: { segments: segments, video: output.mp4, mask: mask.mp4, comparison: side-by-side.mp4,
 *                stats: composite.json, provenance: output.provenance.json }
 */
import { basename, join } from 'node:path';
import { partialFrames, type CompositeConfig } from '../config/swap.ts';
import type { StageContext, StageImplementation } from '../dag/stage-kind.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { concatVideos } from '../media/concat.ts';
import { decodeFrames, type Frame } from '../media/decode.ts';
import { openVideoWriter, type VideoWriter } from '../media/encode.ts';
import { probeVideo, withExactFrameCount, type VideoInfo } from '../media/probe.ts';
import type { FrameSwap } from '../swap/composite-frame.ts';
import { compositeFrames } from '../swap/composite-frames.ts';
import { COMPOSITE_SCHEMA, readSegmentStats, writeCompositeRecord, writeSegmentStats, type SegmentStats } from '../swap/composite-record.ts';
import { readKeptFacesByFrame, type KeptFaceTable } from '../swap/kept-faces.ts';
import { readSwapRecord, type SwapRecord } from '../swap/swap-record.ts';
import { SYNTHETIC_NOTICE, SYNTHETIC_SCHEMA, METHOD, syntheticTags, type SyntheticSidecar } from '../swap/synthetic.ts';
import { sha256File } from '../util/hash.ts';
import { provenance } from '../util/provenance.ts';
import { faultPoint } from '../util/fault-point.ts';
import { settledAll } from '../util/settled-all.ts';
import { errorMessage } from '../util/errors.ts';

type P = CompositeConfig;

/** One run of the stage: the video, its kept faces by frame, the swap (and how to put it back), and the decoder in use. */
interface Session {
  info: VideoInfo;
  byFrame: KeptFaceTable;
  swap: SwapRecord;
  frameSwap: FrameSwap;
  frames: AsyncGenerator<Frame> | null;
  next: number;
  /** A partial composite's frame ranges (inclusive); null: every frame may be swapped. */
  partial: Array<[number, number]> | null;
  /** The next segment, started while the one before it closed (its encoders open, fed up to `next`). */
  ahead: OpenSegment | null;
}

/** A segment being written: its encoders, the next frame to go to them, and what it holds so far. */
interface OpenSegment {
  first: number;
  end: number;
  next: number;
  writers: Array<[VideoWriter, 'video' | 'mask' | 'comparison']>;
  stats: SegmentStats;
}

const CONTENT = { video: 'face-swap', mask: 'replaced-pixel-mask', comparison: 'side-by-side' } as const;
type Ctx = StageContext<P, Session>;

/** The synthetic tags of a video the stage writes (a segment carries its video's). */
const tagsOf = (ctx: Ctx, what: keyof typeof CONTENT) => syntheticTags({ direction: ctx.session.swap.direction, model: ctx.session.swap.model.fingerprint, sidecar: basename(ctx.outputs.provenance!), content: CONTENT[what] });

/** x264's preset of the (lossless) replaced-pixel mask. */
export const MASK_PRESET = 'ultrafast';

const itemName = (i: number) => String(i).padStart(6, '0');
/**
 * Segments of `size` frames; a tail of 1 or 2 frames joins the segment before it: joined, such a
 * short H.264 segment (no B-frame delay, unlike the others) shifts the timeline and the output's
 * average frame rate reads wrong (625/27 instead of 25 for 8+8+8+1 frames).
 */
export function segmentCount(frames: number, size: number): number {
  const n = Math.ceil(frames / size);
  const tail = frames - (n - 1) * size;
  return n > 1 && tail < 3 ? n - 1 : n;
}

const segmentFile = (ctx: Ctx, what: 'video' | 'mask' | 'comparison' | 'stats', item: string) => join(ctx.outputs.segments!, what === 'stats' ? `${item}.json` : `${what}-${item}.mp4`);

/** Stop the decoder (and the next segment started ahead, whose frames came from it). */
async function stopDecoder(s: Session): Promise<void> {
  await abortAhead(s);
  await s.frames?.return(undefined);
  s.frames = null;
}

/** Segment `i`'s frames: first .. end - 1, and whether it is the last. */
function segmentRange(ctx: Ctx, i: number): { first: number; end: number; last: boolean } {
  const { frameCount } = ctx.session.info;
  const size = ctx.params.segmentFrames;
  const first = i * size;
  const last = i === segmentCount(frameCount, size) - 1;
  return { first, end: last ? frameCount : Math.min(first + size, frameCount), last };
}

/** Segment `i`'s encoders (video, mask and the side-by-side when named), open on their temporary files. */
async function openSegment(ctx: Ctx, i: number): Promise<OpenSegment> {
  const { width: w, height: h, fps } = ctx.session.info;
  const item = itemName(i);
  const { first, end } = segmentRange(ctx, i);
  const seg: OpenSegment = { first, end, next: first, writers: [], stats: { first, frames: 0, swapped: [] } };
  const open = async (what: 'video' | 'mask' | 'comparison', width: number, crf: number) => {
    // a segment is synthetic too: it carries the video's tags
    const metadata = tagsOf(ctx, what);
    // the mask goes in as grey (a third of the bytes through the pipe) and is lossless, so the
    // same pixels at any preset: the fastest (half the CPU of veryfast, in a bigger file)
    const isMask = what === 'mask';
    const wr = await openVideoWriter({ out: segmentFile(ctx, what, item), width, height: h, fps, crf, preset: isMask ? MASK_PRESET : ctx.params.x264Preset, deterministic: true, metadata, input: isMask ? 'gray' : 'rgb24', thread: true });
    seg.writers.push([wr, what]);
  };
  try {
    await open('video', w, ctx.params.crf);
    await open('mask', w, 0);
    if (ctx.outputs.comparison) await open('comparison', w * 2, ctx.params.crf);
  } catch (err) {
    await abortWriters(seg);
    throw err;
  }
  return seg;
}

/** Composite the segment's next frames into its encoders, to its end or until `stop` says so. */
async function feed(ctx: Ctx, seg: OpenSegment, stop?: () => boolean): Promise<void> {
  const s = ctx.session;
  const writer = (what: 'video' | 'mask' | 'comparison') => seg.writers.find(([, w]) => w === what)?.[0] ?? null;
  const facesOf = (index: number) => (!s.partial || s.partial.some(([a, b]) => index >= a && index <= b) ? (s.byFrame.get(index) ?? []) : []);
  const done = await compositeFrames({ frames: s.frames!, first: seg.next, end: seg.end, facesOf, swap: s.frameSwap, video: writer('video')!, mask: writer('mask')!, comparison: writer('comparison'), signal: ctx.signal, stop });
  seg.stats.frames += done.frames;
  seg.stats.swapped.push(...done.swapped);
  seg.next = done.next;
  s.next = done.next;
}

/**
 * Start segment `i` while the one before it closes: its encoders opened and fed until `closing`
 * settles. A failure here is not the closing segment's: the started one is dropped, and segment
 * `i` begins afresh as its own item (where the failure, if it is one, is met again).
 */
async function startAhead(ctx: Ctx, i: number, closing: Promise<void>): Promise<void> {
  const s = ctx.session;
  let settled = false;
  void closing.then(
    () => (settled = true),
    () => (settled = true),
  );
  let seg: OpenSegment | null = null;
  try {
    seg = await openSegment(ctx, i);
    await feed(ctx, seg, () => settled);
    s.ahead = seg;
  } catch (err) {
    ctx.log(`segment ${itemName(i)} was not started ahead (${errorMessage(err)}): it starts as its own item`);
    if (seg) await abortWriters(seg);
    await stopDecoder(s);
  }
}

async function abortWriters(seg: OpenSegment): Promise<void> {
  for (const [wr] of seg.writers) await wr.abort();
}

async function abortAhead(s: Session): Promise<void> {
  const seg = s.ahead;
  s.ahead = null;
  if (seg) await abortWriters(seg);
}

export const compositeStage: StageImplementation<P, Session> = {
  async open(ctx) {
    // a frame at a time: of a long video's alignments only the kept faces are held
    const { header: doc, byFrame } = readKeptFacesByFrame(ctx.inputs.alignments!);
    const info = await withExactFrameCount(await probeVideo(ctx.inputs.video!)); // an estimated count would lose or invent frames
    if (info.width !== doc.video.width || info.height !== doc.video.height) {
      throw new Error(`the alignments file ${ctx.inputs.alignments} is of a ${doc.video.width}x${doc.video.height} video, "${ctx.inputs.video}" is ${info.width}x${info.height}: pass the video it was extracted from`);
    }
    const swap = readSwapRecord(ctx.inputs.swapped!);
    const frameSwap: FrameSwap = { swappedDir: ctx.inputs.swapped!, learnedMasks: swap.learnedMasks, options: ctx.params };
    const partial = ctx.params.partial ? partialFrames(ctx.params.partial, info.frameCount) : null;
    return { info, byFrame, swap, frameSwap, frames: null, next: -1, partial, ahead: null };
  },
  async close(ctx) {
    // finished, failed or stopped (Ctrl-C, another stage failed): stop the decoder
    await stopDecoder(ctx.session);
  },
  items(ctx) {
    return Array.from({ length: segmentCount(ctx.session.info.frameCount, ctx.params.segmentFrames) }, (_, i) => itemName(i));
  },
  async runItem(ctx, item) {
    const s = ctx.session;
    const { first, end, last } = segmentRange(ctx, Number(item));
    let seg: OpenSegment;
    if (s.ahead && s.ahead.first === first && s.frames && s.next === s.ahead.next) {
      // started while the segment before it closed: its encoders already have its first frames
      seg = s.ahead;
      s.ahead = null;
    } else {
      await abortAhead(s);
      // one streaming decoder for the stage run; it starts at the first segment still to do
      if (!s.frames || s.next !== first) {
        await stopDecoder(s);
        s.frames = decodeFrames(ctx.inputs.video!, { info: s.info, startFrame: first, thread: true, recycle: true }); // compositeFrames copies a frame's pixels out before it asks for the next
        s.next = first;
      }
      seg = await openSegment(ctx, Number(item));
    }
    try {
      await feed(ctx, seg);
      if (seg.stats.frames === 0) {
        await abortWriters(seg);
      } else {
        // the encoders finish their last frames (x264's look-ahead: about a second a segment at
        // medium, a fifth at veryfast) while the next segment's first frames go to its own
        const closing = settledAll(seg.writers.map(([wr]) => wr.close()));
        closing.catch(() => undefined); // awaited below
        const following = ctx.itemsToRun?.[ctx.itemsToRun.indexOf(item) + 1];
        try {
          if (!last && seg.next === end && following === itemName(Number(item) + 1)) await startAhead(ctx, Number(item) + 1, closing); // this session runs it next
        } finally {
          await closing.catch(() => undefined); // never left running, whatever happened ahead
        }
        await closing;
      }
      faultPoint('composite.segment');
      await writeSegmentStats(segmentFile(ctx, 'stats', item), seg.stats);
    } catch (err) {
      await abortWriters(seg);
      await stopDecoder(s);
      throw err;
    }
  },
  async run(ctx) {
    const s = ctx.session;
    await stopDecoder(s);
    const items = (await compositeStage.items!(ctx)).map((item) => ({ item, stats: readSegmentStats(segmentFile(ctx, 'stats', item)) }));
    const used = items.filter((x) => x.stats.frames > 0);
    const total = used.reduce((n, x) => n + x.stats.frames, 0);
    const swapped = used.flatMap((x) => x.stats.swapped);
    await concatVideos({ segments: used.map((x) => segmentFile(ctx, 'video', x.item)), out: ctx.outputs.video!, audioFrom: ctx.inputs.video, metadata: tagsOf(ctx, 'video'), deterministic: true });
    faultPoint('composite.concat');
    await concatVideos({ segments: used.map((x) => segmentFile(ctx, 'mask', x.item)), out: ctx.outputs.mask!, metadata: tagsOf(ctx, 'mask'), deterministic: true });
    if (ctx.outputs.comparison) await concatVideos({ segments: used.map((x) => segmentFile(ctx, 'comparison', x.item)), out: ctx.outputs.comparison, audioFrom: ctx.inputs.video, metadata: tagsOf(ctx, 'comparison'), deterministic: true });
    const frames = { total, swapped: swapped.length, skipped: total - swapped.length };
    await writeCompositeRecord(ctx.outputs.stats!, { schema: COMPOSITE_SCHEMA, frames, swappedFrames: swapped, segments: used.length, ...(s.partial ? { partialFrames: s.partial } : {}), params: ctx.params });
    const fp = (f: string) => ({ file: f, sha256: sha256File(f) });
    const doc: SyntheticSidecar = {
      schema: SYNTHETIC_SCHEMA,
      synthetic: true,
      notice: SYNTHETIC_NOTICE,
      method: { name: METHOD, direction: s.swap.direction, swap: { ...s.swap, model: undefined }, composite: { ...ctx.params } },
      outputs: { video: fp(ctx.outputs.video!), mask: fp(ctx.outputs.mask!), comparison: ctx.outputs.comparison ? fp(ctx.outputs.comparison) : null },
      inputs: { video: fp(ctx.inputs.video!), alignments: fp(ctx.inputs.alignments!) },
      model: s.swap.model,
      frames,
      pipeline: ctx.meta.pipeline ?? null,
      software: provenance(),
    };
    await writeJsonAtomic(ctx.outputs.provenance!, doc);
    ctx.log(`${frames.swapped} of ${frames.total} frames swapped, ${frames.skipped} passed through; ${ctx.outputs.video}`);
  },
};
