/**
 * The CNN baseline detector on real faces: the faces of face-api's demo photos, aligned as
 * extraction aligns them (landmarks nudged for each copy), each copy once as it is (real) and
 * once with what a face swap leaves (fake): the face region replaced by a blurred copy of
 * itself through a feathered landmark mask, as a 64 px decoder output pasted into a sharper
 * frame is. Trained on the faces of four photos, scored on the faces of the other two (people it
 * never saw): it separates them; trained on labels that say nothing about the manipulation (each
 * real crop and its fake share one random label) it stays near chance; the same seed gives the
 * same scores; nothing leaks.
 *
 * @tier e2e (face-api on six photos, two CNN trainings on wasm)
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rocAuc } from '../../src/benchmark/classifier.ts';
import { trainCnnDetector } from '../../src/benchmark/cnn-detector.ts';
import { tf } from '../../src/engine/tf.ts';
import { alignFace } from '../../src/face/align.ts';
import { extendedMask } from '../../src/face/mask.ts';
import { feather } from '../../src/swap/composite.ts';
import type { Point, RgbImage } from '../../src/util/geometry.ts';
import { Rng } from '../../src/util/rng.ts';
import { demoPhotos, faceApi } from '../helpers/faces.ts';

const test = suite('benchmark/cnn-detector');
const CROP = { size: 128, coverage: 1.6 };
/** Nudged copies of each face; each gives a real and a fake crop. */
const COPIES = 6;
/** The swap's blur (box radius, twice: a Gaussian of sigma ~1.8 px in the 128 px crop, ~0.9 px at the CNN's 64) and its mask's feather. */
const BLUR = 2;
const FEATHER = 3;
const SEED = 1;

/** The landmarks moved by a small random similarity (±5% scale, ±6°, ±8% of the eye distance), as detections jitter. */
function nudge(lm: readonly Point[], r: Rng): Point[] {
  const cx = lm.reduce((s, p) => s + p[0], 0) / lm.length;
  const cy = lm.reduce((s, p) => s + p[1], 0) / lm.length;
  const eye = Math.hypot(lm[45]![0] - lm[36]![0], lm[45]![1] - lm[36]![1]);
  const s = r.uniform(0.95, 1.05);
  const t = r.uniform(-0.1, 0.1);
  const [dx, dy] = [r.uniform(-0.08, 0.08) * eye, r.uniform(-0.08, 0.08) * eye];
  const [c, sn] = [Math.cos(t) * s, Math.sin(t) * s];
  return lm.map(([x, y]) => [cx + c * (x - cx) - sn * (y - cy) + dx, cy + sn * (x - cx) + c * (y - cy) + dy] as Point);
}

/** The crop with its face region (landmark mask, brows raised, feathered) replaced by a blurred copy. */
function swapLike(img: RgbImage, landmarks: readonly Point[]): RgbImage {
  const { width: w, height: h } = img;
  const alpha = feather(extendedMask(landmarks, w), FEATHER);
  const out = new Uint8Array(img.data.length);
  for (let c = 0; c < 3; c++) {
    const channel = { width: w, height: h, data: Uint8Array.from({ length: w * h }, (_, i) => img.data[i * 3 + c]!) };
    const blurred = feather(channel, BLUR); // the mask blur, on a colour channel: 0..1
    for (let i = 0; i < w * h; i++) out[i * 3 + c] = Math.round(alpha[i]! * blurred[i]! * 255 + (1 - alpha[i]!) * channel.data[i]!);
  }
  return { width: w, height: h, data: out };
}

interface Split {
  x: RgbImage[];
  y: number[];
}

/** Real and fake crops, in pairs (real, then its fake); photos 1-4 train, 5-6 test. */
async function faces(): Promise<{ train: Split; test: Split }> {
  const r = Rng.fromSeed(7);
  const train: Split = { x: [], y: [] };
  const held: Split = { x: [], y: [] };
  for (const [i, p] of (await demoPhotos()).entries()) {
    const into = i < 4 ? train : held;
    for (const f of p.faces)
      for (let k = 0; k < COPIES; k++) {
        const a = alignFace(p.image, nudge(f.landmarks, r), CROP);
        into.x.push(a.image, swapLike(a.image, a.landmarks));
        into.y.push(0, 1);
      }
  }
  return { train, test: held };
}

