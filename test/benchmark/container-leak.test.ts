/**
 * Container leaks: five real clips (the sample identities at several sizes and lengths, one of
 * them odd-size 4:4:4) and their fakes (a visibly altered copy written as the
 * composite stage writes it: segments by Janus's video writer with the synthetic tags, joined
 * with the real's audio) go down the compression ladder as the benchmark's `ladder-real` and
 * `ladder-fake` stages do. Then: no field but provenance and size differs between a real and
 * its fake at any rung, a classifier on the fields without provenance is at chance, with
 * provenance it separates perfectly, and fakes made leaky on purpose (another crf at c23,
 * another frame rate) are caught by the field that leaks. Also the pure parts: feature kinds,
 * the x264 settings parser, the stumps and leave-one-group-out on made-up features.
 *
 * @tier e2e (ffmpeg encodes)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BenchmarkConfig, LEVELS } from '../../src/config/benchmark.ts';
import type { BenchmarkPlan } from '../../src/benchmark/plan.ts';
import { benchmarkStages } from '../../src/benchmark/plan.ts';
import { stageName } from '../../src/benchmark/stage-names.ts';
import {
  containerFeatures,
  encoderSettings,
  excludeProvenanceAndSize,
  featureKind,
  identicalFields,
  isProvenance,
  isSize,
  leakReport,
  type Features,
  type LeakSample,
} from '../../src/benchmark/container-leak.ts';
import { CompositeConfig } from '../../src/config/swap.ts';
import type { SampleName } from '../../src/config/samples.ts';
import { compressVideo } from '../../src/media/compress.ts';
import { concatVideos } from '../../src/media/concat.ts';
import { decodeFrames } from '../../src/media/decode.ts';
import { openVideoWriter, type VideoWriter } from '../../src/media/encode.ts';
import { probeVideo, withExactFrameCount, type Rational } from '../../src/media/probe.ts';
import { makeSampleClip } from '../../src/samples/make-sample.ts';
import { syntheticTags } from '../../src/swap/synthetic.ts';
import { SAMPLE_A, ffmpegSync, requireSamples, tempDir } from '../helpers/fixtures.ts';

const test = suite('benchmark/container-leak');
const tmp = tempDir('container-leak');
test.after(() => tmp.cleanup());

// ---------------------------------------------------------------- pure parts

interface LadderStage {
  name: string;
  params?: { strip?: boolean; tags?: Record<string, string> };
}

/** The ladder stages exactly as the benchmark plans them (the stages are templates: a plan with no videos gives them). */
function ladderStages(): { real: LadderStage; fake: LadderStage } {
  const stages = benchmarkStages({ config: BenchmarkConfig.parse({}), manifest: { identities: [], videos: [] }, perturbations: [] } as unknown as BenchmarkPlan, tmp.dir) as LadderStage[];
  const real = stages.find((s) => s.name === stageName.ladderReal('${item.id}'));
  const fake = stages.find((s) => s.name === stageName.ladderFake('${item.id}'));
  if (!real || !fake) throw new Error(`the plan has no ladder stages: ${stages.map((s) => s.name).join(', ')}`);
  return { real, fake };
}

test('provenance tags: every tag the composite stage marks a fake with and every tag the ladder-real stage marks a real with', () => {
  const synthetic = Object.keys(syntheticTags({ direction: 'a-to-b', model: 'x', sidecar: 'x.json', content: 'face-swap' }));
  const real = Object.keys(ladderStages().real.params?.tags ?? {});
  assert.ok(real.length >= 2, `the ladder-real stage writes tags: ${real}`);
  for (const key of [...synthetic, ...real]) {
    assert.ok(isProvenance(`format.tag.${key}`), `format.tag.${key} is provenance`);
    assert.ok(isProvenance(`video0.tag.${key}`), `video0.tag.${key} is provenance`);
  }
  assert.is(featureKind('format.tag.major_brand'), 'setting');
  assert.is(featureKind('video0.tag.handler_name'), 'setting');
  for (const s of ['format.size', 'format.bit_rate', 'video0.bit_rate', 'audio0.bit_rate', 'format.bytes_per_second']) assert.ok(isSize(s), s);
  for (const s of ['video0.extradata_size', 'video0.nal_length_size', 'video0.x264.crf', 'video0.r_frame_rate', 'format.tag.size']) assert.is(featureKind(s), 'setting', s);
});

