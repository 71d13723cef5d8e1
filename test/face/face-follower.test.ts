/**
 * Following faces between detection frames (face/face-follower.ts): on the two-people clip
 * (cuts at frames 10, 20, 28 and 38) with the detector due only every 25th frame, the detector
 * still runs at each cut, and every frame has the faces it shows; a shot change is what the
 * frame signatures say it is (the sample clips' consecutive frames are one shot, a cut from
 * one sample to the other is not); a followed face that jumps or leaves is lost, when it is one
 * the filters keep; smoothing never averages
 * landmarks across a jump or a change of track; following gives, bit for bit, the landmarks
 * face-api's own detectLandmarks gives for the same box, and leaks no tensor.
 *
 * @tier e2e (detects faces in a clip)
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExtractConfig } from '../../src/config/extract.ts';
import { anyLost } from '../../src/face/extract.ts';
import { jumped, smoothByTrack } from '../../src/face/track-smoothing.ts';
import { followFaces, type DetectedFace } from '../../src/face/face-api.ts';
import { tf } from '../../src/engine/tf.ts';
import { FaceFollower } from '../../src/face/face-follower.ts';
import { frameSignature, isShotChange, signatureDistance, SHOT_CHANGE_LEVEL } from '../../src/face/shot-change.ts';
import { decodeFrames } from '../../src/media/decode.ts';
import { faceApi } from '../helpers/faces.ts';
import { SAMPLE_A, SAMPLE_B, requireSamples, tempDir } from '../helpers/fixtures.ts';
import { TWO_PEOPLE_LAYOUT, makeTwoPeopleClip } from '../helpers/two-people.ts';

const test = suite('face/face-follower');
const tmp = tempDir('follower');
test.before(() => requireSamples());
test.after(() => tmp.cleanup());

test('following gives face-api detectLandmarks\' landmarks for the same box, bit for bit, for wide, tall, square and clipped boxes; no tensor leaks', async () => {
  const fa = await faceApi();
  const frames = [];
  for await (const f of decodeFrames(SAMPLE_A, { maxFrames: 12 })) frames.push(f);
  const landmarks = (cx: number, cy: number, half: number) => Array.from({ length: 68 }, (_, i) => [cx + half * Math.cos(i), cy + half * Math.sin(i)] as [number, number]);
  // boxes relative to the landmarks' bounds: wide, tall, 112 x 112 exactly (no resize), and past the frame's right edge (clipped)
  const cases: Array<DetectedFace & { boxFromLandmarks: number[] }> = [
    { box: { x: 0, y: 0, width: 1, height: 1 }, score: 0.9, landmarks: landmarks(256, 270, 100), descriptor: null, boxFromLandmarks: [-0.1, -0.2, 1.3, 1.1] },
    { box: { x: 0, y: 0, width: 1, height: 1 }, score: 0.9, landmarks: landmarks(250, 260, 90), descriptor: null, boxFromLandmarks: [0, -0.3, 1, 1.45] },
    { box: { x: 0, y: 0, width: 1, height: 1 }, score: 0.9, landmarks: landmarks(256, 256, 50), descriptor: null, boxFromLandmarks: [-0.06, -0.06, 1.12, 1.12] },
    { box: { x: 0, y: 0, width: 1, height: 1 }, score: 0.9, landmarks: landmarks(460, 250, 80), descriptor: null, boxFromLandmarks: [-0.2, -0.2, 1.4, 1.4] },
  ];
  const before = tf.memory().numTensors;
  let compared = 0;
  for (const frame of frames) {
    const followed = await followFaces(fa, frame, cases);
    for (const f of followed) {
      assert.ok(f, 'a face in the frame');
      const { x, y, width: w, height: h } = f.box;
      const crop = new Uint8Array(w * h * 3);
      for (let row = 0; row < h; row++) crop.set(frame.data.subarray(((y + row) * frame.width + x) * 3, ((y + row) * frame.width + x + w) * 3), row * w * 3);
      const t = tf.tensor3d(crop, [h, w, 3], 'int32');
      const lm = await fa.nets.faceLandmark68Net.detectLandmarks(t);
      t.dispose();
      assert.equal(f.landmarks, lm.positions.map((q) => [q.x + x, q.y + y]), `frame ${frame.index}, box ${w}x${h}`);
      compared++;
    }
  }
  assert.is(compared, frames.length * cases.length);
  const sizes = (await followFaces(fa, frames[0]!, cases)).map((f) => `${f!.box.width}x${f!.box.height}`);
  assert.ok(sizes.includes('112x112') && sizes.some((s) => { const [w, h] = s.split('x').map(Number); return w! > h!; }) && sizes.some((s) => { const [w, h] = s.split('x').map(Number); return w! < h!; }), `box sizes ${sizes}`);
  assert.is(tf.memory().numTensors, before, 'no tensor left behind');
});

test('a shot change is a cut between the samples, never two consecutive frames of one', async () => {
  let worst = 0;
  const last: Record<string, Float32Array> = {};
  for (const [name, clip] of [['a', SAMPLE_A], ['b', SAMPLE_B]] as const) {
    let prev: Float32Array | null = null;
    for await (const f of decodeFrames(clip)) {
      const s = frameSignature(f);
      if (prev) {
        worst = Math.max(worst, signatureDistance(prev, s));
        assert.not.ok(isShotChange(prev, s), `${name} frame ${f.index}`);
      }
      prev = s;
    }
    last[name] = prev!;
  }
  assert.ok(worst > 0.5 && worst < SHOT_CHANGE_LEVEL / 2, `consecutive frames differ by up to ${worst.toFixed(2)} levels`);
  assert.ok(isShotChange(last.a!, last.b!), `a cut differs by ${signatureDistance(last.a!, last.b!).toFixed(1)} levels`);
});

test('the detector runs at every cut though it is due only every 25th frame, and every frame has the faces it shows', async () => {
  const clip = join(tmp.dir, 'ab.mp4');
  await makeTwoPeopleClip('a', 'b', clip);
  const follower = new FaceFollower(await faceApi(), ExtractConfig.parse({ detectEvery: 25, size: 128 }));
  const detected: number[] = [];
  for await (const frame of decodeFrames(clip)) {
    const d = await follower.next(frame);
    const shows = TWO_PEOPLE_LAYOUT.find((s) => frame.index >= s.from && frame.index <= s.to)!.show;
    assert.is(d.faces.length, shows.length, `frame ${frame.index} shows ${shows}`);
    if (d.faces.some((f) => !f.tracked)) detected.push(frame.index);
    else assert.ok(d.faces.every((f) => f.descriptor !== null), 'a followed face carries its descriptor');
  }
  const cuts = TWO_PEOPLE_LAYOUT.slice(1).map((s) => s.from);
  for (const c of [0, 25, ...cuts]) assert.ok(detected.includes(c), `frame ${c} detected (${detected.join(', ')})`);
  assert.ok(detected.length <= 8, `${detected.length} detection frames of 50: ${detected.join(', ')}`);
});

test('a followed face whose landmarks moved or changed size too much in one frame is lost', () => {
  const face = (dx: number, scale: number) => ({ box: { x: 0, y: 0, width: 1, height: 1 }, score: 1, descriptor: null, landmarks: Array.from({ length: 68 }, (_, i) => [100 + dx + scale * 50 * Math.cos(i), 100 + scale * 60 * Math.sin(i)] as [number, number]) });
  assert.not.ok(jumped(face(0, 1), face(10, 1.05)), 'a small move');
  assert.ok(jumped(face(0, 1), face(60, 1)), 'moved more than 40% of its width');
  assert.ok(jumped(face(0, 1), face(0, 1.5)), 'grew by half');
  assert.ok(jumped(face(0, 1), face(0, 0.6)), 'shrank');
});

test('a lost face counts only when the filters would keep it', () => {
  const cfg = ExtractConfig.parse({}); // minScore 0.5, minSize 40
  const face = (score: number, size: number, dx = 0) => ({ box: { x: 0, y: 0, width: size, height: size }, score, descriptor: null, landmarks: Array.from({ length: 68 }, (_, i) => [100 + dx + 50 * Math.cos(i), 100 + 60 * Math.sin(i)] as [number, number]) });
  const good = face(0.9, 120);
  const weak = face(0.35, 120);
  const small = face(0.9, 20);
  assert.not.ok(anyLost([good, weak, small], [good, null, null], cfg), 'only faces the filters drop left');
  assert.ok(anyLost([good, weak], [null, weak], cfg), 'a kept-worthy face left');
  assert.ok(anyLost([good], [face(0.9, 120, 80)], cfg), 'a kept-worthy face jumped');
  assert.not.ok(anyLost([weak], [face(0.35, 120, 80)], cfg), 'a weak face jumped');
  assert.not.ok(anyLost([good], [face(0.9, 120, 5)], cfg), 'a small move');
});

test('smoothing restarts at a jump within one track and at a change of track, and smooths within each run', () => {
  const shape = (dx: number, t: number) => Array.from({ length: 68 }, (_, i) => [200 + dx + 40 * Math.cos(i) + (t % 2 ? 0.6 : -0.6), 200 + 50 * Math.sin(i)] as [number, number]);
  // frames 0-9 at one place, 10-19 a face width to the right (a cut, the same track), 20-29 another track
  const track = Array.from({ length: 30 }, (_, t) => shape(t < 10 ? 0 : t < 20 ? 90 : 180, t));
  const trackOf = track.map((_, t) => (t < 20 ? 4 : 7));
  const cfg = ExtractConfig.parse({});
  const out = smoothByTrack(track, trackOf, cfg, 25);
  for (const t of [9, 10, 19, 20]) {
    const shift = out[t]![0]![0] - track[t]![0]![0];
    assert.ok(Math.abs(shift) < 1, `frame ${t}: moved ${shift.toFixed(2)} px (averaged across the break)`);
  }
  // inside a run the alternating 0.6-px wobble is smoothed away
  assert.ok(Math.abs(out[5]![0]![0] - out[6]![0]![0]) < 0.5, 'smoothed within a run');
});

test.run();
