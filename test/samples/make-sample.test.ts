/**
 * The sample clips: the spec (size, fps, length, audio), real motion, determinism (the same
 * bytes twice, and the same bytes as `make samples` wrote).
 *
 * @tier e2e (builds sample clips with ffmpeg)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SAMPLE_IDENTITIES, SAMPLE_NAMES } from '../../src/config/samples.ts';
import { descriptorDistance, detectFaces } from '../../src/face/face-api.ts';
import { faceApi } from '../helpers/faces.ts';
import { readFrame } from '../../src/media/decode.ts';
import { probeVideo } from '../../src/media/probe.ts';
import { makeSampleClip } from '../../src/samples/make-sample.ts';
import { SAMPLE_A, SAMPLE_B, requireSamples, tempDir } from '../helpers/fixtures.ts';

const test = suite('samples/make-sample');
const tmp = tempDir('samples');
test.before(() => requireSamples());
test.after(() => tmp.cleanup());

function detectMeanVolume(file: string): number {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-i', file, '-vn', '-af', 'volumedetect', '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
  const m = /mean_volume: (-?[\d.]+) dB/.exec(r);
  if (!m) throw new Error(`no mean_volume in ffmpeg output for ${file}`);
  return Number(m[1]);
}

for (const [name, file] of [['a', SAMPLE_A], ['b', SAMPLE_B]] as const) {
  test(`samples/${name}.mp4: 512x512, 25 fps, 5 s, 125 frames, an audible audio track`, async () => {
    const info = await probeVideo(file);
    assert.is(info.width, 512);
    assert.is(info.height, 512);
    assert.equal(info.fps, { num: 25, den: 1 });
    assert.is(info.frameCount, 125);
    assert.is(info.audio.length, 1);
    const db = detectMeanVolume(file);
    assert.ok(db > -30, `mean volume ${db} dB`);
  });
}

test('the camera moves: first and middle frames differ, neighbouring frames differ a little', async () => {
  const f0 = await readFrame(SAMPLE_A, 0);
  const f1 = await readFrame(SAMPLE_A, 1);
  const f60 = await readFrame(SAMPLE_A, 60);
  const mad = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
  const near = mad(f0.data, f1.data);
  const far = mad(f0.data, f60.data);
  assert.ok(near > 0.2 && near < 12, `frame 0 vs 1: mean abs difference ${near.toFixed(2)}`);
  assert.ok(far > 3 * near, `frame 0 vs 60: ${far.toFixed(2)} (vs neighbours ${near.toFixed(2)})`);
});

test('a and b are different people from different photos', () => {
  assert.is.not(SAMPLE_IDENTITIES.a.photo, SAMPLE_IDENTITIES.b.photo);
  const fa = readFileSync(SAMPLE_A);
  const fb = readFileSync(SAMPLE_B);
  assert.not.ok(fa.equals(fb));
});

test('every sample identity is one frontal face near the centre, and each is a different person', async () => {
  const fa = await faceApi();
  const descriptors: Record<string, number[]> = {};
  for (const name of SAMPLE_NAMES) {
    const file = name === 'a' ? SAMPLE_A : name === 'b' ? SAMPLE_B : join(tmp.dir, `ids/${name}.mp4`);
    if (name !== 'a' && name !== 'b') await makeSampleClip(name, file, { seconds: 0.4, size: 512 });
    const frame = await readFrame(file, 5);
    const faces = await detectFaces(fa, frame, { detector: 'ssd', minScore: 0.5 });
    const central = faces.filter((f) => Math.hypot(f.box.x + f.box.width / 2 - 256, f.box.y + f.box.height / 2 - 256) < 100);
    assert.is(central.length, 1, `${name}: one face near the centre (${faces.length} faces found)`);
    descriptors[name] = central[0]!.descriptor!;
  }
  for (const x of SAMPLE_NAMES) {
    for (const y of SAMPLE_NAMES) {
      if (x >= y) continue;
      const d = descriptorDistance(descriptors[x]!, descriptors[y]!);
      assert.ok(d > 0.6, `${x} vs ${y}: descriptor distance ${d.toFixed(3)}`);
    }
  }
});

test('deterministic: the same clip twice gives the same bytes', async () => {
  const p1 = join(tmp.dir, 'one/b.mp4');
  const p2 = join(tmp.dir, 'two/b.mp4');
  await makeSampleClip('b', p1, { seconds: 1, size: 128 });
  await makeSampleClip('b', p2, { seconds: 1, size: 128 });
  assert.ok(readFileSync(p1).equals(readFileSync(p2)), 'identical bytes');
  assert.is((await probeVideo(p1)).frameCount, 25);
});

test('deterministic: rebuilding samples/a.mp4 gives the bytes `make samples` wrote', async () => {
  const p = join(tmp.dir, 'again/a.mp4');
  await makeSampleClip('a', p);
  assert.ok(readFileSync(p).equals(readFileSync(SAMPLE_A)), 'identical to samples/a.mp4');
});

test.run();
