/**
 * The composite stage's frame loop (swap/composite-frames.ts, frames read and written on worker threads as the stage does) over a clip, with an extraction's
 * own aligned faces standing in for swaps, then one JSON line with the process's peak RSS: the
 * memory bench runs it in a process of its own per clip.
 *
 *   npx tsx test/bench/composite-rss.ts CLIP EXTRACT_DIR OUT_DIR
 */
import { join } from 'node:path';
import { decodeFrames } from '../../src/media/decode.ts';
import { openVideoWriter } from '../../src/media/encode.ts';
import { probeVideo } from '../../src/media/probe.ts';
import { compositeFrames } from '../../src/swap/composite-frames.ts';
import { selfSwap } from './self-swap.ts';
import { MASK_PRESET } from '../../src/stages/composite.ts';

const [clip, ex, out] = process.argv.slice(2) as [string, string, string];
const { byFrame, swap, params } = selfSwap(ex);
const info = await probeVideo(clip);
const t0 = performance.now();
const video = await openVideoWriter({ out: join(out, 'out.mp4'), width: info.width, height: info.height, fps: info.fps, crf: params.crf, preset: 'veryfast', deterministic: true, thread: true });
const mask = await openVideoWriter({ out: join(out, 'mask.mp4'), width: info.width, height: info.height, fps: info.fps, crf: 0, preset: MASK_PRESET, deterministic: true, input: 'gray', thread: true });
const done = await compositeFrames({ frames: decodeFrames(clip, { info, thread: true, recycle: true }), first: 0, end: info.frameCount, facesOf: (i) => byFrame.get(i) ?? [], swap, video, mask });
await video.close();
await mask.close();
console.log(JSON.stringify({ frames: done.frames, seconds: +((performance.now() - t0) / 1000).toFixed(1), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
