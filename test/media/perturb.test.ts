/**
 * DeeperForensics-1.0's perturbations on a real clip (8 frames of samples/a.mp4 at 256x192, with
 * its audio and a container tag): each of the seven types at level 3 changes the video the way
 * it should (CS lowers saturation, CC the contrast, GB and JPEG the sharpness, GNC raises the
 * high-frequency energy, BW leaves flat gray 8x8 blocks, VC shrinks the file and lowers the
 * PSNR), level 5 more than level 1, a mixture does both, frame count, size, fps, audio and tags
 * are kept, the same seed gives the same bytes and another seed other bytes. Frame operations
 * are checked against their definitions on synthetic frames, and level 5 against level 1 on the
 * decoded frames.
 *
 * @tier e2e (ffmpeg encodes 13 small clips)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeFrames } from '../../src/media/decode.ts';
import { parsePerturbation, perturbationLabel, perturbationParam, perturbFrame, perturbVideo, PERTURBATION_LEVELS, PERTURBATION_TYPES, type Perturbation, type PerturbationType } from '../../src/media/perturb.ts';
import { probeVideo } from '../../src/media/probe.ts';
import { isUserError } from '../../src/util/errors.ts';
import { Rng } from '../../src/util/rng.ts';
import { ffmpegSync, requireSamples, SAMPLE_A, tempDir } from '../helpers/fixtures.ts';

const test = suite('media/perturb');
const tmp = tempDir('perturb');
const W = 256;
const H = 192;
let src = '';
test.before(() => {
  requireSamples();
  src = join(tmp.dir, 'src.mp4');
  ffmpegSync(['-i', SAMPLE_A, '-frames:v', '8', '-vf', `scale=${W}:${H}`, '-c:v', 'libx264', '-crf', '12', '-c:a', 'copy', '-metadata', 'comment=janus synthetic', '-movflags', '+use_metadata_tags', src]);
});
test.after(() => tmp.cleanup());

async function frames(file: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of decodeFrames(file)) out.push(Uint8Array.from(f.data));
  return out;
}

/** Mean over frames and pixels of max(R,G,B) - min(R,G,B). */
function saturation(fs: Uint8Array[]): number {
  let s = 0;
  let n = 0;
  for (const f of fs) for (let i = 0; i < f.length; i += 3, n++) s += Math.max(f[i]!, f[i + 1]!, f[i + 2]!) - Math.min(f[i]!, f[i + 1]!, f[i + 2]!);
  return s / n;
}

function luma(f: Uint8Array, i: number): number {
  return 0.299 * f[i * 3]! + 0.587 * f[i * 3 + 1]! + 0.114 * f[i * 3 + 2]!;
}

/** Standard deviation of luma, averaged over frames. */
function contrast(fs: Uint8Array[]): number {
  let total = 0;
  for (const f of fs) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < W * H; i++) {
      const y = luma(f, i);
      s += y;
      s2 += y * y;
    }
    total += Math.sqrt(s2 / (W * H) - (s / (W * H)) ** 2);
  }
  return total / fs.length;
}

/** Mean absolute 4-neighbour Laplacian of luma: high-frequency energy, sharpness. */
function laplacian(fs: Uint8Array[]): number {
  let s = 0;
  let n = 0;
  for (const f of fs) {
    for (let y = 1; y < H - 1; y++) {
      for (let x = 1; x < W - 1; x++, n++) {
        const i = y * W + x;
        s += Math.abs(4 * luma(f, i) - luma(f, i - 1) - luma(f, i + 1) - luma(f, i - W) - luma(f, i + W));
      }
    }
  }
  return s / n;
}

