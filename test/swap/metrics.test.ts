/**
 * Swap metrics: PSNR and SSIM on known cases; the recognition descriptor of an aligned crop
 * (describeFace on the template box) agrees with face-api's own detection descriptor and tells
 * the two sample identities apart; descriptors of crops on disk are remembered until the file changes.
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { alignFace, templateInCrop } from '../../src/face/align.ts';
import { describeFace, descriptorDistance, detectFaces } from '../../src/face/face-api.ts';
import { fileDescriptors, rememberedDescriptors } from '../../src/face/file-descriptors.ts';
import { writeImage } from '../../src/media/image.ts';
import { readFrame } from '../../src/media/decode.ts';
import { identityDistances, psnr, ssim } from '../../src/swap/metrics.ts';
import { SAMPLE_A, SAMPLE_B, requireSamples, tempDir } from '../helpers/fixtures.ts';
import { rng } from '../helpers/numbers.ts';
import { faceApi } from '../helpers/faces.ts';

const test = suite('swap/metrics');
const tmp = tempDir('metrics');
test.before(() => requireSamples());

test('PSNR and SSIM: identical images, noise, a constant shift', async () => {
  const r = rng(3);
  const n = 32 * 32 * 3;
  const a = Float32Array.from({ length: n }, () => r());
  assert.is(psnr(a, a), 120);
  assert.ok(Math.abs((await ssim(a, a, 32, 32)) - 1) < 1e-6);
  const noisy = a.map((v) => Math.min(1, Math.max(0, v + (r() - 0.5) * 0.2)));
  const p = psnr(a, noisy);
  assert.ok(p > 18 && p < 30, `PSNR ${p}`);
  const s = await ssim(a, noisy, 32, 32);
  assert.ok(s > 0.5 && s < 0.99, `SSIM ${s}`);
  const shifted = a.map((v) => v * 0.5 + 0.1);
  assert.ok(Math.abs(psnr(shifted, a.map((v) => v * 0.5 + 0.2)) - 20) < 1e-3, 'a uniform 0.1 error is 20 dB');
});

test('describeFace on an aligned crop matches the detection descriptor and separates identities', async () => {
  const fa = await faceApi();
  const settings = { size: 256, coverage: 1.6 };
  const crops = [];
  for (const [file, index, pick] of [
    [SAMPLE_A, 10, 0],
    [SAMPLE_A, 90, 0],
    [SAMPLE_B, 40, -1],
  ] as const) {
    const frame = await readFrame(file, index);
    const faces = await detectFaces(fa, frame, { detector: 'ssd', minScore: 0.5 });
    const face = pick === 0 ? faces[0]! : faces.reduce((p, q) => (q.box.width > p.box.width ? q : p));
    crops.push({ face, aligned: alignFace(frame, face.landmarks, settings) });
  }
  const points = templateInCrop(settings);
  const d = await Promise.all(crops.map((c) => describeFace(fa, c.aligned.image, points)));
  const own = descriptorDistance(d[0]!, crops[0]!.face.descriptor!);
  assert.ok(own < 0.35, `crop vs detection descriptor of the same face: ${own.toFixed(3)}`);
  const same = descriptorDistance(d[0]!, d[1]!);
  const other = descriptorDistance(d[0]!, d[2]!);
  assert.ok(same < 0.4, `same person, two frames: ${same.toFixed(3)}`);
  assert.ok(other > 0.6, `sample a vs sample b: ${other.toFixed(3)}`);
  const r = identityDistances([d[1]!, d[2]!], d[0]!, d[2]!);
  assert.is(r.closerToTarget, 0.5);

  // descriptors of crops on disk are remembered by file identity: a rewritten file is described again
  const file = join(tmp.dir, 'face.png');
  await writeImage(file, crops[0]!.aligned.image);
  const before = rememberedDescriptors();
  const [first] = await fileDescriptors(fa, [file], settings);
  assert.ok(descriptorDistance(first!, d[0]!) < 0.02, 'the file (PNG) describes as the crop did');
  assert.is(rememberedDescriptors(), before + 1);
  const [again] = await fileDescriptors(fa, [file], settings);
  assert.equal(again, first);
  assert.is(rememberedDescriptors(), before + 1, 'the same file is not described twice');
  await writeImage(file, crops[2]!.aligned.image);
  const [rewritten] = await fileDescriptors(fa, [file], settings);
  assert.ok(descriptorDistance(rewritten!, d[2]!) < 0.02, 'the rewritten file is described afresh');
  assert.is(rememberedDescriptors(), before + 2);
});

test.after(() => tmp.cleanup());

test.run();
