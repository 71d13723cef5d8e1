/**
 * Reproducibility of a real run: the swap pipeline on two 1-s clips, trained on a `minutes`
 * budget (checkpoints and quality probes by the clock too), then
 * - `janus verify` recomputes every stage and finds every output identical, training pinned to
 *   the iteration count (and checkpoint and probe iterations) the budget reached;
 * - one byte changed in a face PNG and one frame changed in output.mp4 are found: the file, the
 *   byte, the frame and the PSNR;
 * - a changed thread count (JANUS_WASM_THREADS) is named;
 * - `janus reproduce` writes a kit whose reproduce.sh, run for a fresh folder, makes the run again
 *   and finds every output identical to the original's (`janus verify --expect`).
 *
 * @tier e2e (a pipeline run, verifications and a reproduction through the CLI)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readRunManifest } from '../../src/dag/manifest.ts';
import { makeSampleClip } from '../../src/samples/make-sample.ts';
import { ReproductionKit } from '../../src/verify/kit.ts';
import { ffmpegSync, janus, tempDir } from '../helpers/fixtures.ts';

const test = suite('verify/verify');
const tmp = tempDir('verify');
const run = join(tmp.dir, 'run');
const THREADS = { JANUS_WASM_THREADS: '2' };

test.before(async () => {
  for (const n of ['a', 'b'] as const) await makeSampleClip(n, join(tmp.dir, `${n}.mp4`), { seconds: 1, size: 256 });
  // a time budget, with checkpoints and probes on the clock: what a rerun cannot repeat unpinned
  const sets = [`a=${join(tmp.dir, 'a.mp4')}`, `b=${join(tmp.dir, 'b.mp4')}`, 'preset=tiny', 'iterations=100000', 'minutes=0.1', 'batchSize=8', 'detector=tiny', 'size=128', 'segmentFrames=8', 'train.saveEvery=1000', 'train.saveMinutes=0.02', 'train.qualityMinutes=0.03'];
  const r = janus(['run', 'pipelines/swap.yaml', '--workdir', run, ...sets.flatMap((s) => ['--set', s])], THREADS);
  assert.is(r.code, 0, r.stdout + r.stderr);
});
test.after(() => tmp.cleanup());

test('the run records what each stage did: the iteration the minutes budget reached, the clock\'s checkpoints and probes', () => {
  const train = readRunManifest(run).stages.find((s) => s.name === 'train')!;
  assert.is(train.did?.stoppedBy, 'time');
  const it = train.did!.iteration as number;
  assert.ok(it > 0 && it < 100000, `iteration ${it}`);
  assert.ok((train.did!.saves as number[]).includes(it), 'the last checkpoint is recorded');
  assert.ok((train.did!.saves as number[]).length >= 2, `checkpoints by the clock: ${JSON.stringify(train.did!.saves)}`);
  const extract = readRunManifest(run).stages.find((s) => s.name === 'extract-a')!;
  assert.is(extract.did?.detector, 'tiny');
  assert.match(String((extract.did!.models as Record<string, string>).tiny_face_detector_model), /^[0-9a-f]{16}$/);
  assert.is((extract.did!.engine as { backend: string }).backend, 'wasm');
});

test('janus verify: every stage recomputed identical, training pinned to the iterations it reached', () => {
  const it = readRunManifest(run).stages.find((s) => s.name === 'train')!.did!.iteration as number;
  const r = janus(['verify', run], THREADS);
  assert.is(r.code, 0, r.stdout + r.stderr);
  for (const stage of ['extract-a', 'extract-b', 'train', 'swap', 'composite', 'metrics', 'report']) assert.match(r.stdout, new RegExp(`^${stage} +\\S+ +identical`, 'm'));
  assert.match(r.stdout, new RegExp(`train: pinned to what the run did: iterations=${it} minutes=default`));
  assert.match(r.stdout, /all identical: 7 stages, 18 outputs/);
  assert.not.ok(existsSync(join(run, '.janus', 'verify')), 'the scratch folder is removed');
});

test('a changed thread count is named', () => {
  const r = janus(['verify', run, '--stage', 'swap', '--json'], { JANUS_WASM_THREADS: '1' });
  const report = JSON.parse(r.stdout) as { environment: Array<{ what: string; recorded: string; now: string }>; stages: Array<{ differences: Array<{ what: string; recorded: string; now: string }> }> };
  assert.equal(report.environment.find((d) => d.what === 'JANUS_WASM_THREADS'), { what: 'JANUS_WASM_THREADS', recorded: '2', now: '1' });
  const threads = report.stages[0]!.differences.find((d) => d.what === 'engine threads');
  assert.ok(threads && threads.now === '1', JSON.stringify(report.stages[0]!.differences));
});

test('a tampered face PNG and a tampered video frame are found: file, byte, frame, PSNR', () => {
  const faces = join(run, 'a', 'faces');
  const face = readdirSync(faces).filter((f) => f.endsWith('.png')).sort()[3]!;
  const original = join(tmp.dir, 'face.orig.png');
  copyFileSync(join(faces, face), original);
  const video = join(run, 'output.mp4');
  const videoOrig = join(tmp.dir, 'output.orig.mp4');
  copyFileSync(video, videoOrig);
  try {
    // one pixel of the face: decode, change, encode again (a valid PNG whose pixels differ)
    ffmpegSync(['-i', original, '-vf', "geq=r='if(eq(X,5)*eq(Y,5),255-r(X,Y),r(X,Y))':g='g(X,Y)':b='b(X,Y)'", join(faces, face)]);
    // frame 7 darkened, every other frame decoded the same (lossless re-encode of the decoded pictures)
    ffmpegSync(['-i', videoOrig, '-vf', "drawbox=enable='eq(n,7)':x=0:y=0:w=40:h=40:color=black:t=fill", '-c:v', 'libx264', '-qp', '0', '-c:a', 'copy', join(tmp.dir, 'tampered.mp4')]);
    copyFileSync(join(tmp.dir, 'tampered.mp4'), video);
    const r = janus(['verify', run, '--stage', 'extract-a', '--stage', 'composite'], THREADS);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`faces +DIFFERS: ${face}: byte \\d+ differs \\(PSNR \\d+\\.\\d dB\\)`));
    assert.match(r.stdout, /video +DIFFERS: the file: frame 7 differs \(PSNR \d+\.\d dB; 1 of 25 frames differ; first byte \d+\) \(changed since the run recorded it\)/);
    assert.match(r.stdout, /^extract-a +detections +identical/m);
    assert.match(r.stdout, /likely why: the run's files changed after it recorded them/);
  } finally {
    copyFileSync(original, join(faces, face));
    copyFileSync(videoOrig, video);
  }
});

test('janus reproduce: the kit reruns the pipeline in a fresh folder and every output is identical to the original\'s', () => {
  const kit = join(tmp.dir, 'kit');
  const made = janus(['reproduce', run, '--out', kit]);
  assert.is(made.code, 0, made.stdout + made.stderr);
  const k = ReproductionKit.parse(JSON.parse(readFileSync(join(kit, 'kit.json'), 'utf8')));
  const it = readRunManifest(run).stages.find((s) => s.name === 'train')!.did!.iteration as number;
  assert.ok(k.pinnedSets.includes(`train.iterations=${it}`), k.pinnedSets.join(' '));
  assert.ok(k.pinnedSets.includes('train.minutes=null'));
  assert.equal(k.inputs.map((i) => i.path).sort(), [join(tmp.dir, 'a.mp4'), join(tmp.dir, 'b.mp4')]);
  assert.ok(readFileSync(join(kit, 'inputs.sha256'), 'utf8').includes(join(tmp.dir, 'a.mp4')));
  const fresh = join(tmp.dir, 'elsewhere', 'again');
  const r = spawnSync('bash', [join(kit, 'reproduce.sh'), fresh], { encoding: 'utf8', env: { ...process.env, ...THREADS }, timeout: 600_000 });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`pinned train: iterations=${it}`));
  assert.match(r.stdout, /all identical: 7 stages, 18 outputs/);
  // an input that is not the run's is refused before anything runs
  writeFileSync(join(tmp.dir, 'b.mp4'), 'not the video');
  const bad = spawnSync('bash', [join(kit, 'reproduce.sh'), join(tmp.dir, 'third')], { encoding: 'utf8' });
  assert.is(bad.status, 2, bad.stdout + bad.stderr);
  assert.match(bad.stderr, /an input above is missing or not the run's/);
  assert.not.ok(existsSync(join(tmp.dir, 'third', '.janus')), 'nothing ran');
});

test.run();
