/**
 * The compression ladder: c0 (lossless RGB) > c23 > c40 in size, same frame count and audio,
 * c0 decodes to the source's frames exactly, reruns give the same bytes; an odd-size real and
 * its fake leave every rung with the same stream settings (no label leak), and so do a
 * variable-frame-rate real and its fake.
 *
 * @tier e2e (ffmpeg encodes)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LEVELS } from '../../src/config/benchmark.ts';
import { compressVideo } from '../../src/media/compress.ts';
import { decodeFrames, readFrame } from '../../src/media/decode.ts';
import { openVideoWriter } from '../../src/media/encode.ts';
import { probeVideo, withExactFrameCount, type VideoInfo } from '../../src/media/probe.ts';
import { ffmpegSync, SAMPLE_A, requireSamples, tempDir } from '../helpers/fixtures.ts';
import { makeVfrClip } from '../helpers/vfr-clip.ts';

const test = suite('media/compress');
const tmp = tempDir('compress');
test.before(() => requireSamples());
test.after(() => tmp.cleanup());

test('c0 > c23 > c40 in size; frames and audio kept; c0 is lossless; deterministic', async () => {
  const src = join(tmp.dir, 'src.mp4');
  ffmpegSync(['-i', SAMPLE_A, '-t', '1', '-c:v', 'libx264', '-crf', '18', '-c:a', 'copy', src]);
  const info = await probeVideo(src);
  const sizes: number[] = [];
  for (const level of LEVELS) {
    const out = join(tmp.dir, level, 'x.mp4');
    await compressVideo(src, level, out);
    sizes.push(statSync(out).size);
    const v = await probeVideo(out);
    assert.is(v.frameCount, info.frameCount, `${level}: frame count`);
    assert.is(v.audio.length, 1, `${level}: audio kept`);
  }
  assert.ok(sizes[0]! > sizes[1]! && sizes[1]! > sizes[2]!, `sizes c0 ${sizes[0]}, c23 ${sizes[1]}, c40 ${sizes[2]}`);
  const [a, b] = await Promise.all([readFrame(src, 10), readFrame(join(tmp.dir, 'c0', 'x.mp4'), 10)]);
  let maxDiff = 0;
  for (let i = 0; i < a.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.data[i]! - b.data[i]!));
  assert.is(maxDiff, 0, 'c0 decodes to the same RGB frames');
  await compressVideo(src, 'c23', join(tmp.dir, 'again.mp4'));
  assert.ok(readFileSync(join(tmp.dir, 'again.mp4')).equals(readFileSync(join(tmp.dir, 'c23', 'x.mp4'))), 'same bytes on a rerun');
});

/**
 * A real video and its fake (the real's frames through Janus's video writer, as the swap writes
 * them) down every rung of the ladder, in `tmp/<tag>/`.
 */
async function realAndFakeLadder(src: string, info: VideoInfo, tag: string): Promise<Array<{ level: (typeof LEVELS)[number]; real: string; fakeOut: string }>> {
  const fake = join(tmp.dir, `${tag}-fake.mp4`);
  const w = await openVideoWriter({ out: fake, width: info.width, height: info.height, fps: info.fps, audioFrom: src, deterministic: true });
  for await (const f of decodeFrames(src, { info })) await w.write(f.data);
  await w.close();
  const out = [];
  for (const level of LEVELS) {
    const real = join(tmp.dir, tag, `${level}.mp4`);
    const fakeOut = join(tmp.dir, tag, `${level}-fake.mp4`);
    await compressVideo(src, level, real);
    await compressVideo(fake, level, fakeOut);
    out.push({ level, real, fakeOut });
  }
  return out;
}