function psnr(a: Uint8Array[], b: Uint8Array[]): number {
  let se = 0;
  let n = 0;
  for (let k = 0; k < a.length; k++) for (let i = 0; i < a[k]!.length; i++, n++) se += (a[k]![i]! - b[k]![i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (se / n));
}

/** The x264 crf a file was encoded at (x264 writes its settings into the stream). */
function crfOf(file: string): number {
  return Number(/crf=([\d.]+)/.exec(readFileSync(file).toString('latin1'))?.[1]);
}

/**
 * BW's blocks in frame 0 (where BW alone draws from Rng.fromSeed(seed): the count, then x before
 * y, as DeeperForensics draws them): how many of them are flat and gray after the encode (their
 * inner 4x4 luma within 12 of 128, spread under 8; the 8x8 edges bleed in 4:2:0 and x264).
 */
function grayBlocksAt(frame: Uint8Array, count: number, seed: number): number {
  const rng = Rng.fromSeed(seed);
  let gray = 0;
  for (let k = 0; k < count; k++) {
    const x0 = rng.int(W - 8);
    const y0 = rng.int(H - 8);
    let lo = 255;
    let hi = 0;
    let sum = 0;
    for (let y = y0 + 2; y < y0 + 6; y++) {
      for (let x = x0 + 2; x < x0 + 6; x++) {
        const v = luma(frame, y * W + x);
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
        sum += v;
      }
    }
    if (Math.abs(sum / 16 - 128) < 12 && hi - lo < 8) gray++;
  }
  return gray / count;
}

const cache = new Map<string, string>();
/** perturbVideo of the test clip (each combination once). */
async function perturbed(ps: Perturbation[], seed = 1): Promise<string> {
  const key = `${ps.map(perturbationLabel).join('+') || 'none'}@${seed}`;
  if (!cache.has(key)) {
    const out = join(tmp.dir, `${key.replace(/[:+@]/g, '_')}.mp4`);
    await perturbVideo(src, out, ps, seed);
    cache.set(key, out);
  }
  return cache.get(key)!;
}
const at = (type: PerturbationType, level: number): Perturbation => ({ type, level });

test('the registry: seven types, their published parameters, labels both ways, errors that list the choices', () => {
  assert.equal([...PERTURBATION_TYPES], ['CS', 'CC', 'BW', 'GNC', 'GB', 'JPEG', 'VC']);
  assert.equal(PERTURBATION_LEVELS.GB, [7, 9, 13, 17, 21]);
  assert.is(perturbationParam(at('JPEG', 3)), 4);
  assert.is(perturbationParam(at('VC', 5)), 40);
  assert.is(perturbationLabel(at('CS', 3)), 'CS:3');
  assert.equal(parsePerturbation('GNC:5'), { type: 'GNC', level: 5 });
  for (const bad of ['XX:1', 'CS:6', 'CS', 'cs:1']) {
    try {
      parsePerturbation(bad);
      assert.unreachable(bad);
    } catch (err) {
      assert.ok(isUserError(err), bad);
      assert.match((err as Error).message + String((err as { hint?: string }).hint), /CS\|CC\|BW\|GNC\|GB\|JPEG\|VC|1\|2\|3\|4\|5/);
    }
  }
});

test('frame operations match their definitions on synthetic frames', () => {
  const rng = Rng.fromSeed(3);
  // CC: v * p in float32, truncated
  const cc = perturbFrame(Uint8Array.from([200, 100, 1, 255, 0, 7]), 2, 1, at('CC', 3), rng);
  assert.equal([...cc], [120, 60, 0, 153, 0, 4]);
  // CS level 5 (p = 0): every pixel becomes its luma, within the truncation
  const colour = Uint8Array.from([200, 100, 50, 10, 240, 30]);
  perturbFrame(colour, 2, 1, at('CS', 5), rng);
  const y0 = 0.299 * 200 + 0.587 * 100 + 0.114 * 50;
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(colour[c]! - y0) < 1.01, `CS:5 channel ${c}: ${colour[c]} vs luma ${y0}`);
  // GB: a constant frame stays constant; the blur of an impulse sums to it and spreads over k = 13
  const flat = new Uint8Array(20 * 20 * 3).fill(77);
  assert.ok(perturbFrame(flat, 20, 20, at('GB', 5), rng).every((v) => v === 77));
  const impulse = new Uint8Array(31 * 31 * 3);
  impulse.fill(255, (15 * 31 + 15) * 3, (15 * 31 + 16) * 3);
  perturbFrame(impulse, 31, 31, at('GB', 3), rng);
  let sum = 0;
  for (let i = 0; i < impulse.length; i += 3) sum += impulse[i]!;
  assert.ok(Math.abs(sum - 255) < 40, `impulse sum ${sum}`);
  assert.ok(impulse[(15 * 31 + 15 - 4) * 3]! > 0, 'spread 4 px');
  // BW on a 64x64 black frame (smaller than 256: the count is the level's parameter, 16): gray 8x8 blocks
  const black = new Uint8Array(64 * 64 * 3);
  perturbFrame(black, 64, 64, at('BW', 1), Rng.fromSeed(9));
  const gray = black.filter((v) => v === 128).length / 3;
  assert.ok(gray >= 64 && gray <= 16 * 64, `${gray} gray pixels`);
  assert.ok(black.every((v) => v === 0 || v === 128));
  // JPEG (down by 2 and up): a 2-pixel checkerboard of columns averages out to its mean
  const stripes = new Uint8Array(16 * 16 * 3);
  for (let i = 0; i < 16 * 16; i++) stripes.fill(i % 2 ? 200 : 0, i * 3, i * 3 + 3);
  perturbFrame(stripes, 16, 16, at('JPEG', 1), rng);
  assert.ok(stripes.every((v) => v === 100), 'down by 2 averages pairs, up by 2 keeps the flat result');
  // VC is the encode, not a frame operation
  assert.throws(() => perturbFrame(new Uint8Array(3), 1, 1, at('VC', 1), rng), /encode/);
});