test('encoderSettings reads the x264 SEI out of a packet (NUL-ended, binary around it); null without one', () => {
  const sei = 'x264 - core 164 r3095 baee400 - H.264/MPEG-4 AVC codec - Copyleft 2003-2022 - http://www.videolan.org/x264.html - options: cabac=1 ref=3 deblock=1:0:0 crf=23.0 threads=1';
  const bytes = Buffer.concat([Buffer.from([0, 0, 0, 1, 6, 5, 0xff]), Buffer.from(sei, 'latin1'), Buffer.from([0, 0x80, 0, 0, 0x0e, 0x65, 0x88])]);
  const s = encoderSettings(bytes);
  assert.equal(s, { encoder: 'x264', version: 'core 164 r3095 baee400', options: { cabac: 1, ref: 3, deblock: '1:0:0', crf: 23, threads: 1 } });
  assert.is(encoderSettings(Buffer.from([0, 0, 0, 1, 0x65, 1, 2, 3])), null);
});

/** n groups of a real and a fake; `f(group, label)` gives its features. */
function madeUp(n: number, f: (g: number, label: 0 | 1) => Features): LeakSample[] {
  return Array.from({ length: n }, (_, g) => g).flatMap((g) => ([0, 1] as const).map((label) => ({ features: f(g, label), label, group: `g${g}` })));
}

test('leakReport on made-up features: a field that marks the fakes is named; a field per group (same for its real and fake) and exclusions leave it at chance', () => {
  const samples = madeUp(8, (g, label) => ({ 'video0.r_frame_rate': label ? '24/1' : '25/1', 'format.duration': 1 + g / 10, 'format.tag.synthetic': label ? 'true' : 'false', 'video0.tag.id': `v${g}` }));
  const all = leakReport(samples);
  assert.is(all.chance, 0.5);
  assert.is(all.logistic.accuracy, 1);
  assert.is(all.logistic.auc, 1);
  assert.is(all.best!.accuracy, 1);
  assert.equal(all.stumps.filter((s) => s.accuracy === 1).map((s) => s.feature), ['format.tag.synthetic', 'video0.r_frame_rate']);
  assert.match(all.best!.rule, /^format\.tag\.synthetic = "(true|false)" → (fake|real)$/);
  const settings = leakReport(samples, { exclude: (n) => isProvenance(n) || n.endsWith('r_frame_rate') });
  assert.is(settings.features, 2);
  assert.is(settings.logistic.accuracy, 0.5, 'a real and its fake look the same: one of the two is wrong, whatever the classifier');
  assert.is(settings.logistic.auc, 0.5);
  assert.is(settings.best!.accuracy, 0.5);
  // a numeric threshold: crf 23 vs 26, with numbers spread over groups in another field
  const crf = leakReport(madeUp(5, (g, label) => ({ 'video0.x264.crf': label ? 26 : 23, 'video0.width': 96 + 16 * g })));
  assert.is(crf.best!.feature, 'video0.x264.crf');
  assert.is(crf.best!.accuracy, 1);
  assert.match(crf.best!.rule, /video0\.x264\.crf > 24\.5 → fake/);
  const twoFolds = leakReport(samples, { folds: 2 });
  assert.is(twoFolds.best!.accuracy, 1, 'groups dealt to two folds: the same verdict');
  assert.is(leakReport(samples, { folds: 2, exclude: (n) => isProvenance(n) || n.endsWith('r_frame_rate') }).logistic.accuracy, 0.5);
  assert.throws(() => leakReport(madeUp(1, () => ({}))), /at least 2 groups/);
  assert.throws(() => leakReport(samples, { folds: 1 }), /folds/);
});

// ---------------------------------------------------------------- real videos down the ladder

