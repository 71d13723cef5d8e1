/**
 * Face tracks and their identity clusters, on constructed descriptors: tracks that share a frame
 * never merge (however alike), the merge threshold adapts to the distances and says how, a
 * cut to another person splits a track and the followed faces before it are uncertain, and
 * `--identity cluster:N` reads as it should.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseIdentity } from '../../src/config/extract.ts';
import { descriptorDistance } from '../../src/face/face-api.ts';
import { clusterTracks, otsuThreshold, trackThreshold } from '../../src/face/identity.ts';
import { buildTracks, type FaceTrack, type TrackFrame } from '../../src/face/tracks.ts';
import { UserError } from '../../src/util/errors.ts';
import { rng } from '../helpers/numbers.ts';

const test = suite('face/identity-clusters');

/** A random 128-d "person" (norm about 1, like face-api's), and noisy views of it. */
function person(seed: number): number[] {
  const r = rng(seed);
  const v = Array.from({ length: 128 }, () => r() * 2 - 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
function view(p: readonly number[], seed: number, noise: number): number[] {
  const r = rng(seed);
  return p.map((x) => x + ((r() * 2 - 1) * noise) / Math.sqrt(128 / 3));
}
/** A track over frames [from, to) with one descriptor per frame. */
function track(id: number, from: number, to: number, p: readonly number[], noise = 0.08): FaceTrack {
  const faces = Array.from({ length: to - from }, (_, i) => ({ t: from + i, k: 0 }));
  return { id, faces, descriptors: faces.map((f) => view(p, 1000 * id + f.t, noise)) };
}

const range = [0.45, 0.7] as const;

test('two co-occurring tracks of identical-looking faces stay two people; apart in time, they merge', () => {
  const p = person(1);
  const same = (id: number, from: number, to: number): FaceTrack => ({ id, faces: Array.from({ length: to - from }, (_, i) => ({ t: from + i, k: id % 2 })), descriptors: [p, p] });
  // tracks 0 and 1 share frames 5-9; track 2 comes later
  const c = clusterTracks([same(0, 0, 10), same(1, 5, 15), same(2, 20, 30)], { threshold: 1.9, range });
  assert.is(c.clusters.length, 2, JSON.stringify(c.clusters));
  for (const x of c.clusters) assert.not.ok(x.tracks.includes(0) && x.tracks.includes(1), 'tracks 0 and 1 apart');
  assert.equal(c.clusters.map((x) => x.tracks.length).sort(), [1, 2], 'track 2 joined one of them');
  // the same tracks without the overlap: one person
  const apart = clusterTracks([same(0, 0, 5), same(1, 10, 15), same(2, 20, 30)], { threshold: 1.9, range });
  assert.is(apart.clusters.length, 1);
});

test('cannot-link holds for whole clusters: a track co-occurring with any member keeps out', () => {
  const p = person(2);
  const q = person(3);
  // A1 and B1 share frames; A2 (alone, later) joins A1; B2 resembles A but shares frames with A2
  const tracks = [track(0, 0, 10, p), track(1, 0, 10, q), track(2, 20, 30, p), track(3, 25, 35, p, 0.3)];
  const c = clusterTracks(tracks, { threshold: 1.5, range });
  const of = (id: number) => c.clusters.find((x) => x.tracks.includes(id))!.rank;
  assert.is(of(0), of(2));
  assert.is.not(of(3), of(2), 'co-occurs with track 2');
  assert.is.not(of(0), of(1), 'co-occurs with track 0');
});

test('the merge threshold adapts: Otsu lands in the gap between one person and two, clamped and reported', () => {
  const people = [person(4), person(5), person(6)];
  const tracks = Array.from({ length: 9 }, (_, i) => track(i, 12 * i, 12 * i + 10, people[i % 3]!, 0.1));
  const c = clusterTracks(tracks, { threshold: 'auto', range: [0, 2] });
  assert.is(c.source, 'otsu');
  const reps = tracks.map((t) => t.descriptors[0]!.map((_, j) => t.descriptors.reduce((s, d) => s + d[j]!, 0) / t.descriptors.length));
  let sameMax = 0;
  let diffMin = Infinity;
  for (let i = 0; i < 9; i++) for (let j = i + 1; j < 9; j++) {
    const d = descriptorDistance(reps[i]!, reps[j]!);
    if (i % 3 === j % 3) sameMax = Math.max(sameMax, d);
    else diffMin = Math.min(diffMin, d);
  }
  assert.ok(c.otsu! > sameMax && c.otsu! < diffMin, `otsu ${c.otsu} between ${sameMax.toFixed(3)} and ${diffMin.toFixed(3)}`);
  assert.is(c.threshold, c.otsu);
  assert.is(c.clusters.length, 3);
  assert.equal(c.clusters.map((x) => x.faces), [30, 30, 30]);
  assert.ok(c.within > 0 && c.between === 36, `${c.within} within, ${c.between} between`);
  // clamped into the range, and the raw value kept
  const clamped = trackThreshold(tracks, { threshold: 'auto', range: [0.2, 0.3] });
  assert.is(clamped.threshold, c.otsu! > 0.3 ? 0.3 : 0.2);
  assert.is(clamped.otsu, c.otsu);
  assert.is(trackThreshold(tracks, { threshold: 0.5, range }).source, 'fixed');
  const one = trackThreshold([tracks[0]!], { threshold: 'auto', range });
  assert.equal([one.source, one.threshold], ['default', (range[0] + range[1]) / 2]);
  // Otsu itself: two groups of equal weight, the cut in the middle of the empty gap
  const t = otsuThreshold([[0.1, 0.12, 0.14], [0.9, 0.92]])!;
  assert.ok(Math.abs(t - 0.52) < 0.02, `otsu ${t}`);
});

test('clusters are ranked by faces: rank 1 is the largest', () => {
  const [p, q] = [person(7), person(8)];
  const c = clusterTracks([track(0, 0, 5, p), track(1, 10, 30, q), track(2, 40, 45, p)], { threshold: 'auto', range });
  assert.equal(c.clusters.map((x) => [x.rank, x.faces, x.tracks]), [[1, 20, [1]], [2, 10, [0, 2]]]);
});

test('tracks: boxes that follow each other link; a cut to another person splits the track and the followed faces before it are uncertain', () => {
  const [p, q] = [person(9), person(10)];
  const box = (x: number) => ({ x, y: 10, width: 60, height: 60 });
  const frames: TrackFrame[] = [];
  // frames 0-9: a face at x=100 (detected on 0, 3, 6, 9, followed between); the person is p until
  // frame 4, q from frame 5 on (a cut at the same place); a second face at x=300 on frames 0-2
  for (let i = 0; i < 10; i++) {
    const detected = i % 3 === 0;
    const who = i < 5 ? p : q;
    const lastDetected = i - (i % 3);
    const desc = detected ? view(who, i, 0.05) : view(lastDetected < 5 ? p : q, lastDetected, 0.05);
    const faces = [{ box: box(100 + i), descriptor: desc, tracked: !detected }];
    if (i < 3) faces.push({ box: box(300), descriptor: view(q, 50 + i, 0.05), tracked: i !== 0 });
    frames.push({ index: i, faces });
  }
  const { tracks, uncertain } = buildTracks(frames, () => true, { breakDistance: 0.6 });
  const span = (t: FaceTrack) => t.faces.map((f) => f.t);
  assert.equal(tracks.map(span), [[0, 1, 2, 3], [0], [6, 7, 8, 9]]);
  // frames 4-5 were followed from p's detection on frame 3, but frame 6 shows q there: uncertain;
  // the face at x=300 was followed on frames 1-2 and then lost: uncertain too; frames 7-9 end with the video
  assert.equal(uncertain.map((f) => [f.t, f.k]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!), [[1, 1], [2, 1], [4, 0], [5, 0]]);
  assert.is(tracks[0]!.descriptors.length, 2, 'detected faces only');
  // ineligible faces belong to no track
  const some = buildTracks(frames, (t) => t !== 1, { breakDistance: 0.6 });
  assert.equal(some.tracks.map(span)[0], [0]);
});

test('tracks: a fresh detection of the same face that the filters dropped (low score) confirms the followed faces before it; someone else there does not', () => {
  const [p, q] = [person(11), person(12)];
  const box = { x: 100, y: 10, width: 60, height: 60 };
  // p detected on 0 and 3, followed on 1-2 and 4-5; on 6 a detection at the same place that the score filter drops
  const frames = (sixth: number[]): TrackFrame[] =>
    Array.from({ length: 7 }, (_, i) => ({ index: i, faces: [{ box, descriptor: i === 6 ? sixth : view(p, i - (i % 3), 0.05), tracked: i % 3 !== 0 }] }));
  const eligible = (t: number) => t !== 6;
  const same = buildTracks(frames(view(p, 6, 0.05)), eligible, { breakDistance: 0.6 });
  assert.equal(same.tracks.map((t) => t.faces.map((f) => f.t)), [[0, 1, 2, 3, 4, 5]], 'p, low-scored on frame 6, vouches for 4-5');
  assert.equal(same.uncertain, []);
  const other = buildTracks(frames(view(q, 6, 0.05)), eligible, { breakDistance: 0.6 });
  assert.equal(other.tracks.map((t) => t.faces.map((f) => f.t)), [[0, 1, 2, 3]]);
  assert.equal(other.uncertain.map((f) => f.t), [4, 5], 'q there: the faces followed since 3 may be q');
});

test('--identity: cluster:N or a photo; a bad N is a user error', () => {
  assert.equal(parseIdentity('cluster:2'), { cluster: 2 });
  assert.equal(parseIdentity('photos/alice.jpg'), { reference: 'photos/alice.jpg' });
  for (const bad of ['cluster:0', 'cluster:x', 'cluster:-1', 'cluster:1.5', 'cluster:']) {
    try {
      parseIdentity(bad);
      assert.unreachable(bad);
    } catch (err) {
      assert.instance(err, UserError);
      assert.match((err as Error).message, /expected --identity cluster:N with N a whole number from 1/);
    }
  }
});

test.run();
