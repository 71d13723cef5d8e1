/**
 * Variable-frame-rate input keeps audio in sync. A 64x16 clip whose frames show their own number
 * (8 black/white blocks, one per bit) is written with irregular timestamps (jitter, a 0.5 s gap,
 * held frames) and a beeping audio track; it goes through the path the swap pipeline writes its
 * output with (probe, exact count, streaming decode, segments encoded with the source's rate,
 * segments joined with the source's audio). The drift is MEASURED: at every millisecond t of the
 * clip, the frame the output shows at t (its number read back from the pixels) must be the frame
 * the source shows at t, give or take less than one frame; the output's video and audio
 * durations agree within one frame. CFR files are left as they were: a CFR clip is not flagged
 * and, forced through the VFR path, decodes to the same bytes. An audio track shorter or longer
 * than the video: the join keeps every frame and the whole audio track.
 *
 * @tier e2e (ffmpeg encodes and decodes small clips)
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { concatVideos } from '../../src/media/concat.ts';
import { decodeFrames, readFrame } from '../../src/media/decode.ts';
import { openVideoWriter } from '../../src/media/encode.ts';
import { probeVideo, rationalValue, withExactFrameCount } from '../../src/media/probe.ts';
import { SAMPLE_A, ffmpegSync, requireSamples, tempDir } from '../helpers/fixtures.ts';
import { frameNumbers, frameTimes, makeVfrClip } from '../helpers/vfr-clip.ts';

const test = suite('media/vfr-sync');
const tmp = tempDir('vfr');
test.before(() => requireSamples());
test.after(() => tmp.cleanup());

function streamDuration(file: string, stream: 'v:0' | 'a:0'): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', stream, '-show_entries', 'stream=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return Number(out.trim());
}

/** Decode -> encode in segments (as the composite stage does) -> join with the source's audio. */
async function throughPipeline(src: string, out: string, segmentFrames: number): Promise<{ fps: number; frames: number }> {
  const info = await withExactFrameCount(await probeVideo(src));
  const segments: string[] = [];
  let writer: Awaited<ReturnType<typeof openVideoWriter>> | null = null;
  let frames = 0;
  for await (const f of decodeFrames(src, { info })) {
    if (f.index % segmentFrames === 0) {
      await writer?.close();
      segments.push(join(tmp.dir, `seg-${segments.length}.mp4`));
      writer = await openVideoWriter({ out: segments.at(-1)!, width: info.width, height: info.height, fps: info.fps, deterministic: true });
    }
    await writer!.write(f.data);
    frames++;
  }
  await writer?.close();
  assert.is(frames, info.frameCount, 'decoded as many frames as the probe counted');
  await concatVideos({ segments, out, audioFrom: src, deterministic: true });
  return { fps: rationalValue(info.fps), frames };
}

interface Drift {
  /** Largest distance (in output frames) between when a frame is shown in the output and in the source. */
  maxFrames: number;
  /** Where it was largest (s). */
  at: number;
}

/**
 * For every millisecond t of the source: the output shows source frame n at t; the source shows
 * n over [start_n, start_n+1). The drift at t is how far t lies outside that interval.
 */
function measureDrift(src: string, out: string): Drift {
  const srcTimes = frameTimes(src);
  const srcNumbers = frameNumbers(src);
  assert.equal(srcNumbers, srcNumbers.map((_, i) => i), 'the source frames show their own numbers');
  const srcEnd = srcTimes.at(-1)! + (srcTimes.at(-1)! - srcTimes.at(-2)!);
  const outTimes = frameTimes(out);
  const outNumbers = frameNumbers(out);
  assert.is(outNumbers.length, outTimes.length);
  const outFrame = (outTimes.at(-1)! - outTimes[0]!) / (outTimes.length - 1);
  const outEnd = outTimes.at(-1)! + outFrame;
  let worst: Drift = { maxFrames: 0, at: 0 };
  let i = 0;
  for (let ms = 0; ms < Math.min(srcEnd, outEnd) * 1000; ms++) {
    const t = ms / 1000;
    while (i + 1 < outTimes.length && outTimes[i + 1]! <= t) i++;
    if (outTimes[i]! > t) continue; // before the output's first frame
    const n = outNumbers[i]!;
    const from = srcTimes[n]!;
    const to = n + 1 < srcTimes.length ? srcTimes[n + 1]! : srcEnd;
    const seconds = t < from ? from - t : t >= to ? t - to + 0.001 : 0;
    if (seconds / outFrame > worst.maxFrames) worst = { maxFrames: seconds / outFrame, at: t };
  }
  return worst;
}