test('an odd-size .mov with PCM audio: at every rung the real and its fake (Janus-encoded frames) have the same size, frame rate, pixel format and codec settings; audio to AAC', async () => {
  const src = join(tmp.dir, 'odd.mov');
  ffmpegSync(['-i', SAMPLE_A, '-t', '0.5', '-vf', 'scale=255:181', '-pix_fmt', 'yuv444p', '-c:v', 'libx264', '-crf', '10', '-c:a', 'pcm_s16le', src]);
  // the fake: the source's frames through Janus's video writer, as the swap writes them
  for (const { level, real, fakeOut } of await realAndFakeLadder(src, await probeVideo(src), 'odd')) {
    const v = await probeVideo(real);
    assert.is(v.audio.length, 1, `${level}: audio`);
    assert.is(v.audio[0]!.codec, 'aac');
    assert.equal([v.width, v.height], [256, 182], `${level}: padded to even`);
    assert.equal(streamSettings(real), streamSettings(fakeOut), `${level}: the real and its fake differ in their stream settings`);
  }
});

test('a VFR real is resampled at every rung to the rate its fake was written at: same frame count and stream settings', async () => {
  const src = makeVfrClip(join(tmp.dir, 'vfr.mp4'));
  const info = await withExactFrameCount(await probeVideo(src));
  assert.ok(info.vfr);
  for (const { level, real, fakeOut } of await realAndFakeLadder(src, info, 'vfr')) {
    const [r, f] = await Promise.all([probeVideo(real), probeVideo(fakeOut)]);
    assert.is(r.vfr, false, `${level}: the real rung is constant-rate`);
    assert.is(r.frameCount, info.frameCount, `${level}: the real rung has the resampled frames`);
    assert.is(f.frameCount, info.frameCount, `${level}: the fake rung too`);
    assert.equal(streamSettings(real), streamSettings(fakeOut), `${level}: the real and its fake differ in their stream settings`);
  }
});

test('strip: a real video\'s personal tags (GPS, device, creation time, title) are dropped and the dataset\'s written; without it they are kept', async () => {
  const src = join(tmp.dir, 'phone.mp4');
  const personal = ['-metadata', 'location=+48.8584+002.2945/', '-metadata', 'make=Apple', '-metadata', 'model=iPhone 12', '-metadata', 'creation_time=2024-05-01T10:00:00Z', '-metadata', 'title=Anna at home', '-metadata:s:v', 'handler_name=Core Media Video'];
  ffmpegSync(['-i', SAMPLE_A, '-t', '0.3', '-c', 'copy', ...personal, '-movflags', '+use_metadata_tags', src]);
  const all = (file: string) => {
    const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format_tags:stream_tags', '-of', 'json', file], { encoding: 'utf8' });
    const j = JSON.parse(r.stdout) as { format?: { tags?: Record<string, string> }; streams?: Array<{ tags?: Record<string, string> }> };
    return JSON.stringify([j.format?.tags ?? {}, ...(j.streams ?? []).map((x) => x.tags ?? {})]);
  };
  assert.match(all(src), /48\.8584/, 'the source carries the location');
  const stripped = join(tmp.dir, 'stripped.mp4');
  await compressVideo(src, 'c23', stripped, { strip: true, tags: { comment: 'REAL video in a benchmark', janus_dataset_label: 'REAL' } });
  const text = all(stripped);
  for (const gone of ['48.8584', 'Apple', 'iPhone', '2024-05-01', 'Anna at home', 'Core Media']) assert.not.ok(text.includes(gone), `${gone} survived: ${text}`);
  assert.match(text, /"comment":"REAL video in a benchmark"/);
  assert.match(text, /"janus_dataset_label":"REAL"/);
  const kept = join(tmp.dir, 'kept.mp4');
  await compressVideo(src, 'c23', kept);
  assert.match(all(kept), /Anna at home/, 'without strip the tags are kept (a fake\'s synthetic mark must survive the ladder)');
});

/** What a detector could tell a file by, besides its pixels: the video stream's settings. */
function streamSettings(file: string): Record<string, string> {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,profile,level,width,height,pix_fmt,r_frame_rate,avg_frame_rate,time_base,color_range,color_space,field_order,has_b_frames,refs', '-of', 'json', file], { encoding: 'utf8' });
  return (JSON.parse(r.stdout) as { streams: Array<Record<string, string>> }).streams[0]!;
}

test.run();
