/**
 * decodeFrames({ thread: true }) and openVideoWriter({ thread: true }): ffmpeg's output read,
 * and its input written, on worker threads (decode-thread.ts, encode-thread.ts and their .mjs
 * workers). The same frames and bytes as on the main thread, the same errors, ffmpeg and the
 * thread gone when a loop ends early or a writer is aborted, and no more than a few frames held
 * beside a slow consumer or a slow encoder; with `recycle`, the same frames cut into a few
 * buffers used again, a frame kept past the next one found empty, never overwritten.
 * (bad-input.test.ts runs its writer failures both ways.)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeFrames, type Frame } from '../../src/media/decode.ts';
import { openVideoWriter } from '../../src/media/encode.ts';
import { framesInThread } from '../../src/media/decode-thread.ts';
import { requireFfmpeg, watched } from '../../src/media/ffmpeg.ts';
import { probeVideo } from '../../src/media/probe.ts';
import { UserError } from '../../src/util/errors.ts';
import { SAMPLE_A, ffmpegSync, requireSamples, tempDir, truncated } from '../helpers/fixtures.ts';

const test = suite('media/ffmpeg-threads');
const tmp = tempDir('ffmpeg-threads');

test.before(() => requireSamples());
test.after(() => tmp.cleanup());

async function all(frames: AsyncIterable<Frame>): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of frames) out.push(f);
  return out;
}

/** The processes whose command line names `file` (ffmpeg, its watchdog's watcher). */
function processesReading(file: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', file], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when none matches
  }
}

/** Those of them that are ffmpeg itself (the watchdog's watcher, a shell, ends within a second of it). */
const ffmpegsReading = (file: string) => processesReading(file).filter((l) => /(^|\/)ffmpeg$/.test(l.split(' ')[1] ?? ''));

test('the thread gives the frames the main thread reads, byte for byte: whole, from a start frame, a few', async () => {
  const info = await probeVideo(SAMPLE_A);
  for (const options of [{}, { startFrame: 40 }, { startFrame: 7, maxFrames: 5 }]) {
    const plain = await all(decodeFrames(SAMPLE_A, { info, ...options }));
    const threaded = await all(decodeFrames(SAMPLE_A, { info, ...options, thread: true }));
    assert.is(threaded.length, plain.length, JSON.stringify(options));
    assert.ok(plain.length > 0);
    threaded.forEach((f, k) => {
      const p = plain[k]!;
      assert.equal([f.index, f.time, f.width, f.height], [p.index, p.time, p.width, p.height]);
      assert.ok(Buffer.compare(f.data, p.data) === 0, `frame ${f.index} (${JSON.stringify(options)}) differs`);
    });
  }
});

