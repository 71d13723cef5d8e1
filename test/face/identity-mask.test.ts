/**
 * The identity filter on real group photos, clustering on a real clip, masks, sharpness and
 * temporal smoothing.
 *
 * @tier e2e (face-api on video frames)
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExtractConfig } from '../../src/config/extract.ts';
import { alignFace } from '../../src/face/align.ts';
import { detectFaces } from '../../src/face/face-api.ts';
import { referenceDescriptor } from '../../src/face/extract.ts';
import { clusterTracks, pickTarget } from '../../src/face/identity.ts';
import { buildTracks } from '../../src/face/tracks.ts';
import { convexHull, extendedMask } from '../../src/face/mask.ts';
import { laplacianVariance } from '../../src/face/quality.ts';
import { jitter, smoothTrack } from '../../src/face/smoothing.ts';
import { faceApiDemoDir } from '../../src/face/package-files.ts';
import { decodeFrames, readFrame } from '../../src/media/decode.ts';
import { readImage } from '../../src/media/image.ts';
import { UserError } from '../../src/util/errors.ts';
import { rng } from '../helpers/numbers.ts';
import { SAMPLE_B, requireSamples, tempDir } from '../helpers/fixtures.ts';
import { demoPhotos, faceApi } from '../helpers/faces.ts';
import type { Box, Point } from '../../src/util/geometry.ts';

const test = suite('face/identity-mask');
const tmp = tempDir('identity');
const cfg = ExtractConfig.parse({});
test.before(() => requireSamples());
test.after(() => tmp.cleanup());

/** A reference photo of one person: their face cut from the group photo, turned, shrunk and darkened. */
async function referenceOf(photo: string, box: Box, out: string): Promise<string> {
  const pad = 0.6;
  const left = Math.max(0, Math.round(box.x - pad * box.width));
  const top = Math.max(0, Math.round(box.y - pad * box.height));
  await sharp(join(faceApiDemoDir(), photo))
    .extract({ left, top, width: Math.round(box.width * (1 + 2 * pad)), height: Math.round(box.height * (1 + 2 * pad)) })
    .rotate(5, { background: '#808080' })
    .resize({ width: 300 })
    .modulate({ brightness: 0.9 })
    .jpeg({ quality: 90 })
    .toFile(out);
  return out;
}

for (const photo of ['sample1.jpg', 'sample5.jpg']) {
  test(`${photo}: the identity filter keeps exactly the person given as reference`, async () => {
    const fa = await faceApi();
    const p = (await demoPhotos()).find((x) => x.name === photo)!;
    assert.ok(p.faces.length >= 3);
    for (let k = 0; k < p.faces.length; k++) {
      const ref = await referenceOf(photo, p.faces[k]!.box, join(tmp.dir, `${photo}-${k}.jpg`));
      const d = await referenceDescriptor(fa, ref, cfg);
      const { kept, distances } = pickTarget(p.faces, d, cfg.identityThreshold);
      if (process.env.JANUS_TEST_VERBOSE) console.log(photo, k, distances.map((x) => x!.toFixed(2)).join(" "));
      assert.is(kept, k, `reference ${k}: distances ${distances.map((x) => x!.toFixed(2)).join(', ')}`);
    }
  });
}

test('a reference photo without a face is a clear error', async () => {
  const fa = await faceApi();
  const wall = join(tmp.dir, 'wall.png');
  await sharp({ create: { width: 200, height: 200, channels: 3, background: '#6a7b8c' } }).png().toFile(wall);
  try {
    await referenceDescriptor(fa, wall, cfg);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /no face found in the identity reference ".*wall\.png"/);
  }
});

