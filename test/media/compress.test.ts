/**
 * The compression ladder: c0 (lossless RGB) > c23 > c40 in size, same frame count and audio,
 * c0 decodes to the source's frames exactly, reruns give the same bytes.
 *
 * @tier e2e (ffmpeg encodes)
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LEVELS } from '../../src/config/benchmark.ts';
import { compressVideo } from '../../src/media/compress.ts';
import { readFrame } from '../../src/media/decode.ts';
import { probeVideo } from '../../src/media/probe.ts';
import { ffmpegSync, SAMPLE_A, requireSamples, tempDir } from '../helpers/fixtures.ts';

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

test('a .mov with PCM audio and an odd size: every level encodes (audio to AAC, 4:2:0 padded to even)', async () => {
  const src = join(tmp.dir, 'odd.mov');
  ffmpegSync(['-i', SAMPLE_A, '-t', '0.5', '-vf', 'scale=255:181', '-c:v', 'libx264rgb', '-crf', '0', '-c:a', 'pcm_s16le', src]);
  for (const level of LEVELS) {
    const out = join(tmp.dir, 'odd', `${level}.mp4`);
    await compressVideo(src, level, out);
    const v = await probeVideo(out);
    assert.is(v.audio.length, 1, `${level}: audio`);
    assert.is(v.audio[0]!.codec, 'aac');
    assert.ok(v.width >= 255 && v.height >= 181, `${level}: ${v.width}x${v.height}`);
  }
});

test.run();
