/**
 * `janus extract` end to end on short clips cut from the samples: the alignments file
 * validates and tells the truth, faces and masks are written, a video without faces warns
 * instead of crashing, and a reference photo picks the person to keep. (A SIGKILLed extraction
 * resuming to the same bytes: the fault suite's kills, `make faults`.)
 *
 * Two extractions of the 12-frame clip are made once, in a hook, and read by several tests: the
 * default one (ssd: b and, in every frame, a second person at the edge) and one with a reference
 * photo (tiny detector, 96 px). The
 * reference photo's own rule (its person kept in every frame, the other dropped; a stranger
 * keeps nobody) is checked on the default run's detections with the finishing step the stage runs.
 *
 * @tier e2e (extracts videos through the CLI)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readAlignments, summarise, type AlignmentsDoc } from '../../src/face/alignments-file.ts';
import { readFrameDetections } from '../../src/face/detections-file.ts';
import { detectionList, finishExtraction, referenceDescriptor } from '../../src/face/extract.ts';
import { faceApiDemoDir } from '../../src/face/package-files.ts';
import { probeVideo } from '../../src/media/probe.ts';
import { faceApi } from '../helpers/faces.ts';
import { SAMPLE_B, ffmpegSync, janus, requireSamples, tempDir, type CliResult } from '../helpers/fixtures.ts';

const test = suite('face/extract-cli');
const tmp = tempDir('extract');
/** The clip's frames: b, and a second person at the edge of every one (ssd finds her, tiny does not). */
const FRAMES = 12;
const clip = join(tmp.dir, 'b-12.mp4');
const noFaces = join(tmp.dir, 'no-faces.mp4');
const bPerson = join(tmp.dir, 'b-person.jpg');
const stranger = join(tmp.dir, 'stranger.jpg');
/** The default extraction, and the one with b's photo as the reference. */
const defaultOut = join(tmp.dir, 'b');
const refOut = join(tmp.dir, 'ref');
const refArgs = (out: string) => ['extract', clip, '--out', out, '--detector', 'tiny', '--size', '96', '--identity', bPerson];
let defaultRun: CliResult;
let refRun: CliResult;

test.before(async () => {
  requireSamples();
  ffmpegSync(['-i', SAMPLE_B, '-t', String(FRAMES / 25), '-c:v', 'libx264', '-c:a', 'copy', clip]);
  // a real photo's empty corner (wall and window of sample2.jpg), held for 5 frames
  ffmpegSync(['-loop', '1', '-i', join(faceApiDemoDir(), 'sample2.jpg'), '-vf', 'crop=480:360:0:0,format=yuv420p', '-t', '0.2', '-r', '25', '-c:v', 'libx264', noFaces]);
  // b's clip is made from sample6.jpg; her head and shoulders there, from the original photo, are the reference
  await sharp(join(faceApiDemoDir(), 'sample6.jpg')).extract({ left: 1040, top: 150, width: 480, height: 560 }).resize({ width: 320 }).jpeg().toFile(bPerson);
  await sharp(join(faceApiDemoDir(), 'sample1.jpg')).extract({ left: 360, top: 300, width: 300, height: 360 }).jpeg().toFile(stranger);
  defaultRun = janus(['extract', clip, '--out', defaultOut]);
  refRun = janus(refArgs(refOut));
});
test.after(() => tmp.cleanup());

test(`extract a ${FRAMES}-frame clip of b: every frame keeps the target, the other person is dropped with a reason`, async () => {
  const r = defaultRun;
  assert.is(r.code, 0, r.stdout + r.stderr);
  const doc = readAlignments(join(defaultOut, 'alignments.json')); // validates against the schema
  const s = summarise(doc);
  assert.is(s.frames, FRAMES);
  assert.is(s.framesWithoutFace, 0);
  assert.is(s.kept, FRAMES, JSON.stringify(s));
  assert.ok(s.multiFaceFrames > 0);
  assert.ok((s.dropped['not the target identity'] ?? 0) > 0);
  assert.equal([doc.target.source, doc.target.cluster], ['cluster', 1]);
  assert.match(r.stdout, /target\s+identity cluster 1 of \d+/);
  assert.ok(s.jitterAfter! < s.jitterBefore!, `jitter ${s.jitterBefore} -> ${s.jitterAfter}`);
  const face = doc.frames[10]!.faces.find((f) => f.kept)!;
  assert.is(face.matrix!.length, 6);
  assert.is(face.landmarks.length, 68);
  const meta = await sharp(join(defaultOut, face.face!)).metadata();
  assert.equal([meta.width, meta.height, meta.channels], [256, 256, 3]);
  const mask = await sharp(join(defaultOut, face.mask!)).metadata();
  assert.equal([mask.width, mask.height, mask.channels], [256, 256, 1]);
  assert.is(readdirSync(join(defaultOut, 'faces')).length, FRAMES);
  assert.match(r.stdout, /multi-face frames\s+\d+/);
  const a = janus(['alignments', join(defaultOut, 'alignments.json')]);
  assert.is(a.code, 0);
  assert.match(a.stdout, new RegExp(`frames\\s+${FRAMES}\\n`));
  assert.match(a.stdout, /dropped\s+\d+ not the target identity/);
  const again = janus(['extract', clip, '--out', defaultOut]);
  assert.match(again.stdout, /0 ran, 1 up to date/);
});

