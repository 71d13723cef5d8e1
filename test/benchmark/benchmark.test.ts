/**
 * A mini benchmark from the four sample identities (short clips, tiny preset, a few
 * iterations): the layout and file names; metadata.json validates and every file it names exists;
 * splits are identity-disjoint; c0 > c23 > c40 for every video; masks match their fake's frame
 * count; frames.csv covers every frame; the quality gate lists what it drops; a failed pair is
 * recorded while the others are kept; the baseline detector reports a number; latents export;
 * partial fakes (frames.csv, mask and metadata agree); perturbed copies (the meta file matches
 * the files, real and fakes share a draw, every copy changed, the same seed the same bytes); the
 * FaceForensics++ layout walked as detection codebases' loaders walk it; no label leak in the
 * container metadata (a classifier on it is at chance but for the provenance mark).
 *
 * @tier e2e (generates a mini benchmark)
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assembleDataset } from '../../src/benchmark/assemble.ts';
import { planFile } from '../../src/benchmark/layout.ts';
import { readMetadata } from '../../src/benchmark/metadata.ts';
import { readBaseline } from '../../src/benchmark/baseline-file.ts';
import { containerFeatures, identicalFields, isProvenance, leakReport, type Features, type LeakSample } from '../../src/benchmark/container-leak.ts';
import { gateReason } from '../../src/benchmark/quality-gate.ts';
import { readBenchmarkManifest } from '../../src/benchmark/manifest.ts';
import { makePlan } from '../../src/benchmark/plan.ts';
import { BenchmarkConfig, SPLITS } from '../../src/config/benchmark.ts';
import type { StageOutcome } from '../../src/dag/reporter.ts';
import { probeStreams, probeVideo } from '../../src/media/probe.ts';
import { readMetrics } from '../../src/swap/metrics-file.ts';
import { ffmpegSync, janus, requireSamples, tempDir } from '../helpers/fixtures.ts';
import { makeSampleClip } from '../../src/samples/make-sample.ts';
import { decodeFrames } from '../../src/media/decode.ts';
import { perturbVideo } from '../../src/media/perturb.ts';

/** Every frame of a video, as RGB. */
async function frames(file: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of decodeFrames(file)) out.push(Uint8Array.from(f.data));
  return out;
}
const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
};

const test = suite('benchmark/benchmark');
const tmp = tempDir('bench');
const out = join(tmp.dir, 'out');
const manifest = join(tmp.dir, 'bench.csv');
// Six iterations make blurs, which the default gate drops (asserted below): the runs here relax
// its distance and share rules so that fakes are kept and the dataset can be checked.
const RELAXED = ['--max-target-distance', '2', '--min-identity-share', '0'];
// half the fakes partial, half the real videos perturbed (with the fakes made from them)
const DRAWS = ['--partial-share', '0.5', '--perturb-share', '0.5'];
const ARGS = () => ['benchmark', manifest, '--out', out, '--preset', 'tiny', '--iterations', '6', '--size', '128', '--detector', 'tiny', '--splits', '0.5,0,0.5', '--seed', '3', ...RELAXED, ...DRAWS];
test.before(async () => {
  requireSamples();
  const rows = ['video,identity'];
  for (const [name, who] of [['a', 'anna'], ['b', 'beth'], ['c', 'cara'], ['d', 'dana']] as const) {
    const full = join(tmp.dir, `${name}-full.mp4`);
    await makeSampleClip(name, full, { seconds: 0.4, size: 256 });
    ffmpegSync(['-i', full, '-c', 'copy', join(tmp.dir, `${name}.mp4`)]);
    rows.push(`${name}.mp4,${who}`);
  }
  const { writeFileSync } = await import('node:fs');
  writeFileSync(manifest, `${rows.join('\n')}\n`);
});
test.after(() => tmp.cleanup());

// The runs every test below reads, made here so that each test holds alone: the benchmark, then
// a re-assembly with the gate off. (A kill during generation and the rerun: the fault suite's
// benchmark chain, `make faults`.)
let runs: { first: ReturnType<typeof janus>; gateOff: ReturnType<typeof janus> };
test.before(() => {
  const first = janus(ARGS());
  const gateOff = janus([...ARGS(), '--no-identity-gate', '--min-swapped-share', '0']);
  runs = { first, gateOff };
});