type Level = (typeof LEVELS)[number];
interface Group {
  id: string;
  src: string;
  real: Record<Level, Features>;
  fake: Record<Level, Features>;
  /** c23 rungs of fakes made leaky on purpose. */
  leakyCrf: Features;
  leakyFps: Features;
}
const groups: Group[] = [];

/** The composite stage's output for a real video: frames (altered) in segments by Janus's writer with the synthetic tags, joined with the real's audio and the tags. */
async function compositeLike(src: string, out: string, opts: { alter: boolean; fps?: Rational; segmentFrames: number }): Promise<void> {
  const info = await probeVideo(src);
  const crf = CompositeConfig.parse({}).crf;
  const tags = (content: 'face-swap') => syntheticTags({ direction: 'a-to-b', model: 'c0ffee'.repeat(10), sidecar: 'output.provenance.json', content });
  const segments: string[] = [];
  let w: VideoWriter | null = null;
  let i = 0;
  const { width, height } = info;
  for await (const f of decodeFrames(src, { info })) {
    if (i % opts.segmentFrames === 0) {
      await w?.close();
      segments.push(`${out}.seg${segments.length}.mp4`);
      w = await openVideoWriter({ out: segments.at(-1)!, width, height, fps: opts.fps ?? info.fps, crf, deterministic: true, metadata: tags('face-swap') });
    }
    const d = f.data;
    if (opts.alter) {
      // the "face": the middle of the frame mirrored left-right and tinted red, visibly not the real one
      const x0 = Math.round(width * 0.3);
      const x1 = Math.round(width * 0.7);
      const y0 = Math.round(height * 0.25);
      const y1 = Math.round(height * 0.75);
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < (x0 + x1) / 2; x++) {
          const a = (y * width + x) * 3;
          const b = (y * width + (x1 - 1 - (x - x0))) * 3;
          for (let c = 0; c < 3; c++) [d[a + c], d[b + c]] = [d[b + c]!, d[a + c]!];
        }
        for (let x = x0; x < x1; x++) d[(y * width + x) * 3] = Math.min(255, d[(y * width + x) * 3]! + 40);
      }
    }
    await w!.write(d);
    i++;
  }
  await w!.close();
  await concatVideos({ segments, out, audioFrom: src, metadata: tags('face-swap'), deterministic: true });
}

const SOURCES: Array<{ id: string; name: SampleName; size: number; seconds: number; odd?: true }> = [
  { id: 'anna-01', name: 'a', size: 128, seconds: 0.4 },
  { id: 'bea-01', name: 'b', size: 96, seconds: 0.48 },
  { id: 'cara-01', name: 'c', size: 112, seconds: 0.4 },
  { id: 'dana-01', name: 'd', size: 128, seconds: 0.32 },
  { id: 'bea-02', name: 'b', size: 128, seconds: 0.4, odd: true },
];

/** compress.ts's c23 arguments, for rungs made leaky on purpose by hand. */
const C23 = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '23', '-preset', 'medium', '-threads', '1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '0', '-movflags', '+faststart+use_metadata_tags'];

