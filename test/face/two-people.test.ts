/**
 * Two people who alternate and share the frame (sample a and b, `makeTwoPeopleClip`): the
 * extraction keeps one of them, never both. Every kept face is checked with face-api against
 * both people's photos: closer to the chosen one, for the default (the largest cluster) and for
 * `cluster:2`. Then the same through the CLI: `--identity cluster:N`, its range error, and
 * `janus alignments --clusters` with its contact sheets.
 *
 * @tier e2e (extracts videos)
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExtractConfig } from '../../src/config/extract.ts';
import { SAMPLE_IDENTITIES } from '../../src/config/samples.ts';
import { readAlignments, type AlignmentsDoc } from '../../src/face/alignments-file.ts';
import { writeContactSheets } from '../../src/face/contact-sheet.ts';
import { detectionList, finishExtraction, referenceDescriptor, type FrameDetections } from '../../src/face/extract.ts';
import { FaceFollower } from '../../src/face/face-follower.ts';
import { descriptorDistance } from '../../src/face/face-api.ts';
import { fileDescriptors } from '../../src/face/file-descriptors.ts';
import { faceApiDemoDir } from '../../src/face/package-files.ts';
import { decodeFrames } from '../../src/media/decode.ts';
import { probeVideo, type VideoInfo } from '../../src/media/probe.ts';
import { UserError } from '../../src/util/errors.ts';
import { faceApi } from '../helpers/faces.ts';
import { ffmpegSync, janus, tempDir } from '../helpers/fixtures.ts';
import { makeTwoPeopleClip } from '../helpers/two-people.ts';

const test = suite('face/two-people');
const tmp = tempDir('two-people');
const clip = join(tmp.dir, 'ab.mp4');
const cfg = ExtractConfig.parse({ size: 128 });
let info: VideoInfo;
let detections: FrameDetections[];
let framesOf: { a: Set<number>; b: Set<number> };
const refs: Record<'a' | 'b', number[]> = { a: [], b: [] };

/** A photo of one sample person: their face cut from face-api's photo (not from the clip). */
async function referencePhoto(name: 'a' | 'b'): Promise<string> {
  const id = SAMPLE_IDENTITIES[name];
  const eye = Math.hypot(id.rightEye[0] - id.leftEye[0], id.rightEye[1] - id.leftEye[1]);
  const cx = Math.round((id.leftEye[0] + id.rightEye[0]) / 2);
  const cy = Math.round((id.leftEye[1] + id.mouth[1]) / 2);
  const half = Math.round(1.8 * eye);
  const file = join(tmp.dir, `ref-${name}.jpg`);
  await sharp(join(faceApiDemoDir(), id.photo)).extract({ left: cx - half, top: cy - half, width: 2 * half, height: 2 * half }).jpeg().toFile(file);
  return file;
}

test.before(async () => {
  ({ framesOf } = await makeTwoPeopleClip('a', 'b', clip));
  info = await probeVideo(clip);
  const fa = await faceApi();
  for (const n of ['a', 'b'] as const) refs[n] = await referenceDescriptor(fa, await referencePhoto(n), cfg);
  assert.ok(descriptorDistance(refs.a, refs.b) > 0.6, 'two different people');
  // pass 1 once, as the extract stage does it (detection frames, faces followed between)
  detections = [];
  const follower = new FaceFollower(fa, cfg);
  for await (const frame of decodeFrames(clip, { info })) detections.push(await follower.next(frame));
});
test.after(() => tmp.cleanup());

async function extract(name: string, settings: Partial<ExtractConfig>): Promise<{ doc: AlignmentsDoc; dir: string }> {
  const dir = join(tmp.dir, name);
  const alignmentsFile = join(dir, 'alignments.json');
  // with face-api, as the stage runs it: faces followed past a track's last detection are checked with a descriptor of their own
  await finishExtraction({ video: clip, info, detections: detectionList(detections), cfg: { ...cfg, ...settings }, alignmentsFile, facesDir: join(dir, 'faces'), masksDir: join(dir, 'masks'), fa: await faceApi() });
  return { doc: readAlignments(alignmentsFile), dir };
}