test('each type at level 3 changes the video the way it should; frame count, size, fps, audio and tags kept', async () => {
  const srcInfo = await probeVideo(src);
  const original = await frames(src);
  const none = await perturbed([]);
  assert.is(crfOf(none), 23, 'without VC: the c23 rung');
  const base = await frames(none);
  const m = { sat: saturation(base), con: contrast(base), lap: laplacian(base), gray: grayBlocksAt(base[0]!, 48, 1), psnr: psnr(original, base) };
  const got: Record<string, number> = {};
  for (const type of PERTURBATION_TYPES) {
    const file = await perturbed([at(type, 3)]);
    const info = await probeVideo(file);
    assert.equal([info.width, info.height, info.frameCount, info.fps], [W, H, srcInfo.frameCount, srcInfo.fps], `${type}: size, frames, fps`);
    assert.is(info.audio.length, 1, `${type}: audio kept`);
    const fs = await frames(file);
    if (type === 'CS') assert.ok((got.CS = saturation(fs)) < 0.5 * m.sat, `CS:3 saturation ${got.CS} vs ${m.sat}`);
    if (type === 'CC') assert.ok((got.CC = contrast(fs)) < 0.7 * m.con, `CC:3 luma std ${got.CC} vs ${m.con}`);
    if (type === 'GB') assert.ok((got.GB = laplacian(fs)) < 0.6 * m.lap, `GB:3 laplacian ${got.GB} vs ${m.lap}`);
    if (type === 'JPEG') assert.ok((got.JPEG = laplacian(fs)) < 0.8 * m.lap, `JPEG:3 laplacian ${got.JPEG} vs ${m.lap}`);
    if (type === 'GNC') assert.ok((got.GNC = laplacian(fs)) > 1.5 * m.lap, `GNC:3 laplacian ${got.GNC} vs ${m.lap}`);
    // 256x192 is under 256 px: 48 blocks (their count would be 0), flat gray where drawn
    if (type === 'BW') assert.ok((got.BW = grayBlocksAt(fs[0]!, 48, 1)) > 0.5 && m.gray < 0.2, `BW:3 share of the drawn blocks flat gray ${got.BW} (${m.gray} there without BW)`);
    if (type === 'VC') {
      assert.is(crfOf(file), 35, 'VC:3 encodes at crf 35');
      got.VC = psnr(original, fs);
      assert.ok(got.VC < m.psnr - 1, `VC:3 PSNR ${got.VC} vs ${m.psnr} without`);
      const vc1 = join(tmp.dir, 'vc1.mp4');
      await perturbVideo(src, vc1, [at('VC', 1)], 1, { tags: { janus_perturbation: 'VC:1' } });
      assert.ok(statSync(file).size < statSync(vc1).size && statSync(vc1).size < statSync(none).size, `sizes VC:3 ${statSync(file).size} < VC:1 ${statSync(vc1).size} < none ${statSync(none).size}`);
      const tags = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format_tags', '-of', 'json', vc1], { encoding: 'utf8' }).stdout;
      assert.match(tags, /"janus_perturbation": "VC:1"/, 'tags added');
      assert.match(tags, /janus synthetic/, 'the source\'s container tag kept');
    }
  }
  console.log(`  without: ${JSON.stringify(m)}\n  level 3: ${JSON.stringify(got)}`);
});