test('the relaxed gate: every planned fake is kept or listed as dropped, with the gate\'s reason', () => {
  // the first run's summary (dropped.json and metadata.json were re-assembled since, with the gate off)
  assert.is(runs.first.code, 0, runs.first.stdout + runs.first.stderr);
  const said = runs.first.stdout;
  const m = /dataset \(.*\): 4 real, (\d+) fake videos; (\d+) dropped or failed/.exec(said);
  assert.ok(m, said);
  const lines = said.split('\n').filter((l) => /^ {2}\S+\.mp4: /.test(l));
  assert.is(lines.length, Number(m![2]), said);
  assert.is(Number(m![1]) + lines.length, 4, `every planned fake is kept or dropped:\n${said}`);
  for (const l of lines) assert.match(l, /: quality-gate: .*(not closer to the target|swapped \d+ of \d+ frames)/);
});

test('layout, metadata, splits and FF++ pair lists, compression ladder, masks, frames.csv (gate off: every fake kept)', async () => {
  const r = runs.gateOff;
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /0 ran, \d+ up to date/, 'nothing regenerated: only the dataset is re-assembled');
  for (const d of ['real/c0', 'real/c23', 'real/c40', 'fake/c0', 'fake/c23', 'fake/c40', 'fake/provenance', 'masks', 'splits']) assert.ok(existsSync(join(out, d)), d);
  for (const f of ['metadata.json', 'frames.csv', 'README.md', 'dropped.json', 'splits/train.json', 'splits/val.json', 'splits/test.json', 'train.json', 'val.json', 'test.json']) assert.ok(existsSync(join(out, f)), f);
  const meta = readMetadata(out);
  const reals = Object.entries(meta).filter(([, e]) => e.label === 'REAL');
  const fakes = Object.entries(meta).filter(([, e]) => e.label === 'FAKE');
  assert.is(reals.length, 4);
  assert.is(fakes.length, 4, 'two pairs (one per split with two identities), both directions');
  for (const [name, e] of Object.entries(meta)) {
    for (const f of [...Object.values(e.files), e.mask, e.provenance]) if (f) assert.ok(existsSync(join(out, f)), `${name}: ${f} exists`);
    const sizes = (['c0', 'c23', 'c40'] as const).map((l) => statSync(join(out, e.files[l])).size);
    assert.ok(sizes[0]! > sizes[1]! && sizes[1]! > sizes[2]!, `${name}: c0 ${sizes[0]} > c23 ${sizes[1]} > c40 ${sizes[2]}`);
  }
  for (const [name, e] of fakes) {
    assert.match(name, /^[a-z]+-01__[a-z]+\.mp4$/);
    assert.ok(meta[e.original!]?.label === 'REAL', `${name}: original ${e.original} is a real video of the dataset`);
    assert.is(meta[e.original!]!.source, e.source);
    assert.is(e.split, meta[e.original!]!.split);
    assert.match(e.model!, /^[0-9a-f]{64}$/);
    // its quality, from its metrics: the share in [0, 1], the margin and distance numbers, the flicker ratio measured
    const q = e.quality!;
    assert.ok(q && q.identityShare !== null && q.identityShare >= 0 && q.identityShare <= 1, `${name}: identity share ${JSON.stringify(q)}`);
    assert.ok(typeof q.identityMargin === 'number' && Number.isFinite(q.identityMargin) && typeof q.targetDistance === 'number' && q.targetDistance > 0, `${name}: margin and distance ${JSON.stringify(q)}`);
    assert.ok(typeof q.flicker === 'number' && q.flicker > 0, `${name}: flicker ratio ${JSON.stringify(q)}`);
    const video = await probeVideo(join(out, e.files.c23));
    const mask = await probeVideo(join(out, e.mask!));
    assert.is(mask.frameCount, video.frameCount, `${name}: mask frames`);
    assert.is(((await probeStreams(join(out, e.files.c23))).format?.tags ?? {}).synthetic, 'true', `${name}: the c23 copy keeps the synthetic tag`);
  }
  // identity-disjoint splits that cover every identity
  const splits = Object.fromEntries(SPLITS.map((s) => [s, JSON.parse(readFileSync(join(out, 'splits', `${s}.json`), 'utf8'))])) as Record<string, { identities: string[]; files: string[] }>;
  const ids = SPLITS.flatMap((s) => splits[s]!.identities);
  assert.equal([...ids].sort(), ['anna', 'beth', 'cara', 'dana']);
  for (const [name, e] of Object.entries(meta)) {
    assert.ok(splits[e.split]!.files.includes(name));
    for (const who of [e.source, e.target].filter(Boolean)) assert.ok(splits[e.split]!.identities.includes(who!), `${name}: ${who} is in ${e.split}`);
  }
  // FF++'s pair lists at the root: [target, source] per split, both identities of that split, each pair's fakes present
  for (const s of SPLITS) {
    const list = JSON.parse(readFileSync(join(out, `${s}.json`), 'utf8')) as Array<[string, string]>;
    const made = new Set(fakes.filter(([, e]) => e.split === s).map(([, e]) => `${e.target}/${e.source}`));
    assert.is(list.length, made.size, `${s}.json: one entry per pair made`);
    for (const [target, source] of list) {
      assert.ok(splits[s]!.identities.includes(target) && splits[s]!.identities.includes(source), `${s}.json: [${target}, ${source}] within ${s}`);
      assert.ok(made.has(`${target}/${source}`), `${s}.json: [${target}, ${source}] has its fakes (${[...made]})`);
    }
  }
  // frames.csv: one row per frame of every video, fakes labelled where swapped
  const rows = readFileSync(join(out, 'frames.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  for (const [name, e] of Object.entries(meta)) {
    const mine = rows.filter((r) => r[0] === name);
    assert.is(mine.length, e.frames, `${name}: a row per frame`);
    assert.is(mine.filter((r) => r[2] === '1').length, e.framesSwapped, `${name}: label 1 on the swapped frames`);
  }
  assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /identity-disjoint/);
});