test('a video with no faces gives zero faces and a warning, not a crash', () => {
  const out = join(tmp.dir, 'none');
  const r = janus(['extract', noFaces, '--out', out, '--detector', 'tiny']);
  assert.is(r.code, 0, r.stderr);
  const doc = readAlignments(join(out, 'alignments.json'));
  assert.is(summarise(doc).faces, 0);
  assert.is(doc.frames.length, 5);
  assert.match(doc.warnings.join('\n'), /no faces found in ".*no-faces\.mp4" \(5 frames searched\)/);
  const a = janus(['alignments', join(out, 'alignments.json')]);
  assert.match(a.stdout, /frames with no face 5/);
  assert.match(a.stdout, /warning: no faces found/);
});

/** The default run's finishing step again, with a reference photo: what the stage's `run` does with `--identity FILE`. */
async function withReference(photo: string, name: string): Promise<AlignmentsDoc> {
  const settings = readAlignments(join(defaultOut, 'alignments.json')).settings;
  const detections = readdirSync(join(defaultOut, 'detections')).filter((f) => f.endsWith('.json')).sort().map((f) => readFrameDetections(join(defaultOut, 'detections', f)));
  assert.is(detections.length, FRAMES);
  const fa = await faceApi();
  const dir = join(tmp.dir, name);
  const alignmentsFile = join(dir, 'alignments.json');
  const reference = { file: photo, descriptor: await referenceDescriptor(fa, photo, settings) };
  await finishExtraction({ video: clip, info: await probeVideo(clip), detections: detectionList(detections), cfg: settings, alignmentsFile, facesDir: join(dir, 'faces'), masksDir: join(dir, 'masks'), reference, fa });
  return readAlignments(alignmentsFile);
}

test('--identity keeps the person in the reference photo; a stranger\'s photo keeps nobody and says so', async () => {
  // through the CLI: the photo reaches the stage and picks the target
  assert.is(refRun.code, 0, refRun.stdout + refRun.stderr);
  const cli = readAlignments(join(refOut, 'alignments.json'));
  assert.is(cli.target.source, 'reference');
  assert.match(cli.target.reference!, /b-person\.jpg$/);
  assert.is(summarise(cli).kept, FRAMES);
  assert.equal(cli.warnings, []);
  // on the default run's faces (ssd: the other person is there too)
  const doc = await withReference(bPerson, 'ref-b');
  assert.is(doc.target.source, 'reference');
  const s = summarise(doc);
  assert.is(s.kept, FRAMES);
  assert.ok((s.dropped['not the target identity'] ?? 0) > 0, JSON.stringify(s));
  const doc2 = await withReference(stranger, 'ref-stranger');
  assert.is(summarise(doc2).kept, 0);
  assert.match(doc2.warnings.join(), /the reference identity ".*stranger\.jpg" was not found/);
});

test('the finishing step starts its decoding first; failing before it aligns a face, it leaves no ffmpeg reading the video and no alignments file', async () => {
  const settings = readAlignments(join(defaultOut, 'alignments.json')).settings;
  const detections = readdirSync(join(defaultOut, 'detections')).filter((f) => f.endsWith('.json')).sort().map((f) => readFrameDetections(join(defaultOut, 'detections', f)));
  const dir = join(tmp.dir, 'fails-early');
  const own = join(tmp.dir, 'fails-early.mp4');
  copyFileSync(clip, own); // a name no other test's ffmpeg reads
  const failing = { count: detections.length, read: (t: number) => (t === 5 ? (() => { throw new Error('detections of frame 5 unreadable'); })() : detections[t]!) };
  try {
    await finishExtraction({ video: own, info: await probeVideo(own), detections: failing, cfg: settings, alignmentsFile: join(dir, 'alignments.json'), facesDir: join(dir, 'faces'), masksDir: join(dir, 'masks'), fa: await faceApi() });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /detections of frame 5 unreadable/);
  }
  assert.is(existsSync(join(dir, 'alignments.json')), false);
  await sleep(1500); // a decoder left running has spawned its ffmpeg by now
  let readers = '';
  try {
    readers = execFileSync('pgrep', ['-af', own], { encoding: 'utf8' });
  } catch {
    // pgrep exits 1 when nothing matches
  }
  // ffmpeg itself (its watchdog's watcher, a shell, ends within a second of it)
  const ffmpegs = readers.split('\n').filter((l) => /(^|\/)ffmpeg$/.test(l.split(' ')[1] ?? ''));
  assert.equal(ffmpegs, [], 'no ffmpeg left reading the video');
});

test('a reference photo with no face is refused before any frame is searched (exit 2, no detections written)', async () => {
  const wall = join(tmp.dir, 'wall.png');
  await sharp({ create: { width: 200, height: 200, channels: 3, background: '#6a7b8c' } }).png().toFile(wall);
  const out = join(tmp.dir, 'wall-out');
  const r = janus(['extract', clip, '--out', out, '--identity', wall]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /no face found in the identity reference ".*wall\.png"/);
  assert.not.match(r.stderr, /extract: \d+\/\d+ items/, 'frames were searched first');
  const det = join(out, 'detections');
  assert.ok(!existsSync(det) || readdirSync(det).length === 0, 'detections were written');
});

test('a bad alignments file and a bad option are clear errors', () => {
  const r = janus(['alignments', clip]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /cannot read alignments file/);
  const bad = join(tmp.dir, 'bad-alignments.json');
  writeFileSync(bad, JSON.stringify({ schema: 'janus.alignments/1', frames: 'none' }));
  const v = janus(['alignments', bad]);
  assert.is(v.code, 2);
  assert.match(v.stderr, /is not a valid janus\.alignments\/1 file/);
  const s = janus(['extract', clip, '--out', join(tmp.dir, 'x'), '--size', '9000']);
  assert.is(s.code, 2);
  assert.match(s.stderr, /size/);
  assert.not.ok(existsSync(join(tmp.dir, 'x', 'alignments.json')));
});

test.run();