test('a VFR clip is flagged; through decode -> encode -> concat its frames stay within 1 frame of the source timeline, and video and audio end together', async () => {
  const src = makeVfrClip(join(tmp.dir, 'vfr.mp4'));
  const info = await withExactFrameCount(await probeVideo(src));
  assert.ok(info.vfr, 'the clip is flagged as variable frame rate');
  assert.equal(info.fps, { num: 25, den: 1 }, 'resampled at its base rate (not its average, 100 frames / 4.7 s)');
  assert.is(info.frameCount, 117, '4.7 s at 25 fps');
  const all: Buffer[] = [];
  for await (const f of decodeFrames(src, { info })) all.push(f.data);
  assert.is(all.length, info.frameCount);
  assert.ok((await readFrame(src, 60, info)).data.equals(all[60]!), 'a start frame counts resampled frames, as a full decode does');
  const out = join(tmp.dir, 'out.mp4');
  const { fps, frames } = await throughPipeline(src, out, 30);
  const drift = measureDrift(src, out);
  const video = streamDuration(out, 'v:0');
  const audio = streamDuration(out, 'a:0');
  const durationGap = Math.abs(video - audio) * fps;
  console.log(`  vfr: ${frames} frames at ${fps.toFixed(3)} fps; max drift ${drift.maxFrames.toFixed(2)} frames (at ${drift.at.toFixed(3)} s); video ${video.toFixed(3)} s, audio ${audio.toFixed(3)} s`);
  assert.ok(drift.maxFrames < 1, `drift ${drift.maxFrames.toFixed(2)} frames at ${drift.at} s`);
  assert.ok(durationGap < 1, `video ${video} s and audio ${audio} s differ by ${durationGap.toFixed(2)} frames`);
});

test('a CFR clip is not flagged, and the VFR path (resampling at its own rate) gives it the same frames, byte for byte', async () => {
  const src = join(tmp.dir, 'cfr.mp4');
  ffmpegSync(['-i', SAMPLE_A, '-t', '1', '-vf', 'scale=64:64', '-c:v', 'libx264', '-c:a', 'copy', src]);
  const info = await withExactFrameCount(await probeVideo(src));
  assert.is(info.vfr, false);
  const forced = await withExactFrameCount({ ...info, vfr: true, frameCountExact: false });
  assert.is(forced.frameCount, info.frameCount, 'the resampled count is the coded count');
  const plain: Buffer[] = [];
  for await (const f of decodeFrames(src, { info })) plain.push(f.data);
  let n = 0;
  for await (const f of decodeFrames(src, { info: forced })) {
    assert.ok(f.data.equals(plain[n]!), `frame ${n} identical`);
    n++;
  }
  assert.is(n, plain.length);
  assert.is(n, info.frameCount);
});

test('an audio track shorter or longer than the video: the join keeps every frame and all the audio (as the real video keeps them)', async () => {
  const src = join(tmp.dir, 'ten.mp4');
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25:duration=0.4', '-pix_fmt', 'yuv420p', src]);
  for (const seconds of [0.1, 0.8]) {
    const audio = join(tmp.dir, `beep-${seconds}.m4a`);
    ffmpegSync(['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'aac', audio]);
    const seg = join(tmp.dir, `seg-audio-${seconds}.mp4`);
    const w = await openVideoWriter({ out: seg, width: 64, height: 48, fps: { num: 25, den: 1 }, deterministic: true });
    for await (const f of decodeFrames(src)) await w.write(f.data);
    await w.close();
    const out = join(tmp.dir, `joined-${seconds}.mp4`);
    await concatVideos({ segments: [seg], out, audioFrom: audio, deterministic: true });
    assert.is((await withExactFrameCount(await probeVideo(out))).frameCount, 10, `audio of ${seconds} s: every frame kept`);
    assert.ok(Math.abs(streamDuration(out, 'a:0') - streamDuration(audio, 'a:0')) < 0.03, `audio of ${seconds} s kept whole: ${streamDuration(out, 'a:0')}`);
  }
});

test.run();