test('a published fake is recomputed from its metadata: the stages it names, its seed and model, every byte identical (janus verify)', () => {
  assert.is(runs.gateOff.code, 0);
  const meta = readMetadata(out);
  const [name, fake] = Object.entries(meta).find(([, e]) => e.label === 'FAKE')!;
  const models = JSON.parse(readFileSync(planFile(out, 'models'), 'utf8')) as Array<{ key: string; seed: number }>;
  const model = fake.stages!.find((s) => s.startsWith('train-'))!.slice('train-'.length);
  assert.is(fake.seed, models.find((m) => m.key === model)!.seed, `${name}: the seed of its pair's model`);
  assert.equal(fake.stages!.slice(1).map((s) => s.replace(/-.*/, '')), ['swap', 'composite', 'ladder']);
  const card = readFileSync(join(out, 'README.md'), 'utf8');
  assert.match(card, /npx janus verify <folder>( --stage \S+){4}/, 'the card names the command');
  const r = janus(['verify', out, ...fake.stages!.flatMap((s) => ['--stage', s])]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /all identical: 4 stages/);
  assert.match(r.stdout, new RegExp(`^${fake.stages![0]} +model +identical`, 'm'));
});

test('the baseline detectors report a table (latents and CNN, per level and perturbation type) in baseline.json and the card; latents export', () => {
  const r = janus(['detect-baseline', out, '--faces-per-video', '4']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /test AUC (0|1)\.\d{3}/);
  const b = JSON.parse(readFileSync(join(out, 'baseline.json'), 'utf8'));
  assert.type(b.test.auc, 'number', `test AUC is a number (a null would mean one class was missing): ${JSON.stringify(b.test)}`);
  assert.ok(b.test.auc >= 0 && b.test.auc <= 1, `test AUC in [0, 1]: ${b.test.auc}`);
  assert.ok(b.train.real > 0 && b.train.fake > 0 && b.test.real > 0 && b.test.fake > 0);
  // the two-baseline table: both detectors at every level, and per perturbation type of the test split's perturbed copies
  const table = readBaseline(out).table;
  for (const level of ['c0', 'c23', 'c40']) {
    for (const detector of ['latents', 'cnn'] as const) {
      const row = table.find((x) => x.detector === detector && x.data === level);
      assert.ok(row && row.trainedOn === level && row.real > 0 && row.fake > 0, `${detector} at ${level}: ${JSON.stringify(row)}`);
      assert.ok(row!.auc! >= 0 && row!.auc! <= 1 && row!.accuracy! >= 0 && row!.accuracy! <= 1, `${detector} at ${level}: AUC and accuracy`);
    }
  }
  const meta = readMetadata(out);
  const groups = new Set(Object.values(meta).filter((e) => e.split === 'test' && e.perturbed).map((e) => (e.perturbed!.perturbations.length > 1 ? 'mixed' : e.perturbed!.perturbations[0]!.split(':')[0]!)));
  assert.equal(new Set(table.filter((x) => !['c0', 'c23', 'c40'].includes(x.data)).map((x) => x.data)), groups, 'a row per perturbation type of the test split');
  assert.ok(table.filter((x) => groups.has(x.data)).every((x) => x.trainedOn === 'c23' && x.faces > 0));
  const card = readFileSync(join(out, 'README.md'), 'utf8');
  assert.match(card, /<!-- baseline -->\n.*\n\n\| detector \| test data \| trained on/, 'the table in the card');
  assert.match(card, /\| small CNN on face crops \| c40 \| c40 \| \d+ \/ \d+ \| [01]\.\d{3} \|/);
  assert.not.match(card, /Not run yet/);
  // a rerun re-assembles the same dataset: the card keeps the table of the baseline.json made on it
  const again = janus([...ARGS(), '--no-identity-gate', '--min-swapped-share', '0']);
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /\| small CNN on face crops \| c40 \| c40 \|/, 'the table is back in the re-written card');
  const models = readdirSync(join(out, 'work', 'models'));
  const lat = join(tmp.dir, 'a.latents.json');
  const l = janus(['latents', join(tmp.dir, 'a.mp4'), '--model', join(out, 'work', 'models', models[0]!), '--alignments', join(out, 'work', 'extract', 'anna-01', 'alignments.json'), '--out', lat, '--faces', '5']);
  assert.is(l.code, 0, l.stdout + l.stderr);
  const doc = JSON.parse(readFileSync(lat, 'utf8'));
  assert.is(doc.faces.length, 5);
  assert.is(doc.faces[0].latent.length, doc.dims);
});