test('recycle: the same frames, byte for byte, in a few buffers used again; a frame kept past the next is empty, not overwritten', async () => {
  const info = await probeVideo(SAMPLE_A);
  const plain = await all(decodeFrames(SAMPLE_A, { info, thread: true }));
  assert.ok(plain.length > 20, 'more frames than buffers');
  let k = 0;
  let previous: Frame | null = null;
  for await (const f of decodeFrames(SAMPLE_A, { info, thread: true, recycle: true })) {
    const p = plain[k++]!;
    assert.equal([f.index, f.data.length], [p.index, p.data.length]);
    assert.ok(Buffer.compare(f.data, p.data) === 0, `frame ${f.index} differs`);
    if (previous) assert.is(previous.data.length, 0, `frame ${previous.index}, kept past the next one, is empty`);
    previous = f;
    if (k % 10 === 0) await sleep(30); // a slow consumer now and then: the thread runs ahead
  }
  assert.is(k, plain.length, 'every frame');
  // the thread's own count of the buffers it made, with and without recycle
  const frameBytes = info.width * info.height * 3;
  for (const recycle of [true, false]) {
    const w = watched(requireFfmpeg().ffmpeg);
    const frames = framesInThread({ file: w.file, env: w.env, frameBytes, recycle, args: ['-v', 'error', '-nostdin', '-i', SAMPLE_A, '-map', '0:v:0', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'] });
    let n = 0;
    let r = await frames.next();
    for (; !r.done; r = await frames.next()) if (++n % 10 === 0) await sleep(30);
    assert.is(n, plain.length);
    if (recycle) assert.ok(r.value.buffers <= 6, `${r.value.buffers} buffers made for ${n} frames (3 ahead, one being cut, one held, one on its way back)`);
    else assert.is(r.value.buffers, n + 1, 'a buffer a frame (and the one the end found empty)');
  }
  // without recycle every frame has its own memory, kept as long as it is held
  const held = await all(decodeFrames(SAMPLE_A, { info, thread: true, maxFrames: 8 }));
  assert.ok(held.every((f, i) => Buffer.compare(f.data, plain[i]!.data) === 0));
});

test('leaving the loop early kills ffmpeg and ends the thread: nothing left reading the file', async () => {
  const file = join(tmp.dir, 'early-exit-clip.mp4');
  copyFileSync(SAMPLE_A, file);
  let n = 0;
  for await (const _ of decodeFrames(file, { thread: true })) if (++n === 3) break;
  assert.is(n, 3);
  assert.equal(ffmpegsReading(file), [], 'ffmpeg is gone when the loop has ended');
  // the watchdog's watcher notices within a second
  for (let i = 0; i < 40 && processesReading(file).length; i++) await sleep(100);
  assert.equal(processesReading(file), []);
  // an exception in the loop's body ends it the same way
  const thrown = await (async () => {
    try {
      for await (const f of decodeFrames(file, { thread: true })) if (f.index === 5) throw new Error('consumer failed');
    } catch (e) {
      return (e as Error).message;
    }
    return null;
  })();
  assert.is(thrown, 'consumer failed');
  assert.equal(ffmpegsReading(file), [], 'ffmpeg is gone when the loop has ended');
  for (let i = 0; i < 40 && processesReading(file).length; i++) await sleep(100);
  assert.equal(processesReading(file), []);
});

test('a truncated file fails with the main thread reader\'s error, after the frames it holds', async () => {
  const f = truncated(SAMPLE_A, join(tmp.dir, 'cut-thread.mp4'), 0.5);
  const info = await probeVideo(f);
  let n = 0;
  const error = await (async () => {
    try {
      for await (const _ of decodeFrames(f, { info, thread: true })) n++;
    } catch (e) {
      return e;
    }
    return null;
  })();
  assert.instance(error, UserError);
  assert.match((error as UserError).message, /cannot decode video ".*cut-thread\.mp4"/);
  assert.match((error as UserError).hint ?? '', /truncated or damaged/);
  assert.ok(n > 0 && n < 125, `decoded ${n} frames before the error`);
});

test('a slow consumer holds only a few frames: the thread waits for it (memory stays flat)', async () => {
  const clip = join(tmp.dir, 'slow-720p.mp4');
  // 150 frames of 1280x720: 415 MB of RGB, which a thread running ahead would hold
  ffmpegSync(['-stream_loop', '1', '-i', SAMPLE_A, '-frames:v', '150', '-vf', 'scale=1280:720', '-c:v', 'libx264', '-preset', 'ultrafast', '-an', clip]);
  let base = 0;
  let peak = 0;
  let n = 0;
  for await (const _ of decodeFrames(clip, { thread: true })) {
    n++;
    await sleep(20); // ffmpeg decodes faster than this consumer takes frames
    if (n === 20) {
      globalThis.gc?.();
      base = process.memoryUsage().rss;
    }
    if (n > 20) peak = Math.max(peak, process.memoryUsage().rss);
  }
  assert.is(n, 150);
  const growth = (peak - base) / 1e6;
  assert.ok(growth < 100, `RSS grew ${growth.toFixed(0)} MB over 130 frames of 2.8 MB each`);
});

test('a writer fed from a thread writes the bytes the main thread does: RGB with audio, grey, two x264 threads', async () => {
  const info = await probeVideo(SAMPLE_A);
  const frames = await all(decodeFrames(SAMPLE_A, { info, maxFrames: 30 }));
  const grey = (f: Frame) => Uint8Array.from({ length: f.width * f.height }, (_, i) => f.data[i * 3 + 1]!);
  const cases = [
    { name: 'rgb', opts: { audioFrom: SAMPLE_A, crf: 18, preset: 'veryfast' } },
    { name: 'grey', opts: { input: 'gray' as const, crf: 0, preset: 'ultrafast' } },
    { name: 'threads', opts: { crf: 23, preset: 'veryfast', threads: 2 } },
  ];
  for (const c of cases) {
    const files = [];
    for (const thread of [false, true]) {
      const out = join(tmp.dir, `${c.name}-${thread}.mp4`);
      const w = await openVideoWriter({ out, width: info.width, height: info.height, fps: info.fps, deterministic: true, thread, ...c.opts });
      for (const f of frames) await w.write(c.opts.input === 'gray' ? grey(f) : f.data);
      await w.close();
      files.push(readFileSync(out));
    }
    assert.ok(files[0]!.length > 1000);
    assert.ok(Buffer.compare(files[0]!, files[1]!) === 0, `${c.name}: the two files differ`);
  }
});

test('an aborted threaded writer kills ffmpeg: no output, no temp, no process left', async () => {
  const dir = join(tmp.dir, 'abort-thread-writer');
  const out = join(dir, 'aborted-out.mp4');
  const w = await openVideoWriter({ out, width: 640, height: 360, fps: { num: 25, den: 1 }, thread: true });
  for (let i = 0; i < 20; i++) await w.write(new Uint8Array(640 * 360 * 3).fill(i * 10));
  await w.abort();
  assert.equal(ffmpegsReading('aborted-out.mp4'), [], 'ffmpeg is gone when abort has returned');
  for (let i = 0; i < 40 && processesReading('aborted-out.mp4').length; i++) await sleep(100);
  assert.equal(processesReading('aborted-out.mp4'), []);
  assert.equal(readdirSync(dir), []);
});

test('a threaded writer whose audio is shorter than its frames ends at the audio (-shortest), as the main-thread one does', async () => {
  const audio = join(tmp.dir, 'half-second-audio.m4a');
  ffmpegSync(['-i', SAMPLE_A, '-t', '0.5', '-vn', '-c:a', 'aac', audio]);
  for (const thread of [false, true]) {
    const out = join(tmp.dir, `shortest-${thread}.mp4`);
    const w = await openVideoWriter({ out, width: 64, height: 64, fps: { num: 25, den: 1 }, audioFrom: audio, thread });
    for (let i = 0; i < 500; i++) await w.write(new Uint8Array(64 * 64 * 3).fill(i % 256));
    await w.close();
    const info = await probeVideo(out);
    assert.ok(info.frameCount < 100, `${thread}: ${info.frameCount} frames, the audio lasts 0.5 s`);
  }
});

test('a writer fed from a thread holds only a few frames when the encoder is slower than the caller', async () => {
  const frame = new Uint8Array(1280 * 720 * 3);
  for (let i = 0; i < frame.length; i++) frame[i] = (i * 2654435761) >>> 24; // noise: slow to encode
  const w = await openVideoWriter({ out: join(tmp.dir, 'slow-encoder.mp4'), width: 1280, height: 720, fps: { num: 25, den: 1 }, preset: 'medium', crf: 10, deterministic: true, thread: true });
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = 0;
  for (let i = 0; i < 120; i++) {
    await w.write(frame);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  await w.close();
  const growth = (peak - base) / 1e6;
  assert.ok(growth < 100, `RSS grew ${growth.toFixed(0)} MB over 120 frames of 2.8 MB each`);
});

test.run();
