/**
 * Detection, landmarks, the template and alignment on real photos and the sample clips.
 *
 * @tier e2e (face-api on video frames)
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { alignFace, templateInCrop } from '../../src/face/align.ts';
import { detectFaces, followFaces, type DetectedFace } from '../../src/face/face-api.ts';
import { ALIGN_POINTS, TEMPLATE_68 } from '../../src/face/template.ts';
import { meanDistance, meanShape, transformPoints, umeyama } from '../../src/face/umeyama.ts';
import { tf } from '../../src/engine/tf.ts';
import { readFrame } from '../../src/media/decode.ts';
import { similarity, warpAffine } from '../../src/media/warp-affine.ts';
import { SAMPLE_A, SAMPLE_B, requireSamples } from '../helpers/fixtures.ts';
import { demoPhotos, faceApi } from '../helpers/faces.ts';

const test = suite('face/detect-align');
test.before(() => requireSamples());

test('face counts on face-api\'s demo photos match what a person sees', async () => {
  const photos = await demoPhotos();
  assert.equal(
    photos.map((p) => [p.name, p.faces.length]),
    [
      ['sample1.jpg', 3],
      ['sample2.jpg', 3],
      ['sample3.jpg', 3],
      ['sample4.jpg', 4],
      ['sample5.jpg', 5],
      ['sample6.jpg', 4],
    ],
  );
  for (const p of photos) for (const f of p.faces) {
    assert.is(f.landmarks.length, 68);
    assert.is(f.descriptor!.length, 128);
    // landmarks lie in (or at the edge of) their box
    const [x, y] = f.landmarks[30]!; // nose tip
    assert.ok(x > f.box.x && x < f.box.x + f.box.width && y > f.box.y && y < f.box.y + f.box.height, `${p.name}: nose tip inside the box`);
  }
});

test('detection leaks no tensors', async () => {
  const fa = await faceApi();
  const photo = (await demoPhotos())[0]!;
  await detectFaces(fa, photo.image, { detector: 'tiny', minScore: 0.5 }); // warm up
  const before = tf.memory().numTensors;
  for (const detector of ['ssd', 'tiny'] as const) await detectFaces(fa, photo.image, { detector, minScore: 0.5, descriptors: true });
  assert.is(tf.memory().numTensors, before);
});

test('tracking follows a face by its landmarks: close to a fresh detection, no tensor leaks', async () => {
  const fa = await faceApi();
  let prev = await detectFaces(fa, await readFrame(SAMPLE_B, 30), { detector: 'ssd', minScore: 0.5, descriptors: true });
  assert.ok(prev.length >= 1, 'a face to follow in frame 30');
  const before = tf.memory().numTensors;
  for (const i of [31, 32, 33]) {
    const frame = await readFrame(SAMPLE_B, i);
    const followed = await followFaces(fa, frame, prev);
    const tracked = followed.filter((f): f is DetectedFace => f !== null);
    const fresh = await detectFaces(fa, frame, { detector: 'ssd', minScore: 0.5, descriptors: false });
    assert.is(followed.length, prev.length);
    assert.is(tracked.length, prev.length, 'no face lost');
    for (const t of tracked) {
      assert.ok(t.tracked);
      const nearest = fresh.reduce((a, b) => (Math.abs(b.box.x - t.box.x) < Math.abs(a.box.x - t.box.x) ? b : a));
      const d = meanDistance(t.landmarks, nearest.landmarks);
      assert.ok(d < 4, `frame ${i}: tracked landmarks within ${d.toFixed(2)} px of a fresh detection`);
    }
    prev = tracked;
  }
  assert.is(tf.memory().numTensors, before);
});

test('the template is the Procrustes mean of the demo photos\' faces', async () => {
  const shapes = (await demoPhotos()).flatMap((p) => p.faces.map((f) => f.landmarks));
  assert.is(shapes.length, 22);
  const mean = meanShape(shapes);
  // bring both to the same frame and compare
  const m = umeyama(mean, TEMPLATE_68);
  assert.ok(meanDistance(transformPoints(m, mean), TEMPLATE_68) < 2e-3, 'same shape to 0.2% of the face width');
});

test('Umeyama recovers a known similarity exactly', () => {
  const truth = similarity(1.7, 0.4, 33, -12);
  const src = TEMPLATE_68.map(([x, y]) => [x * 100, y * 100] as [number, number]);
  const m = umeyama(src, transformPoints(truth, src));
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(m[i]! - truth[i]!) < 1e-9);
});

test('aligned landmarks land on the template: mean error under 3 px at 256 px (sample clips)', async () => {
  // A is frontal (about 1.6 px); B's selfie pose and face shape sit further from the mean
  // face (about 3.4 px): each clip has its own bound, and the mean over both is under 3 px.
  const fa = await faceApi();
  const tmpl = templateInCrop({ size: 256, coverage: 1.6 });
  const all: number[] = [];
  for (const [file, frames, bound] of [[SAMPLE_A, [0, 40, 90], 2.5], [SAMPLE_B, [5, 60, 110], 4]] as const) {
    for (const i of frames) {
      const frame = await readFrame(file, i);
      const faces = await detectFaces(fa, frame, { detector: 'ssd', minScore: 0.5, descriptors: false });
      const main = faces.reduce((a, b) => (b.box.width > a.box.width ? b : a));
      const aligned = alignFace(frame, main.landmarks, { size: 256, coverage: 1.6 });
      const err = meanDistance(ALIGN_POINTS.map((k) => aligned.landmarks[k]!), ALIGN_POINTS.map((k) => tmpl[k]!));
      assert.ok(err < bound, `${file} frame ${i}: mean landmark error ${err.toFixed(2)} px`);
      all.push(err);
      // the aligned crop really shows those landmarks: detect again on the crop
      const again = await detectFaces(fa, aligned.image, { detector: 'ssd', minScore: 0.3, descriptors: false });
      assert.ok(again.length >= 1, 'a face is found in the aligned crop');
      const redetected = again.reduce((a, b) => (b.box.width > a.box.width ? b : a)).landmarks;
      const err2 = meanDistance(ALIGN_POINTS.map((k) => redetected[k]!), ALIGN_POINTS.map((k) => aligned.landmarks[k]!));
      assert.ok(err2 < 6, `landmarks found again in the crop within ${err2.toFixed(2)} px`);
    }
  }
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  assert.ok(mean < 3, `mean error over both clips ${mean.toFixed(2)} px`);
});

test('warp then inverse warp reproduces the face region', async () => {
  const fa = await faceApi();
  const frame = await readFrame(SAMPLE_A, 20);
  const [face] = await detectFaces(fa, frame, { detector: 'ssd', minScore: 0.5, descriptors: false });
  const aligned = alignFace(frame, face!.landmarks, { size: 256, coverage: 1.6 });
  // the forward matrix maps frame -> crop, which is the inverse map warpAffine needs to go back
  const back = warpAffine(aligned.image, aligned.matrix, frame.width, frame.height);
  const { x, y, width, height } = face!.box;
  let err = 0;
  let n = 0;
  for (let v = Math.ceil(y + 0.15 * height); v < y + 0.85 * height; v++) {
    for (let u = Math.ceil(x + 0.15 * width); u < x + 0.85 * width; u++) {
      for (let c = 0; c < 3; c++) err += Math.abs(back.data[(v * frame.width + u) * 3 + c]! - frame.data[(v * frame.width + u) * 3 + c]!);
      n += 3;
    }
  }
  assert.ok(err / n < 4, `mean abs error ${(err / n).toFixed(2)} of 255 over the face region`);
});

test.run();