test('partial fakes: the spans in metadata.json, the labels of frames.csv and the mask agree', async () => {
  assert.is(runs.gateOff.code, 0);
  const meta = readMetadata(out);
  const partial = Object.entries(meta).filter(([, e]) => e.partial);
  assert.is(partial.length, 2, 'half the four fakes');
  assert.ok(Object.values(meta).filter((e) => e.label === 'FAKE' && !e.partial).every((e) => e.partial === null));
  const rows = readFileSync(join(out, 'frames.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  for (const [name, e] of partial) {
    const p = e.partial!;
    const inside = (i: number) => p.frames.some(([a, b]) => i >= a && i <= b);
    const covered = p.frames.reduce((n, [a, b]) => n + b - a + 1, 0);
    assert.ok(covered >= 1 && covered < e.frames, `${name}: spans ${JSON.stringify(p.frames)} cover part of ${e.frames} frames`);
    const info = await probeVideo(join(out, e.files.c0));
    const fps = info.fps.num / info.fps.den;
    p.frames.forEach(([a, b], i) => {
      assert.ok(Math.abs(p.seconds[i]![0] - a / fps) < 1e-3 && Math.abs(p.seconds[i]![1] - (b + 1) / fps) < 1e-3, `${name}: span ${i} in seconds ${JSON.stringify(p.seconds[i])} at ${fps} fps`);
    });
    const labelled = rows.filter((r) => r[0] === name && r[2] === '1').map((r) => Number(r[1]));
    assert.ok(labelled.length > 0, `${name}: some frames swapped`);
    assert.ok(labelled.every(inside), `${name}: label 1 only inside the spans: ${labelled}`);
    assert.is(e.framesSwapped, labelled.length);
    assert.ok(e.quality!.swappedShare! > 0 && e.quality!.swappedShare! <= 1);
    const mask = await frames(join(out, e.mask!));
    const source = await frames(join(out, meta[e.original!]!.files.c0));
    const fake = await frames(join(out, e.files.c0));
    mask.forEach((m, i) => {
      const white = m.some((v) => v > 127);
      if (!inside(i)) {
        assert.not.ok(white, `${name}: mask frame ${i} outside the spans is black`);
        // the original's frame, through the composite's own encode (x264 crf 18)
        assert.ok(meanAbsDiff(fake[i]!, source[i]!) < 3, `${name}: frame ${i} outside the spans is the original's (${meanAbsDiff(fake[i]!, source[i]!).toFixed(2)})`);
      } else if (labelled.includes(i)) assert.ok(white, `${name}: mask frame ${i}, swapped, has replaced pixels`);
    });
  }
});

test('perturbed copies: perturbations.txt matches the files and metadata, real and fakes share a draw, each copy changed, the same seed the same bytes', async () => {
  assert.is(runs.gateOff.code, 0);
  const meta = readMetadata(out);
  const lines = readFileSync(join(out, 'perturbations.txt'), 'utf8').trim().split('\n');
  const listed = new Map(lines.map((l) => [l.split(' ')[0]!, l.split(' ').slice(1)]));
  const perturbed = Object.entries(meta).filter(([, e]) => e.perturbed);
  assert.is(perturbed.filter(([, e]) => e.label === 'REAL').length, 2, 'half the four real videos');
  assert.is(listed.size, perturbed.length, 'one line per perturbed copy');
  for (const [name, e] of perturbed) {
    const p = e.perturbed!;
    assert.ok(existsSync(join(out, p.file)), `${name}: ${p.file}`);
    assert.equal(listed.get(p.file), p.perturbations, `${name}: the meta file's line`);
    for (const l of p.perturbations) assert.match(l, /^(CS|CC|BW|GNC|GB|JPEG|VC):[1-5]$/);
    if (e.label === 'FAKE') assert.equal(p.perturbations, meta[e.original!]!.perturbed?.perturbations, `${name}: its original's draw`);
    else for (const [, f] of Object.entries(meta).filter(([, f]) => f.original === name)) assert.equal(f.perturbed?.perturbations, p.perturbations, `${name}'s fakes: the same draw`);
    // against the same path with no perturbation (the lossless rung re-encoded as the copies are): the encode alone is not a change
    const plain = join(tmp.dir, `plain-${name}`);
    await perturbVideo(join(out, e.files.c0), plain, [], 1);
    const [a, b, c] = [await frames(join(out, e.files.c0)), await frames(join(out, p.file)), await frames(plain)];
    assert.is(b.length, a.length, `${name}: frames kept`);
    const [d, encodeAlone] = [meanAbsDiff(a[0]!, b[0]!), meanAbsDiff(a[0]!, c[0]!)];
    assert.ok(d > encodeAlone + 0.5, `${name}: ${p.perturbations.join(' ')} changed the video (mean |difference| ${d.toFixed(2)}, the encode alone ${encodeAlone.toFixed(2)})`);
  }
  assert.ok(Object.values(meta).some((e) => e.perturbed === null), 'the others are not perturbed');
  // the same seed gives the same perturbations: recomputed, every byte identical
  const stage = perturbed[0]![1].label === 'REAL' ? `perturb-real-${perturbed[0]![0].replace(/\.mp4$/, '')}` : `perturb-fake-${perturbed[0]![0].replace(/\.mp4$/, '')}`;
  const r = janus(['verify', out, '--stage', stage]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /all identical: 1 stage/);
});

test('no label leak outside the face: real and fake share every container field but the provenance mark; a classifier on container metadata alone is at chance, and finds the mark', async () => {
  assert.is(runs.gateOff.code, 0);
  const meta = readMetadata(out);
  const features = new Map<string, Features>();
  const samples: LeakSample[] = [];
  for (const [name, e] of Object.entries(meta)) {
    for (const level of ['c0', 'c23', 'c40'] as const) {
      const f = await containerFeatures(join(out, e.files[level]));
      features.set(`${name}/${level}`, f);
      samples.push({ features: f, label: e.label === 'FAKE' ? 1 : 0, group: e.original ?? name });
    }
  }
  for (const [name, e] of Object.entries(meta)) {
    if (e.label !== 'FAKE') continue;
    for (const level of ['c0', 'c23', 'c40']) assert.equal(identicalFields(features.get(`${e.original}/${level}`)!, features.get(`${name}/${level}`)!), [], `${name} at ${level}: the fields that differ from its original`);
  }
  // ffprobe's fields, the x264 settings and the file size per second; leave-one-group-out (a fake held out with its original)
  const blind = leakReport(samples, { exclude: isProvenance });
  const se = Math.sqrt((blind.chance * (1 - blind.chance)) / blind.samples);
  assert.is(blind.samples, 24);
  assert.ok(blind.logistic.accuracy <= blind.chance + 2 * se, `logistic regression on container metadata: accuracy ${blind.logistic.accuracy.toFixed(3)}, chance ${blind.chance}`);
  assert.ok(blind.best!.accuracy <= blind.chance + 2 * se, `best single field ${blind.best!.feature}: ${blind.best!.accuracy.toFixed(3)} (${blind.best!.rule})`);
  assert.ok(blind.logistic.auc === null || blind.logistic.auc <= 0.5 + 2 * se, `AUC ${blind.logistic.auc}`);
  // the provenance mark is meant to be there, and the same classifier finds it
  const marked = leakReport(samples);
  assert.is(marked.logistic.accuracy, 1);
  assert.ok(isProvenance(marked.best!.feature), marked.best!.feature);
});

test('a failed pair is recorded in dropped.json and the other pairs are kept; the gate\'s rules', async () => {
  const m = readBenchmarkManifest(manifest);
  const config = BenchmarkConfig.parse({ preset: 'tiny', iterations: 6, size: 128, splits: { train: 0.5, val: 0, test: 0.5 }, seed: 3, identityGate: false, minSwappedShare: 0 });
  const plan = makePlan(m, config);
  const state = JSON.parse(readFileSync(join(out, 'run-manifest.json'), 'utf8')) as { stages: StageOutcome[] };
  const failedModel = plan.models[0]!.key;
  const outcomes = state.stages.map((s) => (s.name === `train-${failedModel}` ? { ...s, state: 'failed' as const, error: 'out of memory' } : s));
  const other = join(tmp.dir, 'assembled');
  const { cpSync } = await import('node:fs');
  cpSync(join(out, 'work'), join(other, 'work'), { recursive: true });
  const s = await assembleDataset(plan, other, outcomes);
  assert.is(s.fake, 2);
  assert.is(s.dropped.filter((d) => d.stage === 'failed').length, 2);
  assert.match(s.dropped[0]!.reason, new RegExp(`train-${failedModel} failed: out of memory`));
  // a perturbed copy that failed loses its draw's copies (the real's and its fakes'), not the videos
  const drawn = makePlan(m, { ...config, perturbShare: 0.5, partialShare: 0.5 });
  const realCopy = drawn.perturbations.find((p) => p.kind === 'real')!;
  const copyFailed = state.stages.map((st) => (st.name === `perturb-${realCopy.id}` ? { ...st, state: 'failed' as const, error: 'disk full' } : st));
  const third = join(tmp.dir, 'perturb-failed');
  cpSync(join(out, 'work'), join(third, 'work'), { recursive: true });
  const t = await assembleDataset(drawn, third, copyFailed);
  assert.is(t.real, 4);
  assert.is(t.fake, 4);
  const tm = readMetadata(third);
  for (const [name, e] of Object.entries(tm)) {
    if (e.original) assert.ok(tm[e.original], `${name}: its original ${e.original} is in the dataset`);
    if (name === `${realCopy.file}.mp4` || e.original === `${realCopy.file}.mp4`) assert.is(e.perturbed, null, `${name}: no perturbed copy`);
  }
  assert.ok(Object.values(tm).some((e) => e.perturbed), 'the other draw keeps its copies');
  assert.ok(t.dropped.some((d) => d.fake.includes(`perturbed copies of ${realCopy.file}.mp4`) && /disk full/.test(d.reason)), JSON.stringify(t.dropped));
  assert.not.match(readFileSync(join(third, 'perturbations.txt'), 'utf8'), new RegExp(realCopy.file));
  const frames = { total: 20, swapped: 20, skipped: 0 };
  const gate = BenchmarkConfig.parse({});
  assert.is(gateReason({ identity: { swapped: { toSource: { mean: 0.7 }, toTarget: { mean: 0.5, median: 0.5 }, closerToTarget: 1 } }, frames }, gate), null);
  assert.match(gateReason({ identity: { swapped: { toSource: { mean: 0.5 }, toTarget: { mean: 0.7, median: 0.7 }, closerToTarget: 0 } }, frames }, gate)!, /not closer to the target/);
  assert.match(gateReason({ identity: { swapped: { toSource: { mean: 0.7 }, toTarget: { mean: 0.5, median: 0.5 }, closerToTarget: 1 } }, frames: { total: 20, swapped: 5 } }, gate)!, /swapped 5 of 20 frames/);
});

test('the default gate drops these six-iteration blurs, the one the old gate kept by the distance rule', async () => {
  const m = readBenchmarkManifest(manifest);
  const plan = makePlan(m, BenchmarkConfig.parse({ preset: 'tiny', iterations: 6, size: 128, splits: { train: 0.5, val: 0, test: 0.5 }, seed: 3 }));
  const state = JSON.parse(readFileSync(join(out, 'run-manifest.json'), 'utf8')) as { stages: StageOutcome[] };
  const other = join(tmp.dir, 'default-gate');
  const { cpSync } = await import('node:fs');
  cpSync(join(out, 'work'), join(other, 'work'), { recursive: true });
  const s = await assembleDataset(plan, other, state.stages);
  assert.is(s.fake, 0, `every blur dropped: ${JSON.stringify(s.dropped)}`);
  assert.is(s.dropped.filter((d) => d.stage === 'quality-gate').length, 4);
  const byDistance = s.dropped.filter((d) => /median distance to it is \d\.\d{3}, not below the 0\.6 maximum \(maxTargetDistance\)/.test(d.reason));
  assert.ok(byDistance.length >= 1, `a blur closer to the target than to the source is dropped by the distance rule: ${JSON.stringify(s.dropped)}`);
  // those are the ones the old gate (closer to the target on average) let through
  for (const d of byDistance) {
    const metrics = readMetrics(join(other, 'work', 'fakes', d.fake.replace(/\.mp4$/, ''), 'metrics.json'));
    assert.ok(metrics.identity.swapped!.toTarget!.mean < metrics.identity.swapped!.toSource!.mean);
    assert.ok(metrics.identity.swapped!.toTarget!.median >= 0.6);
  }
  assert.match(readFileSync(join(other, 'README.md'), 'utf8'), /median distance to the target must be below 0\.6/);
});

test('--layout ffpp: FaceForensics++\'s folders and names, walked as detection loaders walk them; the Janus layout\'s folders go, other files stay', async () => {
  assert.is(runs.gateOff.code, 0);
  const mine = join(out, 'notes-of-mine.txt');
  writeFileSync(mine, 'a file of the user in the dataset folder\n');
  const r = janus([...ARGS(), '--no-identity-gate', '--min-swapped-share', '0', '--layout', 'ffpp']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /0 ran, \d+ up to date/, 'the layout only re-assembles');
  for (const d of ['real', 'fake', 'masks']) assert.not.ok(existsSync(join(out, d)), `${d}/ of the Janus layout removed`);
  assert.ok(existsSync(mine), "the user's file stays");
  const meta = readMetadata(out);
  const mapping = JSON.parse(readFileSync(join(out, 'ffpp-mapping.json'), 'utf8')) as { videos: Record<string, string>; fakes: Record<string, string> };
  const ff = 'manipulated_sequences/Deepfakes';
  // patch-forensics / DeepfakeBench: paths built from each split's pairs, both directions, every compression
  let pairs = 0;
  for (const s of SPLITS) {
    const list = JSON.parse(readFileSync(join(out, `${s}.json`), 'utf8')) as Array<[string, string]>;
    for (const [a, b] of list) {
      pairs++;
      assert.match(a, /^\d{3}$/);
      for (const c of ['raw', 'c23', 'c40']) {
        for (const v of [a, b]) assert.ok(existsSync(join(out, `original_sequences/youtube/${c}/videos/${v}.mp4`)), `${c} ${v}`);
        for (const f of [`${a}_${b}`, `${b}_${a}`]) assert.ok(existsSync(join(out, `${ff}/${c}/videos/${f}.mp4`)), `${c} ${f}`);
      }
      for (const f of [`${a}_${b}`, `${b}_${a}`]) {
        assert.ok(existsSync(join(out, `${ff}/masks/videos/${f}.mp4`)), `mask ${f}`);
        const e = meta[`${mapping.fakes[f]}.mp4`]!;
        assert.is(e.split, s, `${f} in ${s}`);
        assert.is(mapping.videos[f.slice(0, 3)], e.original!.replace(/\.mp4$/, ''), `${f}: TTT is the video whose face was replaced`);
        assert.is(meta[`${mapping.videos[f.slice(4)]}.mp4`]!.source, e.target, `${f}: SSS is a video of the face it shows`);
      }
      for (const v of [a, b]) assert.is(meta[`${mapping.videos[v]}.mp4`]!.split, s, `${v} in ${s}`);
    }
  }
  assert.is(pairs, 2, 'one pair per split with two identities');
  // SelfBlendedImages: the videos of a split are the originals whose first three characters its list names; fakes by their target's
  const test = (JSON.parse(readFileSync(join(out, 'test.json'), 'utf8')) as string[][]).flat();
  const originals = readdirSync(join(out, 'original_sequences/youtube/raw/videos')).filter((f) => test.includes(f.slice(0, 3)));
  const fakes = readdirSync(join(out, `${ff}/raw/videos`)).filter((f) => test.includes(f.slice(0, 3)));
  assert.equal(originals.map((f) => meta[`${mapping.videos[f.slice(0, 3)]}.mp4`]!.split), ['test', 'test']);
  assert.is(fakes.length, 2);
  // metadata.json names every file in the layout, and every file of the layout is named
  const named = new Set(Object.values(meta).flatMap((e) => [...Object.values(e.files), e.mask, e.provenance, e.perturbed?.file].filter(Boolean) as string[]));
  for (const f of named) assert.ok(existsSync(join(out, f)), f);
  const walk = (d: string): string[] => readdirSync(join(out, d), { withFileTypes: true }).flatMap((x) => (x.isDirectory() ? walk(`${d}/${x.name}`) : [`${d}/${x.name}`]));
  for (const f of [...walk('original_sequences'), ...walk('manipulated_sequences')]) assert.ok(named.has(f), `${f} is in metadata.json`);
  const lines = readFileSync(join(out, 'perturbations.txt'), 'utf8').trim().split('\n');
  for (const l of lines) assert.ok(existsSync(join(out, l.split(' ')[0]!)), l);
  const ffppCard = readFileSync(join(out, 'README.md'), 'utf8');
  assert.match(ffppCard, /Layout \(FaceForensics\+\+'s/);
  assert.match(ffppCard, /baseline\.json` here was computed on an earlier assembly/, "the Janus layout's baseline.json is not this dataset's");
  // FaceForensics++'s other folders beside Janus's (another method, another source) survive a re-assembly
  const others = [join(out, 'manipulated_sequences/Face2Face/c23/videos/000_001.mp4'), join(out, 'original_sequences/actors/raw/videos/01__talking.mp4')];
  for (const f of others) {
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, 'not Janus');
  }
  const again = janus([...ARGS(), '--no-identity-gate', '--min-swapped-share', '0', '--layout', 'ffpp']);
  assert.is(again.code, 0, again.stdout + again.stderr);
  for (const f of others) assert.is(readFileSync(f, 'utf8'), 'not Janus', f);
  assert.ok(existsSync(join(out, 'manipulated_sequences/Deepfakes/c23/videos')));
});

test.run();
