/**
 * `janus extract` end to end on short clips cut from the samples: the alignments file
 * validates and tells the truth, faces and masks are written, a video without faces warns
 * instead of crashing, and a SIGKILLed extraction resumes to the same bytes.
 *
 * @tier e2e (extracts videos through the CLI)
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readAlignments, summarise } from '../../src/face/alignments-file.ts';
import { faceApiDemoDir } from '../../src/face/package-files.ts';
import { ROOT, SAMPLE_B, ffmpegSync, janus, requireSamples, tempDir } from '../helpers/fixtures.ts';

const test = suite('face/extract-cli');
const tmp = tempDir('extract');
const clip = join(tmp.dir, 'b-1s.mp4');
const noFaces = join(tmp.dir, 'no-faces.mp4');

test.before(() => {
  requireSamples();
  ffmpegSync(['-i', SAMPLE_B, '-t', '1', '-c:v', 'libx264', '-c:a', 'copy', clip]);
  // a real photo's empty corner (wall and window of sample2.jpg), held for 10 frames
  ffmpegSync(['-loop', '1', '-i', join(faceApiDemoDir(), 'sample2.jpg'), '-vf', 'crop=480:360:0:0,format=yuv420p', '-t', '0.4', '-r', '25', '-c:v', 'libx264', noFaces]);
});
test.after(() => tmp.cleanup());

test('extract a 1 s clip of b: every frame keeps the target, the other person is dropped with a reason', async () => {
  const out = join(tmp.dir, 'b');
  const r = janus(['extract', clip, '--out', out]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const doc = readAlignments(join(out, 'alignments.json')); // validates against the schema
  const s = summarise(doc);
  assert.is(s.frames, 25);
  assert.is(s.framesWithoutFace, 0);
  assert.is(s.kept, 25, JSON.stringify(s));
  assert.ok(s.multiFaceFrames > 0);
  assert.ok((s.dropped['not the target identity'] ?? 0) > 0);
  assert.equal([doc.target.source, doc.target.cluster], ['cluster', 1]);
  assert.match(r.stdout, /target\s+identity cluster 1 of \d+/);
  assert.ok(s.jitterAfter! < s.jitterBefore!, `jitter ${s.jitterBefore} -> ${s.jitterAfter}`);
  const face = doc.frames[10]!.faces.find((f) => f.kept)!;
  assert.is(face.matrix!.length, 6);
  assert.is(face.landmarks.length, 68);
  const meta = await sharp(join(out, face.face!)).metadata();
  assert.equal([meta.width, meta.height, meta.channels], [256, 256, 3]);
  const mask = await sharp(join(out, face.mask!)).metadata();
  assert.equal([mask.width, mask.height, mask.channels], [256, 256, 1]);
  assert.is(readdirSync(join(out, 'faces')).length, 25);
  assert.match(r.stdout, /multi-face frames\s+\d+/);
  const a = janus(['alignments', join(out, 'alignments.json')]);
  assert.is(a.code, 0);
  assert.match(a.stdout, /frames\s+25\n/);
  assert.match(a.stdout, /dropped\s+\d+ not the target identity/);
  const again = janus(['extract', clip, '--out', out]);
  assert.match(again.stdout, /0 ran, 1 up to date/);
});

test('a video with no faces gives zero faces and a warning, not a crash', () => {
  const out = join(tmp.dir, 'none');
  const r = janus(['extract', noFaces, '--out', out, '--detector', 'tiny']);
  assert.is(r.code, 0, r.stderr);
  const doc = readAlignments(join(out, 'alignments.json'));
  assert.is(summarise(doc).faces, 0);
  assert.is(doc.frames.length, 10);
  assert.match(doc.warnings.join('\n'), /no faces found in ".*no-faces\.mp4" \(10 frames searched\)/);
  const a = janus(['alignments', join(out, 'alignments.json')]);
  assert.match(a.stdout, /frames with no face 10/);
  assert.match(a.stdout, /warning: no faces found/);
});

test('--identity keeps the person in the reference photo; a stranger\'s photo keeps nobody and says so', async () => {
  // b's clip is made from sample6.jpg; her face there, from the original photo, is the reference
  const ref = join(tmp.dir, 'b-person.jpg');
  await sharp(join(faceApiDemoDir(), 'sample6.jpg')).extract({ left: 1120, top: 230, width: 320, height: 420 }).resize({ width: 240 }).jpeg().toFile(ref);
  const out = join(tmp.dir, 'ref-b');
  const r = janus(['extract', clip, '--out', out, '--identity', ref]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const doc = readAlignments(join(out, 'alignments.json'));
  assert.is(doc.target.source, 'reference');
  assert.match(doc.target.reference!, /b-person\.jpg$/);
  assert.is(summarise(doc).kept, 25);
  const stranger = join(tmp.dir, 'stranger.jpg');
  await sharp(join(faceApiDemoDir(), 'sample1.jpg')).extract({ left: 360, top: 300, width: 300, height: 360 }).jpeg().toFile(stranger);
  const out2 = join(tmp.dir, 'ref-stranger');
  const r2 = janus(['extract', clip, '--out', out2, '--identity', stranger, '--detector', 'tiny']);
  assert.is(r2.code, 0, r2.stderr);
  const doc2 = readAlignments(join(out2, 'alignments.json'));
  assert.is(summarise(doc2).kept, 0);
  assert.match(doc2.warnings.join(), /the reference identity ".*stranger\.jpg" was not found/);
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

test('a SIGKILLed extraction resumes at the next frame and ends byte-identical', async () => {
  const args = (out: string) => ['extract', clip, '--out', out, '--detector', 'tiny', '--size', '96'];
  const ref = join(tmp.dir, 'ref');
  assert.is(janus(args(ref)).code, 0);
  const out = join(tmp.dir, 'killed');
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/bin.js'), ...args(out)], { cwd: ROOT, stdio: 'ignore' });
  const exited = new Promise((res) => child.on('exit', res));
  const dets = join(out, 'detections');
  const t0 = Date.now();
  while (!(existsSync(dets) && readdirSync(dets).filter((f) => f.endsWith('.json')).length >= 8)) {
    if (Date.now() - t0 > 120_000) throw new Error('extraction never got going');
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  await exited;
  assert.not.ok(existsSync(join(out, 'alignments.json')));
  const r = janus(args(out));
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /resuming at item (\d+)\/25/);
  for (const f of ['alignments.json', 'faces/000012_0.png', 'masks/000012_0.png']) {
    assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(ref, f))), `${f} identical`);
  }
  assert.is(readdirSync(join(out, 'faces')).length, readdirSync(join(ref, 'faces')).length);
});

test.run();