test('clustering on sample b: the largest identity is the woman in the middle, not the one at the edge', async () => {
  const fa = await faceApi();
  const frames: Array<{ index: number; faces: Awaited<ReturnType<typeof detectFaces>> }> = [];
  for await (const f of decodeFrames(SAMPLE_B, { maxFrames: 125 })) {
    if (f.index % 16) continue;
    frames.push({ index: f.index, faces: await detectFaces(fa, f, { detector: 'ssd', minScore: 0.5, descriptors: true }) });
  }
  assert.ok(frames.some((f) => f.faces.length > 1), 'some frames show two faces');
  // frames 16 apart do not follow each other: every face is a track of its own
  const { tracks } = buildTracks(frames, () => true, { breakDistance: cfg.identityThreshold });
  assert.is(tracks.length, frames.reduce((n, f) => n + f.faces.length, 0));
  const c = clusterTracks(tracks, { threshold: cfg.clusterThreshold, range: cfg.clusterThresholdRange });
  assert.ok(c.clusters.length >= 2, `${c.clusters.length} identities`);
  const top = c.clusters[0]!;
  assert.is(top.faces, frames.length, 'the target is in every frame');
  for (const [t, f] of frames.entries()) {
    const mine = tracks.filter((tr) => top.tracks.includes(tr.id) && tr.faces[0]!.t === t);
    assert.is(mine.length, 1, `frame ${f.index}: one face of the target`);
    const widest = f.faces.reduce((a, b, i) => (b.box.width > f.faces[a]!.box.width ? i : a), 0);
    assert.is(mine[0]!.faces[0]!.k, widest, 'the kept face is the large central one');
    assert.is(pickTarget(f.faces, top.centroid, cfg.identityThreshold).kept, widest);
  }
});

test('the extended mask covers the face hull and reaches above the brows', async () => {
  const fa = await faceApi();
  const frame = await readFrame(SAMPLE_B, 30);
  const faces = await detectFaces(fa, frame, { detector: 'ssd', minScore: 0.5, descriptors: false });
  const main = faces.reduce((a, b) => (b.box.width > a.box.width ? b : a));
  const al = alignFace(frame, main.landmarks, { size: 256, coverage: 1.6 });
  const mask = extendedMask(al.landmarks, 256);
  const at = ([x, y]: Point) => mask.data[Math.round(y) * 256 + Math.round(x)];
  for (const k of [30, 36, 45, 48, 54, 57]) assert.is(at(al.landmarks[k]!), 255, `landmark ${k} inside`);
  const browTop = Math.min(...al.landmarks.slice(17, 27).map((p) => p[1]));
  const cx = al.landmarks[27]![0];
  assert.is(at([cx, browTop - 15]), 255, 'forehead above the brows is in the mask');
  assert.is(at([5, 5]), 0, 'corner outside');
  const area = mask.data.reduce((s, v) => s + (v ? 1 : 0), 0) / (256 * 256);
  assert.ok(area > 0.25 && area < 0.6, `mask covers ${(area * 100).toFixed(0)}% of the crop`);
  assert.is(convexHull([[0, 0], [2, 0], [1, 1], [2, 2], [0, 2]]).length, 4);
});

test('sharpness: a blurred face scores far lower, and the default threshold sits between', async () => {
  const img = await readImage(join(faceApiDemoDir(), 'sample1.jpg'));
  const p = (await demoPhotos())[0]!;
  const al = alignFace(img, p.faces[0]!.landmarks, { size: 256, coverage: 1.6 });
  const mask = extendedMask(al.landmarks, 256);
  const sharpV = laplacianVariance(al.image, mask);
  const blurred = await sharp(Buffer.from(al.image.data), { raw: { width: 256, height: 256, channels: 3 } }).blur(3).raw().toBuffer();
  const blurV = laplacianVariance({ width: 256, height: 256, data: new Uint8Array(blurred) }, mask);
  assert.ok(sharpV > cfg.minBlur && blurV < cfg.minBlur, `sharp ${sharpV.toFixed(1)}, blurred ${blurV.toFixed(1)}, threshold ${cfg.minBlur}`);
});

test('smoothing cuts jitter, keeps a still face still, and does not smooth across gaps', () => {
  const r = rng(7);
  const base: Point[] = Array.from({ length: 68 }, (_, i) => [100 + 40 * Math.cos(i), 100 + 40 * Math.sin(i)]);
  const noisy = Array.from({ length: 40 }, () => base.map(([x, y]) => [x + r() - 0.5, y + r() - 0.5] as Point));
  const before = jitter(noisy, 160)!;
  const after = jitter(smoothTrack(noisy, 5), 160)!;
  assert.ok(after < before / 2, `jitter ${before.toFixed(3)} -> ${after.toFixed(3)}`);
  const gap = [base, null, base.map(([x, y]) => [x + 50, y] as Point)];
  const s = smoothTrack(gap, 5);
  assert.ok(s[0]!.every(([x, y], i) => Math.abs(x - base[i]![0]) < 1e-9 && Math.abs(y - base[i]![1]) < 1e-9), 'no mixing across the gap');
  assert.is(s[1], null);
});

test.run();
