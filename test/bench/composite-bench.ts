/**
 * `make bench` (compositing part): frames/s of the composite stage's per-frame work on a 720p
 * clip made from samples/a.mp4 (issue 19's goal: >= 25 frames/s on this 2-core machine), and
 * where the time goes: decoding alone; decoding and compositing every kept face (colour transfer,
 * eroded and feathered mask, inverse warp and blend on the face's box); and all the stage does per
 * frame, the stage's own loop with the output and mask encoders fed (x264 crf 18 and lossless,
 * deterministic, single-threaded each, fed from worker threads, as the stage writes them; the
 * frames read on a worker thread as the stage reads them), at the default preset, at
 * veryfast and at ultrafast (`--x264-preset`), each beside the same loop with no face to
 * composite (what decoding and encoding alone allow on these cores); then the stage itself
 * (src/stages/composite.ts: open, its segments, close; not the join) on a 300-frame clip, as a
 * run does it (one decoder, each segment's encoders, the next segment started while one closes):
 * at medium with the side-by-side (what a run makes by default), at veryfast without it and with
 * it (the issue's goal: output, mask and side-by-side encoded). The faces are the clip's own aligned faces
 * (extracted with the tiny detector), standing in for a model's swaps: compositing does not care.
 *
 *   npx tsx test/bench/composite-bench.ts [--frames 100]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clip720p } from './clip-720p.ts';
import { decodeFrames } from '../../src/media/decode.ts';
import { openVideoWriter } from '../../src/media/encode.ts';
import { probeVideo } from '../../src/media/probe.ts';
import { compositeFrame } from '../../src/swap/composite-frame.ts';
import { compositeFrames } from '../../src/swap/composite-frames.ts';
import { selfSwap, selfSwapInputs } from './self-swap.ts';
import { compositeStage, MASK_PRESET } from '../../src/stages/composite.ts';
import { CompositeConfig } from '../../src/config/swap.ts';

const i = process.argv.indexOf('--frames');
const FRAMES = i > 0 ? Number(process.argv[i + 1]) : 100; // one segment of the stage (segmentFrames)
/** The stage's own run: three segments. */
const LONG = 300;
const dir = mkdtempSync(join(tmpdir(), 'janus-bench-composite-'));
try {
  const clip = clip720p(dir, FRAMES);
  const ex = join(dir, 'extract');
  execFileSync('node', ['src/cli/bin.js', 'extract', clip, '--out', ex, '--detector', 'tiny'], { stdio: 'ignore' });
  const { byFrame, swap, params } = selfSwap(ex);
  const info = await probeVideo(clip);
  const fps = (n: number, t0: number) => +(n / ((performance.now() - t0) / 1000)).toFixed(2);
  const stageLabel = (preset: string, sideBySide: boolean) => `the composite stage's segments, ${LONG} frames (x264 ${preset}${preset === params.x264Preset ? ', the default' : ''}; output and mask${sideBySide ? ' and side-by-side' : ''})`;
  const results: Record<string, number> = {};
  let t0 = performance.now();
  let n = 0;
  for await (const _ of decodeFrames(clip, { info, thread: true, recycle: true })) n++;
  results['decode'] = fps(n, t0);
  t0 = performance.now();
  n = 0;
  for await (const f of decodeFrames(clip, { info, thread: true, recycle: true })) {
    await compositeFrame(f, byFrame.get(f.index) ?? [], swap);
    n++;
  }
  results['decode + composite'] = fps(n, t0);
  // the stage's loop (swap/composite-frames.ts) at the default x264 preset, at veryfast and at
  // ultrafast; and the same loop with no face to composite: what decoding and encoding alone allow
  for (const preset of ['medium', 'veryfast', 'ultrafast'] as const) {
    for (const faces of [true, false]) {
      t0 = performance.now();
      const video = await openVideoWriter({ out: join(dir, 'out.mp4'), width: info.width, height: info.height, fps: info.fps, crf: params.crf, preset, deterministic: true, thread: true });
      const mask = await openVideoWriter({ out: join(dir, 'mask.mp4'), width: info.width, height: info.height, fps: info.fps, crf: 0, preset: MASK_PRESET, deterministic: true, input: 'gray', thread: true });
      const frames = decodeFrames(clip, { info, thread: true, recycle: true });
      const done = await compositeFrames({ frames, first: 0, end: info.frameCount, facesOf: (index) => (faces ? (byFrame.get(index) ?? []) : []), swap, video, mask });
      await video.close();
      await mask.close();
      const name = `x264 ${preset}${preset === params.x264Preset ? ', the default' : ''}`;
      results[faces ? `decode + composite + encode (the stage, ${name})` : `decode + encode, no face composited (${name})`] = fps(done.frames, t0);
    }
  }
  // the stage itself on a longer clip, as a run does it: one decoder for the run, each segment's
  // encoders, the next segment started while one closes (x264's look-ahead flush)
  const long = clip720p(dir, LONG, 'long');
  const longEx = join(dir, 'extract-long');
  execFileSync('node', ['src/cli/bin.js', 'extract', long, '--out', longEx, '--detector', 'tiny'], { stdio: 'ignore' });
  const inputs = await selfSwapInputs(longEx, long);
  for (const [preset, sideBySide] of [['medium', true], ['veryfast', false], ['veryfast', true]] as const) {
    const out = join(dir, `stage-${preset}-${sideBySide}`);
    const setup = {
      name: 'composite',
      params: CompositeConfig.parse({ x264Preset: preset }),
      inputs,
      outputs: { segments: join(out, 'segments'), video: join(out, 'output.mp4'), mask: join(out, 'mask.mp4'), stats: join(out, 'composite.json'), provenance: join(out, 'output.provenance.json'), ...(sideBySide ? { comparison: join(out, 'side-by-side.mp4') } : {}) },
      workdir: out,
      signal: new AbortController().signal,
      log: () => undefined,
      meta: {},
    };
    t0 = performance.now();
    const session = await compositeStage.open!(setup);
    const ctx = { ...setup, session, itemsToRun: [] as string[] };
    try {
      ctx.itemsToRun = await compositeStage.items!(ctx); // as the executor runs them (stage-executor.ts)
      for (const item of ctx.itemsToRun) await compositeStage.runItem!(ctx, item);
    } finally {
      await compositeStage.close!(ctx);
    }
    results[stageLabel(preset, sideBySide)] = fps(LONG, t0);
  }
  const goal = stageLabel('veryfast', true);
  const stage = results[goal]!;
  console.log(JSON.stringify({ bench: 'composite', frames: n, faces: byFrame.faces, size: '1280x720', framesPerSecond: results, goal: { [goal]: 25 }, meetsGoal: stage >= 25 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