/** Awaits `p` and checks that it rejects with a message matching `pattern`. */
async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}

let data: { train: Split; test: Split };
test.before(async () => {
  await faceApi(); // selects wasm, as the other model tests do
  data = await faces();
});

test('the fakes are real faces, subtly changed: same size, a small mean change inside the face', () => {
  const { x } = data.train;
  assert.ok(x.length >= 150 && data.test.x.length >= 100, `${x.length} train, ${data.test.x.length} test crops`);
  let diff = 0;
  for (let i = 0; i < x.length; i += 2) for (let j = 0; j < x[i]!.data.length; j++) diff += Math.abs(x[i]!.data[j]! - x[i + 1]!.data[j]!);
  const mean = diff / ((x.length / 2) * x[0]!.data.length);
  assert.ok(mean > 0.5 && mean < 6, `mean |real - fake| ${mean.toFixed(2)} of 255 over the crop`);
});

test('separates held-out people (AUC >= 0.9); training, scoring and dispose leave no tensor', async () => {
  const before = tf.memory().numTensors;
  const det = await trainCnnDetector(data.train.x, data.train.y, { seed: SEED });
  const scores = await det.score(data.test.x);
  det.dispose();
  assert.is(tf.memory().numTensors, before, 'no tensor left behind');
  assert.is(scores.length, data.test.x.length);
  assert.ok(scores.every((s) => s >= 0 && s <= 1));
  const auc = rocAuc(scores, data.test.y)!;
  console.log(`  cnn: test AUC ${auc.toFixed(3)}; ${data.train.x.length} crops trained in ${det.seconds.toFixed(1)} s; ${det.describe}`);
  assert.ok(auc >= 0.9, `held-out AUC ${auc.toFixed(3)}, expected >= 0.9`);
  await rejects(det.score(data.test.x.slice(0, 1)), /disposed/);
});

test('labels that say nothing about the manipulation: near chance', async () => {
  // each real crop and its fake share one label, half the pairs 0, half 1: blur carries no information
  const pairs = Rng.fromSeed(SEED + 2).shuffle(Array.from({ length: data.train.y.length / 2 }, (_, i) => i % 2));
  const det = await trainCnnDetector(data.train.x, data.train.y.map((_, i) => pairs[i >> 1]!), { seed: SEED });
  const auc = rocAuc(await det.score(data.test.x), data.test.y)!;
  det.dispose();
  console.log(`  cnn, shuffled labels: test AUC ${auc.toFixed(3)}`);
  assert.ok(Math.abs(auc - 0.5) <= 0.15, `AUC ${auc.toFixed(3)}, expected 0.5 ± 0.15`);
});

test('the same seed gives the same scores; another seed, others', async () => {
  const x = data.train.x.slice(0, 32);
  const y = data.train.y.slice(0, 32);
  const probe = data.test.x.slice(0, 16);
  const run = async (seed: number) => {
    const det = await trainCnnDetector(x, y, { seed, epochs: 2, batch: 8 });
    const s = await det.score(probe);
    det.dispose();
    return s;
  };
  const a = await run(5);
  assert.equal(await run(5), a, 'bit for bit');
  assert.ok((await run(6)).some((v, i) => v !== a[i]));
});

test('bad input is named', async () => {
  const x = data.train.x.slice(0, 4);
  await rejects(trainCnnDetector(x, [0, 1, 0], { seed: 1 }), /one label per crop, got 3 labels for 4 crops/);
  await rejects(trainCnnDetector(x, [0, 0, 0, 0], { seed: 1 }), /both real \(0\) and fake \(1\).*4 real and 0 fake/);
  await rejects(trainCnnDetector(x, [0, 1, 2, 1], { seed: 1 }), /labels 0 \(real\) or 1 \(fake\), got 2 at 2/);
  await rejects(trainCnnDetector(x, [0, 1, 0, 1], { seed: 1, size: 40 }), /size to be a multiple of 16 from 16, got 40/);
});

test.run();
