/**
 * The swap pipeline end to end on the sample clips (1 s at 256 px, 25 frames; tiny detector,
 * 128 px faces, tiny model, a few iterations; composited in segments of 8 frames: 8, 8, 9, the 1-frame tail joined to the last): the swapped video keeps the source's frame count, size, fps and audio;
 * frames without a kept face pass through; the mask video is white where pixels were
 * replaced; every video carries the synthetic tags and a sidecar; metrics.json and
 * report.html are written. `janus convert` does the reverse direction alone. (Kills at every
 * stage of this pipeline, each rerun byte-identical, and convert's bad inputs: the fault suite,
 * `make faults`.) The composite stage starts a segment while the one before it closes: shown with
 * an ffmpeg whose first video segment is a second slow to end, the same bytes.
 *
 * @tier e2e (the swap pipeline end to end)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeFrames } from '../../src/media/decode.ts';
import { readPngText } from '../../src/media/png-text.ts';
import { probeStreams, probeVideo } from '../../src/media/probe.ts';
import { readQualityLog } from '../../src/train/quality-log.ts';
import { readMetrics } from '../../src/swap/metrics-file.ts';
import { sha256File } from '../../src/util/hash.ts';
import { makeSampleClip } from '../../src/samples/make-sample.ts';
import { janus, tempDir } from '../helpers/fixtures.ts';

const test = suite('stages/swap-pipeline');
const tmp = tempDir('swap');
const run = join(tmp.dir, 'run');
// the sample clips, 1 s at 256 px (the generator `make samples` uses, shorter)
const SAMPLE_A = join(tmp.dir, 'a.mp4');
const SAMPLE_B = join(tmp.dir, 'b.mp4');
const SETS = ['--set', `a=${SAMPLE_A}`, '--set', `b=${SAMPLE_B}`, '--set', 'preset=tiny', '--set', 'iterations=6', '--set', 'batchSize=8', '--set', 'detector=tiny', '--set', 'size=128', '--set', 'segmentFrames=8', '--set', 'train.learnMask=true'];
const ARGS = ['run', 'pipelines/swap.yaml', '--workdir', run, ...SETS];
// the uninterrupted run every test reads (made here, so each test holds alone)
let firstRun: ReturnType<typeof janus>;
test.before(async () => {
  await makeSampleClip('a', SAMPLE_A, { seconds: 1, size: 256 });
  await makeSampleClip('b', SAMPLE_B, { seconds: 1, size: 256 });
  firstRun = janus(ARGS);
  if (firstRun.code !== 0) throw new Error(`the swap pipeline failed (${firstRun.code}):\n${firstRun.stdout}${firstRun.stderr}`);
});
test.after(() => tmp.cleanup());

const tags = async (file: string) => (await probeStreams(file)).format?.tags ?? {};

async function framesOf(file: string, wanted: number[]): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  for await (const f of decodeFrames(file)) if (wanted.includes(f.index)) out.set(f.index, Buffer.from(f.data));
  return out;
}

function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / Math.max(1e-9, se / a.length));
}

test('two sample videos in, a swapped video out, with mask, comparison, metrics, report and provenance', async () => {
  const r = firstRun;
  assert.is(r.code, 0, r.stdout + r.stderr);
  const src = await probeVideo(SAMPLE_A);
  const out = await probeVideo(join(run, 'output.mp4'));
  assert.is(out.width, src.width);
  assert.is(out.height, src.height);
  assert.equal(out.fps, src.fps);
  assert.is(out.frameCount, src.frameCount);
  const streams = (await probeStreams(join(run, 'output.mp4'))).streams ?? [];
  const audio = streams.find((s) => s.codec_type === 'audio');
  const srcAudio = ((await probeStreams(SAMPLE_A)).streams ?? []).find((s) => s.codec_type === 'audio')!;
  assert.ok(audio, 'the output has the source audio');
  assert.is(audio!.codec_name, srcAudio.codec_name);
  assert.ok(Math.abs(Number(audio!.duration) - Number(srcAudio.duration)) < 0.1, `audio ${audio!.duration} s vs ${srcAudio.duration} s`);
  const mask = await probeVideo(join(run, 'mask.mp4'));
  assert.is(mask.frameCount, src.frameCount);
  const sbs = await probeVideo(join(run, 'side-by-side.mp4'));
  assert.is(sbs.width, src.width * 2);
  assert.is(sbs.frameCount, src.frameCount);

  // provenance: tags on every video, a sidecar that fingerprints outputs, inputs and model
  for (const f of ['output.mp4', 'mask.mp4', 'side-by-side.mp4']) {
    const t = await tags(join(run, f));
    assert.is(t.synthetic, 'true', `${f} is tagged synthetic`);
    assert.match(t.comment ?? '', /^SYNTHETIC: face-swap deepfake made by Janus/);
    assert.is(t.janus_sidecar, 'output.provenance.json');
  }
  // and every synthetic file on the way: the composite's segments (tags) and the swapped face PNGs (text chunks)
  const segments = readdirSync(join(run, 'segments')).filter((f) => f.endsWith('.mp4'));
  assert.ok(segments.some((f) => f.startsWith('mask-')) && segments.some((f) => f.startsWith('video-')), segments.join(', '));
  for (const f of segments) assert.is((await tags(join(run, 'segments', f))).synthetic, 'true', `segment ${f} is tagged synthetic`);
  const faces = readdirSync(join(run, 'swapped')).filter((f) => f.endsWith('.png'));
  assert.ok(faces.length > 0);
  for (const f of faces) {
    const text = readPngText(readFileSync(join(run, 'swapped', f)));
    assert.is(text.synthetic, 'true', `swapped face ${f} carries the synthetic mark`);
    assert.match(text.Comment ?? '', /^SYNTHETIC: face-swap deepfake made by Janus \(janus-autoencoder-latent-swap, a-to-b\)/);
  }
  const side = JSON.parse(readFileSync(join(run, 'output.provenance.json'), 'utf8'));
  const swapInfo = JSON.parse(readFileSync(join(run, 'swapped', 'swap.json'), 'utf8'));
  assert.is(side.schema, 'janus.synthetic/1');
  assert.is(side.synthetic, true);
  assert.is(side.outputs.video.sha256, sha256File(join(run, 'output.mp4')));
  assert.is(side.outputs.mask.sha256, sha256File(join(run, 'mask.mp4')));
  assert.is(side.inputs.video.sha256, sha256File(SAMPLE_A));
  assert.is(side.model.fingerprint, swapInfo.model.fingerprint);
  assert.is((await tags(join(run, 'output.mp4'))).janus_model, swapInfo.model.fingerprint);
  assert.is(side.pipeline.name, 'swap');
  assert.is(side.pipeline.params.preset, 'tiny');

  // frames: swapped ones carry the mask, the others pass through untouched
  const composite = JSON.parse(readFileSync(join(run, 'composite.json'), 'utf8'));
  assert.is(composite.frames.total, src.frameCount);
  assert.ok(composite.frames.swapped > src.frameCount * 0.8, `${composite.frames.swapped} frames swapped`);
  const swappedFrame: number = composite.swappedFrames[0];
  const alignments = JSON.parse(readFileSync(join(run, 'a', 'alignments.json'), 'utf8'));
  const keptFrames = new Set<number>(alignments.frames.filter((f: { faces: { kept: boolean }[] }) => f.faces.some((x) => x.kept)).map((f: { index: number }) => f.index));
  assert.equal(new Set(composite.swappedFrames), keptFrames, 'exactly the frames with a kept face were swapped');
  const passFrame = [...Array(src.frameCount).keys()].find((i) => !keptFrames.has(i));
  assert.ok(passFrame !== undefined, 'the clip has frames without a kept face (the tiny detector misses some at 256 px)');
  const wanted = [swappedFrame, passFrame!];
  const [orig, swapped, masks] = await Promise.all([framesOf(SAMPLE_A, wanted), framesOf(join(run, 'output.mp4'), wanted), framesOf(join(run, 'mask.mp4'), wanted)]);
  const white = (b: Buffer) => b.reduce((n, v, i) => n + (i % 3 === 0 && v > 200 ? 1 : 0), 0) / (b.length / 3);
  assert.ok(white(masks.get(swappedFrame)!) > 0.03, `mask of a swapped frame: ${(white(masks.get(swappedFrame)!) * 100).toFixed(1)}% white`);
  assert.ok(psnr(orig.get(swappedFrame)!, swapped.get(swappedFrame)!) < 40, 'a swapped frame differs from the source');
  assert.is(white(masks.get(passFrame!)!), 0, 'no pixel replaced in a frame without a kept face');
  const p = psnr(orig.get(passFrame!)!, swapped.get(passFrame!)!);
  assert.ok(p > 35, `a frame without a kept face passes through (${p.toFixed(1)} dB after re-encoding)`);

  // metrics and report
  const m = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
  assert.equal(m.identities, { source: 'a', target: 'b' });
  assert.equal(m.frames, composite.frames);
  assert.ok(m.identity.originals.toSource.mean < 0.35, `A's own faces are near A's centroid (${m.identity.originals.toSource.mean})`);
  assert.ok(m.identity.originals.toTarget.mean > 0.6, `A's faces are far from B's centroid (${m.identity.originals.toTarget.mean})`);
  assert.ok(m.identity.swapped.toSource.faces > 0 && Number.isFinite(m.identity.swapped.toTarget.mean));
  for (const id of ['a', 'b']) assert.ok(m.reconstruction[id].psnr > 5 && m.reconstruction[id].ssim > 0.05 && m.reconstruction[id].ssim <= 1, `reconstruction ${id}: ${JSON.stringify(m.reconstruction[id])}`);
  const checked = readMetrics(join(run, 'metrics.json')); // validates
  assert.ok(checked.flicker && checked.flicker.pairs > 0 && checked.flicker.source > 0 && checked.flicker.ratio! > 0, `flicker: ${JSON.stringify(checked.flicker)}`);
  assert.ok(checked.maskSsim && checked.maskSsim.frames > 0 && checked.maskSsim.mean > 0 && checked.maskSsim.mean < 1, `Mask-SSIM: ${JSON.stringify(checked.maskSsim)}`);
  const html = readFileSync(join(run, 'report.html'), 'utf8');
  assert.match(html, /Flicker: <strong>\d+\.\d\d<\/strong>/);
  assert.match(html, /Synthetic media/);
  assert.match(html, /href="output\.mp4"/);
  assert.match(html, /href="side-by-side\.mp4"/);
  assert.ok((html.match(/data:image\/png;base64,/g) ?? []).length >= 8, 'loss curve, preview and face pairs are embedded');
  // the learned masks, the quality probe's log and the latent map
  assert.match(html, /alt="learned mask \d+_\d+"/);
  assert.ok(existsSync(join(run, 'swapped', 'learned-masks')), 'the swap wrote the learned masks');
  const quality = readQualityLog(join(run, 'model'));
  assert.ok(quality.length >= 1 && quality.at(-1)!.faces.source > 0, `quality.jsonl: ${JSON.stringify(quality)}`);
  assert.match(html, /Quality while it trained/);
  assert.match(html, /The latent space[\s\S]*<svg[\s\S]*<circle /);
});

test('the composite stage starts the next segment while one closes (its encoders fed meanwhile): the same bytes', () => {
  const real = process.env.FFMPEG_PATH || spawnSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).stdout.trim();
  const bin = join(tmp.dir, 'slow-close');
  mkdirSync(bin, { recursive: true });
  const log = join(bin, 'log');
  // ffmpeg, its start and end logged with its output (the last argument); the encoder of the
  // first video segment takes a second more to end, as x264's look-ahead does at slow presets
  writeFileSync(join(bin, 'ffmpeg'), `#!/bin/sh\nfor a in "$@"; do out="$a"; done\necho "start $out" >> '${log}'\n'${real}' "$@"\nrc=$?\ncase "$out" in *video-000000.mp4) sleep 1;; esac\necho "end $out" >> '${log}'\nexit $rc\n`, { mode: 0o755 });
  const outputs = ['output.mp4', 'mask.mp4', 'side-by-side.mp4'].map((f) => join(run, f));
  const before = outputs.map((f) => sha256File(f));
  const r = janus([...ARGS, '--force', 'composite'], { FFMPEG_PATH: join(bin, 'ffmpeg') });
  assert.is(r.code, 0, r.stdout + r.stderr);
  const lines = readFileSync(log, 'utf8').split('\n');
  const at = (what: string, segment: string) => lines.findIndex((l) => l.startsWith(`${what} `) && l.endsWith(`video-${segment}.mp4`));
  assert.ok(at('end', '000000') > 0 && at('start', '000001') > 0, lines.join('\n'));
  assert.ok(at('start', '000001') < at('end', '000000'), `segment 1's encoder started only after segment 0's ended:\n${lines.join('\n')}`);
  assert.equal(outputs.map((f) => sha256File(f)), before, 'the composite\'s outputs changed');
});

test('janus convert: B\'s video with A\'s face (b-to-a), results beside --out', async () => {
  const out = join(tmp.dir, 'conv', 'b-as-a.mp4');
  const args = ['convert', SAMPLE_B, '--alignments', join(run, 'b', 'alignments.json'), '--model', join(run, 'model'), '--target', join(run, 'a', 'alignments.json'), '--direction', 'b-to-a', '--out', out, '--segment-frames', '50', '--no-side-by-side', '--seamless', '--mask', 'intersection'];
  const r = janus(args);
  assert.is(r.code, 0, r.stdout + r.stderr);
  for (const f of ['b-as-a.mp4', 'b-as-a.mask.mp4', 'b-as-a.provenance.json', 'b-as-a.metrics.json', 'b-as-a.report.html']) assert.ok(existsSync(join(tmp.dir, 'conv', f)), f);
  assert.not.ok(existsSync(join(tmp.dir, 'conv', 'b-as-a.side-by-side.mp4')));
  const info = await probeVideo(out);
  assert.is(info.frameCount, (await probeVideo(SAMPLE_B)).frameCount);
  const t = await tags(out);
  assert.is(t.janus_direction, 'b-to-a');
  assert.is(t.janus_sidecar, 'b-as-a.provenance.json');
  const m = JSON.parse(readFileSync(join(tmp.dir, 'conv', 'b-as-a.metrics.json'), 'utf8'));
  assert.equal(m.identities, { source: 'b', target: 'a' });
  const side = JSON.parse(readFileSync(join(tmp.dir, 'conv', 'b-as-a.provenance.json'), 'utf8'));
  assert.is(side.outputs.video.sha256, sha256File(out));
  assert.is(side.method.composite.seamless, true);
  assert.is(side.method.composite.mask, 'intersection', 'blended with the smaller of the landmark and the learned mask');
  // again: everything is up to date, nothing is redone
  const again = janus(args);
  assert.is(again.code, 0);
  assert.match(again.stdout, /0 ran, 4 up to date/);
});

test.run();
