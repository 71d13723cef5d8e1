/**
 * Probe, streaming decode and streaming encode on the sample clips: a round trip keeps frame
 * count, size, fps and audio; frames survive re-encoding; memory stays flat while decoding.
 *
 * @tier e2e (ffmpeg decodes and encodes)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeFrames, readFrame } from '../../src/media/decode.ts';
import { openVideoWriter } from '../../src/media/encode.ts';
import { probeVideo, withExactFrameCount } from '../../src/media/probe.ts';
import { SAMPLE_A, SAMPLE_B, ffmpegSync, requireSamples, tempDir } from '../helpers/fixtures.ts';

const test = suite('media/probe-decode-encode');
const tmp = tempDir('media');

test.before(() => requireSamples());
test.after(() => tmp.cleanup());

function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

test('probe reads the sample clip: 512x512, 25/1 fps, 125 frames, 5 s, aac audio', async () => {
  const info = await probeVideo(SAMPLE_A);
  assert.is(info.width, 512);
  assert.is(info.height, 512);
  assert.equal(info.fps, { num: 25, den: 1 });
  assert.is(info.frameCount, 125);
  assert.ok(info.frameCountExact);
  assert.ok(Math.abs(info.duration - 5) < 0.05, `duration ${info.duration}`);
  assert.is(info.rotation, 0);
  assert.is(info.audio.length, 1);
  assert.is(info.audio[0]!.codec, 'aac');
});

test('decode streams every frame, in order, at the probed size', async () => {
  const info = await probeVideo(SAMPLE_B);
  let n = 0;
  for await (const f of decodeFrames(SAMPLE_B, { info })) {
    assert.is(f.index, n);
    assert.is(f.width, 512);
    assert.is(f.data.length, 512 * 512 * 3);
    assert.ok(Math.abs(f.time - n / 25) < 1e-9);
    n++;
  }
  assert.is(n, info.frameCount);
});

test('decode from a start frame gives the same pixels as decoding from the start', async () => {
  let f40: Buffer | null = null;
  for await (const f of decodeFrames(SAMPLE_A, { maxFrames: 41 })) if (f.index === 40) f40 = f.data;
  const direct = await readFrame(SAMPLE_A, 40);
  assert.is(direct.index, 40);
  assert.ok(f40 && Buffer.compare(f40, direct.data) === 0, 'frame 40 identical');
});

test('breaking out of the loop stops ffmpeg (no hang, no error)', async () => {
  let n = 0;
  for await (const _ of decodeFrames(SAMPLE_A)) if (++n === 3) break;
  assert.is(n, 3);
});

test('round trip: decode then encode keeps frames, size, fps and the source audio', async () => {
  const out = join(tmp.dir, 'roundtrip.mp4');
  const info = await probeVideo(SAMPLE_A);
  const w = await openVideoWriter({ out, width: info.width, height: info.height, fps: info.fps, audioFrom: SAMPLE_A, crf: 12 });
  const originals: Buffer[] = [];
  for await (const f of decodeFrames(SAMPLE_A, { info })) {
    if (f.index % 30 === 0) originals.push(Buffer.from(f.data));
    await w.write(f.data);
  }
  assert.is(w.framesWritten, 125);
  await w.close();
  const got = await probeVideo(out);
  assert.is(got.width, info.width);
  assert.is(got.height, info.height);
  assert.equal(got.fps, info.fps);
  assert.is(got.frameCount, info.frameCount);
  assert.is(got.audio.length, 1);
  assert.is(got.audio[0]!.codec, 'aac');
  assert.is(got.audio[0]!.sampleRate, info.audio[0]!.sampleRate);
  let k = 0;
  for await (const f of decodeFrames(out)) {
    if (f.index % 30 === 0) {
      const p = psnr(f.data, originals[k++]!);
      assert.ok(p > 35, `frame ${f.index} PSNR ${p.toFixed(1)} dB after re-encoding`);
    }
  }
  assert.is(k, originals.length);
  assert.equal(readdirSync(tmp.dir).filter((n) => n.startsWith('.janus-tmp-')), [], 'no temp files left');
});

test('a grey writer takes one byte a pixel and a lossless encode gives the levels back (to a level); two threads, deterministic, give the same bytes twice', async () => {
  const [w, h] = [96, 64];
  const frames = Array.from({ length: 6 }, (_, f) => Uint8Array.from({ length: w * h }, (_, i) => (((i % w) * 5 + Math.floor(i / w) * 3 + f * 29) % 256)));
  const write = async (out: string) => {
    const wr = await openVideoWriter({ out, width: w, height: h, fps: { num: 25, den: 1 }, crf: 0, deterministic: true, threads: 2, input: 'gray' });
    const wrong = await wr.write(new Uint8Array(w * h * 3)).then(() => null, (e: Error) => e.message);
    assert.match(wrong ?? 'written', /expected a 96x64 grey frame \(6144 bytes\)/);
    for (const f of frames) await wr.write(f);
    await wr.close();
  };
  const [a, b] = [join(tmp.dir, 'grey-a.mp4'), join(tmp.dir, 'grey-b.mp4')];
  await write(a);
  await write(b);
  assert.ok(readFileSync(a).equals(readFileSync(b)), 'same bytes');
  let k = 0;
  for await (const f of decodeFrames(a)) {
    let worst = 0;
    for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(f.data[i * 3 + c]! - frames[f.index]![i]!));
    assert.ok(worst <= 1, `frame ${f.index}: a level off by ${worst}`);
    k++;
  }
  assert.is(k, frames.length);
});

test('audio an mp4 cannot carry (pcm) is re-encoded to aac', async () => {
  const src = join(tmp.dir, 'pcm.mov');
  ffmpegSync(['-i', SAMPLE_A, '-t', '1', '-c:v', 'libx264', '-c:a', 'pcm_s16le', src]);
  const info = await probeVideo(src);
  assert.is(info.audio[0]!.codec, 'pcm_s16le');
  const out = join(tmp.dir, 'pcm-out.mp4');
  const w = await openVideoWriter({ out, width: info.width, height: info.height, fps: info.fps, audioFrom: src });
  for await (const f of decodeFrames(src, { info })) await w.write(f.data);
  await w.close();
  const got = await probeVideo(out);
  assert.is(got.audio[0]!.codec, 'aac');
  assert.is(got.frameCount, 25);
});

test('a rotated video is probed and decoded upright', async () => {
  const upright = join(tmp.dir, 'landscape.mp4');
  const src = join(tmp.dir, 'rotated.mp4');
  ffmpegSync(['-i', SAMPLE_A, '-t', '0.4', '-vf', 'crop=512:288:0:100', '-c:v', 'libx264', '-c:a', 'copy', upright]);
  ffmpegSync(['-i', upright, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', src]); // a phone's portrait clip
  const info = await probeVideo(src);
  assert.is(info.rotation === 90 || info.rotation === 270, true, `rotation ${info.rotation}`);
  assert.is(info.codedWidth, 512);
  assert.is(info.codedHeight, 288);
  assert.is(info.width, 288);
  assert.is(info.height, 512);
  let n = 0;
  for await (const f of decodeFrames(src, { info })) {
    assert.is(f.data.length, 288 * 512 * 3);
    n++;
  }
  assert.is(n, 10);
});

test('a container with no frame count (MKV) gets an exact count, not duration x fps: no frame lost or invented', async () => {
  const mkv = join(tmp.dir, 'short-video.mkv');
  ffmpegSync(['-i', SAMPLE_A, '-i', SAMPLE_A, '-map', '0:v', '-map', '1:a', '-frames:v', '10', '-t', '1', '-c:v', 'libx264', '-c:a', 'copy', mkv]);
  const info = await probeVideo(mkv);
  assert.is(info.frameCountExact, false, 'MKV records no frame count');
  // whatever duration x fps estimated (here: a wrong 99), the frames are counted
  const exact = await withExactFrameCount({ ...info, frameCount: 99 });
  assert.is(exact.frameCountExact, true);
  assert.is(exact.frameCount, 10);
  let n = 0;
  for await (const _ of decodeFrames(mkv, { info: exact })) n++;
  assert.is(n, exact.frameCount);
  assert.is(await withExactFrameCount(exact), exact, 'an exact count is not counted again');
});

test('memory does not grow with video length while decoding', async () => {
  const long = join(tmp.dir, 'long.mp4');
  // 600 frames of 1280x720 (1.6 GB of RGB if kept): made by looping the sample and scaling it.
  ffmpegSync(['-stream_loop', '4', '-i', SAMPLE_A, '-frames:v', '600', '-vf', 'scale=1280:720', '-c:v', 'libx264', '-preset', 'ultrafast', '-an', long]);
  let base = 0;
  let peak = 0;
  let n = 0;
  for await (const f of decodeFrames(long)) {
    n++;
    void f;
    if (n === 50) {
      globalThis.gc?.();
      base = process.memoryUsage().rss;
    }
    if (n > 50 && n % 25 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  assert.is(n, 600);
  const growth = (peak - base) / 1e6;
  assert.ok(growth < 300, `RSS grew ${growth.toFixed(0)} MB over 550 frames of 2.7 MB each`);
});

test.run();