test('level 5 changes more than level 1 (CS, CC, GB, GNC, JPEG; on the decoded frames)', async () => {
  const f = (await frames(src)).slice(0, 2);
  const apply = (type: PerturbationType, level: number) => f.map((x) => perturbFrame(Uint8Array.from(x), W, H, at(type, level), Rng.fromSeed(1)));
  const pairs: Array<[string, number, number, boolean]> = [
    ['CS saturation', saturation(apply('CS', 1)), saturation(apply('CS', 5)), true],
    ['CC luma std', contrast(apply('CC', 1)), contrast(apply('CC', 5)), true],
    ['GB laplacian', laplacian(apply('GB', 1)), laplacian(apply('GB', 5)), true],
    ['JPEG laplacian', laplacian(apply('JPEG', 1)), laplacian(apply('JPEG', 5)), true],
    ['GNC laplacian', laplacian(apply('GNC', 1)), laplacian(apply('GNC', 5)), false],
  ];
  for (const [what, one, five, lower] of pairs) assert.ok(lower ? five < 0.8 * one : five > 1.5 * one, `${what}: level 5 ${five} vs level 1 ${one}`);
  const bw = (level: number) => apply('BW', level)[0]!.filter((v) => v === 128).length;
  assert.ok(bw(5) > 2 * bw(1), `BW gray values level 5 ${bw(5)} vs level 1 ${bw(1)}`);
});

test('a mixture applies each of its types, VC as the encode', async () => {
  const base = await frames(await perturbed([]));
  const mix = await perturbed([at('VC', 2), at('CS', 3), at('GB', 3)]);
  const fs = await frames(mix);
  assert.ok(saturation(fs) < 0.5 * saturation(base), 'saturation lowered');
  assert.ok(laplacian(fs) < 0.6 * laplacian(base), 'blurred');
  assert.is(crfOf(mix), 32, 'encoded at VC:2 (crf 32), listed first or not');
});

test('the same seed gives the same bytes, another seed other bytes (GNC on the video, BW on a frame); a repeated type refused', async () => {
  const a = readFileSync(await perturbed([at('GNC', 3)], 1));
  const again = join(tmp.dir, 'again.mp4');
  await perturbVideo(src, again, [at('GNC', 3)], 1);
  assert.ok(readFileSync(again).equals(a), 'GNC: same seed, same bytes');
  await perturbVideo(src, again, [at('GNC', 3)], 2);
  assert.not.ok(readFileSync(again).equals(a), 'GNC: another seed, other bytes');
  const frame = (seed: number) => perturbFrame(new Uint8Array(W * H * 3), W, H, at('BW', 2), Rng.fromSeed(seed));
  assert.ok(Buffer.from(frame(5)).equals(frame(5)) && !Buffer.from(frame(5)).equals(frame(6)), 'BW: blocks where the seed puts them');
  try {
    await perturbVideo(src, join(tmp.dir, 'twice.mp4'), [at('GB', 1), at('GB', 2)], 1);
    assert.unreachable('a repeated type');
  } catch (err) {
    assert.ok(isUserError(err));
    assert.match((err as Error).message, /GB twice/);
  }
});

test.run();