test.before(async () => {
  requireSamples();
  const t0 = Date.now();
  const { real: realStage, fake: fakeStage } = ladderStages();
  for (const s of SOURCES) {
    const dir = join(tmp.dir, s.id);
    mkdirSync(dir, { recursive: true });
    let src = join(dir, 'source.mp4');
    await makeSampleClip(s.name, src, { size: s.size, seconds: s.seconds });
    if (s.odd) {
      // a camera's file: odd size, 4:4:4 (the ladder pads it to even and makes it 4:2:0)
      const odd = join(dir, 'odd.mp4');
      ffmpegSync(['-i', src, '-vf', 'scale=127:95', '-pix_fmt', 'yuv444p', '-c:v', 'libx264', '-crf', '10', '-c:a', 'copy', odd]);
      src = odd;
    }
    const fake = join(dir, 'fake.mp4');
    await compositeLike(src, fake, { alter: true, segmentFrames: 6 });
    const realTags = Object.fromEntries(Object.entries(realStage.params?.tags ?? {}).map(([k, v]) => [k, v.replace('${item.id}', s.id)]));
    const real = {} as Record<Level, Features>;
    const fakeF = {} as Record<Level, Features>;
    for (const level of LEVELS) {
      await compressVideo(src, level, join(dir, `real-${level}.mp4`), { ...realStage.params, tags: realTags });
      await compressVideo(fake, level, join(dir, `fake-${level}.mp4`), { ...fakeStage.params });
      real[level] = await containerFeatures(join(dir, `real-${level}.mp4`));
      fakeF[level] = await containerFeatures(join(dir, `fake-${level}.mp4`));
    }
    // leaky on purpose: the fake's c23 rung at crf 26; the fake's frames taken as 24 fps (its real is 25)
    const crf26 = join(dir, 'fake-c23-crf26.mp4');
    // (square pixels signalled, as every rung of the ladder does: only the leak differs)
    ffmpegSync(['-i', fake, '-map', '0:v:0', '-map', '0:a:0', '-c:a', 'copy', '-vf', 'setsar=1', ...C23.map((a) => (a === '23' ? '26' : a)), crf26]);
    const fps24 = join(dir, 'fake-c23-24fps.mp4');
    ffmpegSync(['-r', '24', '-i', fake, '-map', '0:v:0', '-map', '0:a:0', '-c:a', 'copy', '-vf', 'setsar=1', ...C23, fps24]);
    groups.push({ id: s.id, src, real, fake: fakeF, leakyCrf: await containerFeatures(crf26), leakyFps: await containerFeatures(fps24) });
  }
  console.log(`  container-leak: ${groups.length} real videos, their fakes and ladders in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

const rungSamples = (levels: readonly Level[]): LeakSample[] =>
  groups.flatMap((g) => levels.flatMap((l) => [
    { features: g.real[l], label: 0 as const, group: g.id },
    { features: g.fake[l], label: 1 as const, group: g.id },
  ]));

/**
 * How far above chance a classifier that knows nothing may score: two standard errors of an
 * accuracy over n independent guesses, 2·sqrt(p(1-p)/n) (n = 30 samples here: 0.18). In this
 * design the expected value is chance exactly: a real and its fake are held out together, so a
 * classifier that sees the same fields for both gives them the same answer, one right and one
 * wrong; identicalFields checks that equality field by field, which is the strict test.
 */
const margin = (p: number, n: number) => 2 * Math.sqrt((p * (1 - p)) / n);

test('the features of a rung: codec settings, x264 options from the bitstream, tags, audio, size per second; no file name', () => {
  const g = groups[0]!;
  const c23 = g.real.c23;
  assert.is(c23['video0.codec_name'], 'h264');
  assert.is(c23['video0.pix_fmt'], 'yuv420p');
  assert.is(c23['video0.r_frame_rate'], '25/1');
  assert.is(c23['video0.width'], 128);
  assert.is(c23['video0.x264.crf'], 23);
  assert.is(c23['video0.x264.threads'], 1);
  assert.match(String(c23['video0.x264.version']), /^core \d+/);
  assert.is(g.real.c0['video0.pix_fmt'], 'gbrp', 'c0 is libx264rgb: planar RGB');
  assert.is(g.real.c0['video0.x264.qp'], 0);
  assert.is(c23['audio0.codec_name'], 'aac');
  assert.is(c23['audio0.sample_rate'], 48000);
  assert.is(c23['format.tag.janus_dataset_label'], 'REAL');
  assert.is(c23['format.tag.janus_dataset_id'], g.id);
  assert.is(g.fake.c23['format.tag.synthetic'], 'true');
  assert.is(c23['format.streams'], 'video,audio');
  assert.ok(Number(c23['format.bytes_per_second']) > 0);
  assert.match(String(c23['video0.extradata_hash']), /^CRC32:/);
  assert.not.ok(Object.keys(c23).some((k) => k.includes('filename')), 'the file name (real/ or fake/) is not a feature');
  assert.is(groups.find((x) => x.id === 'bea-02')!.real.c23['video0.width'], 128, 'the odd-size source is padded to even');
});

test('a real video and its fake differ in no field but provenance and size, at every rung', () => {
  for (const g of groups) {
    for (const level of LEVELS) {
      const diff = identicalFields(g.real[level], g.fake[level]);
      assert.equal(diff, [], `${g.id} at ${level}: ${JSON.stringify(diff)}`);
    }
    const tagDiff = Object.keys({ ...g.real.c23, ...g.fake.c23 }).filter((k) => g.real.c23[k] !== g.fake.c23[k] && isProvenance(k));
    assert.ok(tagDiff.length >= 3, `${g.id}: the provenance tags do differ (${tagDiff})`);
  }
});

test('without provenance (and sizes) a classifier on the fields is at chance; with them it separates perfectly', () => {
  const samples = rungSamples(LEVELS);
  const blind = leakReport(samples, { exclude: excludeProvenanceAndSize });
  const m = margin(blind.chance, blind.samples);
  console.log(`  without provenance/size: ${blind.samples} files, ${blind.features} fields, chance ${blind.chance}, logistic acc ${blind.logistic.accuracy.toFixed(3)} auc ${blind.logistic.auc?.toFixed(3)}, best stump ${blind.best?.feature} ${blind.best?.accuracy.toFixed(3)} (margin ${m.toFixed(3)})`);
  assert.is(blind.chance, 0.5);
  assert.ok(blind.features > 100, `fields seen: ${blind.features}`);
  assert.ok(blind.logistic.accuracy <= blind.chance + m, `logistic accuracy ${blind.logistic.accuracy} > chance ${blind.chance} + ${m}`);
  assert.ok(Math.abs(blind.logistic.auc! - 0.5) <= m, `logistic AUC ${blind.logistic.auc}`);
  assert.ok(blind.best!.accuracy <= blind.chance + m, `best stump ${blind.best!.feature}: ${blind.best!.accuracy} (${blind.best!.rule})`);

  const marked = leakReport(samples);
  console.log(`  with provenance: logistic acc ${marked.logistic.accuracy} auc ${marked.logistic.auc}, best stump ${marked.best?.rule} ${marked.best?.accuracy}`);
  assert.is(marked.logistic.accuracy, 1);
  assert.is(marked.logistic.auc, 1);
  assert.is(marked.best!.accuracy, 1);
  assert.ok(isProvenance(marked.best!.feature), `the best field is a provenance tag: ${marked.best!.feature}`);

  // sizes alone: what the frames cost to code (the fake's face differs by design): printed, not judged
  const size = leakReport(samples, { exclude: (n) => !isSize(n) });
  console.log(`  sizes alone: logistic acc ${size.logistic.accuracy.toFixed(3)} auc ${size.logistic.auc?.toFixed(3)}, best ${size.best?.feature} ${size.best?.accuracy.toFixed(3)}`);
});

test('a fake whose c23 rung was encoded at crf 26 is caught by the x264 settings in its bitstream', () => {
  const samples = groups.flatMap((g) => [
    { features: g.real.c23, label: 0 as const, group: g.id },
    { features: g.leakyCrf, label: 1 as const, group: g.id },
  ]);
  const r = leakReport(samples, { exclude: excludeProvenanceAndSize });
  console.log(`  crf leak: logistic acc ${r.logistic.accuracy.toFixed(3)} auc ${r.logistic.auc?.toFixed(3)}, best ${r.best?.rule} ${r.best?.accuracy}`);
  const perfect = r.stumps.filter((s) => s.accuracy === 1).map((s) => s.feature);
  console.log(`  crf leak: perfect fields ${perfect.join(', ')}`);
  assert.is(r.best!.accuracy, 1);
  assert.ok(perfect.includes('video0.x264.crf'), `the crf in the bitstream tells them apart: ${perfect}`);
  assert.ok(r.logistic.accuracy >= r.chance + 0.3, `logistic accuracy ${r.logistic.accuracy}`);
  // x264 also starts its PPS at a QP derived from the crf: the SPS/PPS differ as well
  const diff = identicalFields(groups[0]!.real.c23, groups[0]!.leakyCrf).map((d) => d.feature);
  assert.ok(diff.includes('video0.x264.crf'), `differing fields: ${diff}`);
  assert.ok(diff.every((f) => /^video0\.(x264\.crf|extradata_size|extradata_hash)$/.test(f)), `differing fields: ${diff}`);
});

test('a fake whose frames are timed at 24 fps (its real at 25) is caught by the frame-rate fields', () => {
  const samples = groups.flatMap((g) => [
    { features: g.real.c23, label: 0 as const, group: g.id },
    { features: g.leakyFps, label: 1 as const, group: g.id },
  ]);
  const r = leakReport(samples, { exclude: excludeProvenanceAndSize });
  console.log(`  fps leak: logistic acc ${r.logistic.accuracy.toFixed(3)} auc ${r.logistic.auc?.toFixed(3)}, best ${r.best?.rule} ${r.best?.accuracy}`);
  const perfect = r.stumps.filter((s) => s.accuracy === 1).map((s) => s.feature);
  console.log(`  fps leak: perfect fields ${perfect.join(', ')}`);
  assert.is(r.best!.accuracy, 1);
  for (const f of ['video0.r_frame_rate', 'video0.avg_frame_rate']) assert.ok(perfect.includes(f), `${f} tells them apart: ${perfect}`);
  assert.ok(r.logistic.accuracy >= r.chance + 0.3, `logistic accuracy ${r.logistic.accuracy}`);
  assert.ok(identicalFields(groups[0]!.real.c23, groups[0]!.leakyFps).some((d) => d.feature === 'video0.r_frame_rate'));
});

test("awkward real sources (a phone's 29.97 fps in 1/600 s ticks, audio shorter or longer than the video, square pixels signalled): real and fake still agree at c23", async () => {
  const cases: Record<string, string[]> = {
    phone: ['-i', SAMPLE_A, '-t', '1', '-vf', 'fps=30000/1001,scale=96:96', '-c:v', 'libx264', '-crf', '18', '-c:a', 'aac', '-video_track_timescale', '600', 'SRC.mov'],
    'short-audio': ['-t', '0.4', '-i', SAMPLE_A, '-f', 'lavfi', '-i', 'sine=f=300:r=48000:d=0.1', '-map', '0:v', '-map', '1:a', '-vf', 'scale=96:96', '-c:v', 'libx264', '-crf', '18', '-c:a', 'aac', 'SRC.mp4'],
    'long-audio': ['-t', '0.4', '-i', SAMPLE_A, '-f', 'lavfi', '-i', 'sine=f=300:r=48000:d=0.6', '-map', '0:v', '-map', '1:a', '-vf', 'scale=96:96', '-c:v', 'libx264', '-crf', '18', '-c:a', 'aac', 'SRC.mp4'],
    sar: ['-i', SAMPLE_A, '-t', '0.4', '-vf', 'scale=96:96,setsar=1', '-c:v', 'libx264', '-crf', '18', '-c:a', 'copy', 'SRC.mp4'],
  };
  for (const [name, args] of Object.entries(cases)) {
    const dir = join(tmp.dir, `awkward-${name}`);
    mkdirSync(dir, { recursive: true });
    const src = join(dir, `source.${args.at(-1)!.split('.')[1]}`);
    ffmpegSync(args.map((a) => (a.startsWith('SRC.') ? src : a)));
    const fake = join(dir, 'fake.mp4');
    await compositeLike(src, fake, { alter: true, segmentFrames: 12 });
    assert.is((await withExactFrameCount(await probeVideo(fake))).frameCount, (await withExactFrameCount(await probeVideo(src))).frameCount, `${name}: the fake keeps every frame`);
    await compressVideo(src, 'c23', join(dir, 'real-c23.mp4'), { strip: true, tags: { comment: 'REAL', janus_dataset_label: 'REAL', janus_dataset_id: name } });
    await compressVideo(fake, 'c23', join(dir, 'fake-c23.mp4'));
    const diff = identicalFields(await containerFeatures(join(dir, 'real-c23.mp4')), await containerFeatures(join(dir, 'fake-c23.mp4')));
    assert.equal(diff, [], `${name}: ${JSON.stringify(diff)}`);
  }
});

test.run();