/** Descriptors of aligned faces, each distinct PNG (by content) described once per process: runs that keep the same faces share them. */
const described = new Map<string, number[]>();
async function describedOnce(files: string[]): Promise<number[][]> {
  const hashes = files.map((f) => createHash('sha256').update(readFileSync(f)).digest('hex'));
  const todo = files.filter((_, i) => !described.has(hashes[i]!));
  const ds = await fileDescriptors(await faceApi(), todo, cfg);
  todo.forEach((f, i) => described.set(hashes[files.indexOf(f)]!, ds[i]!));
  return hashes.map((h) => described.get(h)!);
}

/** Every kept face, described from its aligned PNG, is closer to `who` than to the other person. */
async function assertKeptAre(who: 'a' | 'b', doc: AlignmentsDoc, dir: string): Promise<number> {
  const other = who === 'a' ? 'b' : 'a';
  const kept = doc.frames.flatMap((f) => f.faces.filter((x) => x.kept).map((x) => ({ frame: f.index, file: join(dir, x.face!) })));
  const ds = await describedOnce(kept.map((k) => k.file));
  kept.forEach((k, i) => {
    const dWho = descriptorDistance(ds[i]!, refs[who]);
    const dOther = descriptorDistance(ds[i]!, refs[other]);
    assert.ok(dWho < dOther, `frame ${k.frame}: kept face is ${dWho.toFixed(2)} from ${who}, ${dOther.toFixed(2)} from ${other}`);
    assert.ok(framesOf[who].has(k.frame), `frame ${k.frame} does not show ${who}`);
  });
  assert.is(readdirSync(join(dir, 'faces')).length, kept.length);
  return kept.length;
}

test('default: the largest cluster is a (42 frames against 28), and every kept face is a', async () => {
  const { doc, dir } = await extract('default', {});
  assert.is(doc.target.source, 'cluster');
  assert.is(doc.target.cluster, 1);
  assert.is(doc.target.clusters, 2, JSON.stringify(doc.clustering));
  const n = await assertKeptAre('a', doc, dir);
  assert.ok(n >= 30, `${n} of a's 42 frames kept`);
  // both people were seen in the shared frames: one kept, the other dropped as not the target
  // (or, followed after its track's last detection up to a cut, as uncertain: only kept faces are checked)
  const shared = doc.frames.filter((f) => framesOf.a.has(f.index) && framesOf.b.has(f.index) && f.faces.some((x) => x.kept));
  assert.ok(shared.length >= 10, `${shared.length} shared frames with a kept face`);
  for (const f of shared) assert.ok(f.faces.some((x) => !x.kept && (x.reason === 'not the target identity' || x.reason === 'identity uncertain')), `frame ${f.index}: ${JSON.stringify(f.faces.map((x) => x.reason))}`);
  assert.ok(shared.filter((f) => f.faces.some((x) => x.reason === 'not the target identity')).length >= 8, 'most shared frames name the other person as not the target');
  // the threshold is adaptive, recorded and in its range
  const c = doc.clustering!;
  assert.is(c.source, 'otsu');
  assert.ok(c.threshold >= c.range[0] && c.threshold <= c.range[1], `threshold ${c.threshold}`);
  assert.equal(c.range, cfg.clusterThresholdRange);
  assert.ok(c.tracks >= 4 && c.within > 0 && c.between > 0, JSON.stringify(c));
  assert.equal(c.clusters.map((x) => x.rank), [1, 2]);
  assert.ok(c.clusters[0]!.faces > c.clusters[1]!.faces);
  // a kept face's record names its track and cluster
  const k = doc.frames.flatMap((f) => f.faces).find((x) => x.kept)!;
  assert.is(k.cluster, 1);
  assert.type(k.track, 'number');
});

