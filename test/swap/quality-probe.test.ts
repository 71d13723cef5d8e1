/**
 * The quality probe measures what it says, on real faces (face-api's photos of sample
 * identities a and b, aligned as extraction aligns them): a model that shows the target gets
 * every swap closer to the target, at a small distance; a model that returns its input gets
 * none, and reconstructs perfectly. Nothing leaks.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SAMPLE_IDENTITIES } from '../../src/config/samples.ts';
import { tf } from '../../src/engine/tf.ts';
import { alignFace, templateInCrop } from '../../src/face/align.ts';
import { describeFace } from '../../src/face/face-api.ts';
import { extendedMask } from '../../src/face/mask.ts';
import type { Point, RgbImage } from '../../src/util/geometry.ts';
import type { Autoencoder } from '../../src/model/autoencoder.ts';
import { modelInput } from '../../src/model/input.ts';
import { swapFaces } from '../../src/swap/latent-swap.ts';
import { maskSsim, ssim } from '../../src/swap/metrics.ts';
import { makeQualityProbe, type ProbeFaces } from '../../src/swap/quality-probe.ts';
import { QualityEntry } from '../../src/train/quality-log.ts';
import { demoPhotos, faceApi } from '../helpers/faces.ts';

const test = suite('swap/quality-probe');
const CROP = { size: 256, coverage: 1.6 };
const COVERAGE = 0.75;

/** Aligned crops of a sample identity: its face in the photo, landmarks nudged a little for each copy. */
async function identityFaces(id: 'a' | 'b'): Promise<ProbeFaces> {
  const who = SAMPLE_IDENTITIES[id];
  const photo = (await demoPhotos()).find((p) => p.name === who.photo)!;
  const face = photo.faces.find((f) => Math.hypot(f.landmarks[36]![0] - who.leftEye[0], f.landmarks[36]![1] - who.leftEye[1]) < 40)!;
  assert.ok(face, `identity ${id} found in ${who.photo}`);
  const crops: RgbImage[] = [];
  for (const [dx, dy] of [[0, 0], [2, 0], [0, 2], [-2, -1]] as const) crops.push(alignFace(photo.image, face.landmarks.map(([x, y]) => [x + dx, y + dy] as Point), CROP).image);
  const fa = await faceApi();
  const descriptors = [];
  for (const c of crops) descriptors.push(await describeFace(fa, c, templateInCrop(CROP)));
  const mask = extendedMask(templateInCrop(CROP), CROP.size);
  return { crops, masks: crops.map(() => mask), descriptors };
}

test('a model showing the target passes, a model returning its input fails; the numbers are in range', async () => {
  const fa = await faceApi();
  const a = await identityFaces('a');
  const b = await identityFaces('b');
  const probe = await makeQualityProbe({ fa, a, b, direction: 'a-to-b', crop: CROP, coverage: COVERAGE });
  const bInput = await modelInput(b.crops[0]!, 64, COVERAGE);
  const n = 64 * 64 * 3;
  // decoder B draws B's face whatever comes in; decoder A returns its input
  const stub = (f: (x: tf.Tensor4D, which: 'a' | 'b') => tf.Tensor4D) => ({ arch: { inputSize: 64 }, reconstruct: f, reconstructWithMask: (x: tf.Tensor4D, which: 'a' | 'b') => ({ rgb: f(x, which), mask: null }) }) as unknown as Autoencoder;
  const oracle = stub((x, which) => (which === 'a' ? x.clone() : tf.tensor4d(new Float32Array(x.shape[0] * n).map((_, i) => bInput[i % n]!), x.shape)));
  const identity = stub((x) => x.clone());
  const before = tf.memory().numTensors;
  const good = QualityEntry.parse(await probe(oracle, { iteration: 10, minutes: 1 }));
  const bad = QualityEntry.parse(await probe(identity, { iteration: 20, minutes: 2 }));
  assert.is(tf.memory().numTensors, before, 'the probe leaves no tensor behind');
  assert.is(good.identityShare, 1, 'every swap reads as B');
  assert.ok(good.medianToTarget < 0.4 && good.medianToSource > 0.6, `to B ${good.medianToTarget.toFixed(3)}, to A ${good.medianToSource.toFixed(3)}`);
  assert.is(bad.identityShare, 0, 'A returned unchanged never reads as B');
  assert.ok(bad.medianToTarget > 0.6 && bad.medianToSource < 0.4, `to B ${bad.medianToTarget.toFixed(3)}, to A ${bad.medianToSource.toFixed(3)}`);
  assert.ok(bad.reconstructionSsim > 0.99, `an identity model reconstructs: SSIM ${bad.reconstructionSsim}`);
  assert.ok(bad.maskSsim > 0.9 && good.maskSsim < bad.maskSsim, `Mask-SSIM: unchanged face ${bad.maskSsim.toFixed(3)}, B's face ${good.maskSsim.toFixed(3)}`);
  assert.equal(good.faces, { source: 4, target: 4 });
  // the batched scores are the per-face ones (each face scored alone, as the probe did before), within 1e-6
  const toFloat = (img: { data: Uint8Array }) => Float32Array.from(img.data, (v) => v / 255);
  for (const [model, entry] of [[oracle, good], [identity, bad]] as const) {
    const swapped = await swapFaces(model, a.crops, 'a-to-b', { coverage: COVERAGE });
    let sum = 0;
    for (const [k, f] of swapped.entries()) sum += await maskSsim(toFloat(f), toFloat(a.crops[k]!), toFloat(a.masks[k]!), f.width, f.height);
    assert.ok(Math.abs(entry.maskSsim - sum / swapped.length) < 1e-6, `Mask-SSIM batched ${entry.maskSsim} vs per face ${sum / swapped.length}`);
  }
  let rb = 0;
  for (const c of b.crops) rb += await ssim(await modelInput(c, 64, COVERAGE), bInput, 64, 64);
  const want = (1 + rb / b.crops.length) / 2; // decoder A returns its input (SSIM 1), decoder B draws B's first face
  assert.ok(Math.abs(good.reconstructionSsim - want) < 1e-6, `reconstruction SSIM batched ${good.reconstructionSsim} vs per face ${want}`);
  assert.equal([good.iteration, good.minutes], [10, 1]);
});

test.run();