test('cluster:2 keeps b, and every kept face is b', async () => {
  const { doc, dir } = await extract('second', { cluster: 2 });
  assert.equal([doc.target.source, doc.target.cluster, doc.settings.cluster], ['cluster', 2, 2]);
  const n = await assertKeptAre('b', doc, dir);
  assert.ok(n >= 18, `${n} of b's 28 frames kept`);
});

test('cannot-link on real faces: even a threshold that would merge anyone leaves a and b apart, because they share frames', async () => {
  const { doc, dir } = await extract('loose', { clusterThreshold: 1.9 });
  assert.equal([doc.clustering!.source, doc.clustering!.threshold], ['fixed', 1.9]);
  assert.is(doc.clustering!.clusters.length, 2);
  const n = await assertKeptAre('a', doc, dir);
  assert.ok(n >= 30, `${n} of a's 42 frames kept`);
});

test('cluster:N beyond the clusters is a user error naming how many there are', async () => {
  try {
    await extract('third', { cluster: 3 });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /has 2 identity clusters, got cluster:3/);
  }
});

test('contact sheets: one PNG per cluster, a grid of its faces', async () => {
  const { doc, dir } = await extract('sheets', {});
  const sheets = await writeContactSheets(doc, join(dir, 'clusters'));
  assert.equal(sheets.map((s) => [s.rank, s.faces]), [[1, 16], [2, 16]]);
  for (const s of sheets) {
    const m = await sharp(s.file).metadata();
    assert.equal([m.width, m.height, m.channels], [4 * 96 + 5 * 2, 4 * 96 + 5 * 2, 3]);
  }
  assert.not.ok(readdirSync(join(dir, 'clusters')).some((f) => f.startsWith('.janus-tmp-')), 'no temp files left');
});

test('CLI: --identity cluster:2, a bad N (exit 2), and janus alignments --clusters', async () => {
  // frames 8-19: a alone, then a and b together (a in more frames: the larger cluster)
  const FIRST = 8;
  const short = join(tmp.dir, 'ab-8-19.mp4');
  ffmpegSync(['-i', clip, '-vf', `select=between(n\\,${FIRST}\\,19),setpts=N/25/TB`, '-frames:v', String(20 - FIRST), '-c:v', 'libx264', short]);
  const out = join(tmp.dir, 'cli');
  const r = janus(['extract', short, '--out', out, '--identity', 'cluster:2', '--size', '64']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /target\s+identity cluster 2 of 2/);
  assert.match(r.stdout, /identity clusters: 2 from \d+ face tracks, merge threshold 0\.\d+ \(adaptive: Otsu/);
  const doc = readAlignments(join(out, 'alignments.json'));
  assert.is(doc.frames.length, 20 - FIRST);
  assert.ok(doc.frames.every((f) => f.faces.every((x) => !x.kept || framesOf.b.has(FIRST + f.index))), 'only frames showing b kept');
  const keptFrames = doc.frames.filter((f) => f.faces.some((x) => x.kept)).length;
  assert.ok(keptFrames >= 5, `${keptFrames} frames of b kept in frames ${FIRST}-19 (b is in 10)`);
  const a = janus(['alignments', join(out, 'alignments.json'), '--clusters']);
  assert.is(a.code, 0, a.stderr);
  assert.match(a.stdout, /cluster 1: \d+ faces, \d+ tracks?, \d+ frames -> .*cluster-1\.png/);
  assert.match(a.stdout, /merge threshold 0\.\d+/);
  assert.match(a.stdout, /cluster 2 \(target\): \d+ faces/);
  for (const n of [1, 2]) assert.ok(existsSync(join(out, 'clusters', `cluster-${n}.png`)));
  // cluster:N beyond the clusters: the in-process test above (a CLI run would detect every frame again to say it)
  const bad = janus(['extract', short, '--out', join(tmp.dir, 'cli-bad'), '--identity', 'cluster:0']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /expected --identity cluster:N with N a whole number from 1/);
});

test.run();
