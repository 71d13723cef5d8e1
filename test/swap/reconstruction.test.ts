/**
 * Reconstruction scores (metrics.json's PSNR/SSIM per identity): faces scored 16 at a time (one
 * readback for the images, one for the SSIMs) give what each real face scored alone gives,
 * within 1e-6; nothing leaks.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelArchitecture } from '../../src/config/model.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { writeImage } from '../../src/media/image.ts';
import { buildAutoencoder } from '../../src/model/autoencoder.ts';
import type { KeptFace } from '../../src/swap/kept-faces.ts';
import { psnr, reconstruction, ssim } from '../../src/swap/metrics.ts';
import { loadFaces } from '../../src/train/face-set.ts';
import { faceCrop } from '../helpers/data.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('swap/reconstruction');
const tmp = tempDir('reconstruction');
test.after(() => tmp.cleanup());

test('a batch scores each real face as it scores alone (within 1e-6)', async () => {
  await selectBackend('wasm');
  const ae = buildAutoencoder(modelArchitecture('tiny'), 7);
  const dir = join(tmp.dir, 'faces');
  mkdirSync(dir, { recursive: true });
  const faces: KeptFace[] = [];
  for (const [i, who] of (['a', 'b', 'a', 'b', 'a'] as const).entries()) {
    const face = join(dir, `${i}.png`);
    const data = Uint8Array.from(await faceCrop(who, 96 + i * 4), (v) => Math.round(v * 255));
    await writeImage(face, { width: 96 + i * 4, height: 96 + i * 4, data });
    faces.push({ id: String(i), frame: i, face, mask: face, matrix: [1, 0, 0, 0, 1, 0] });
  }
  const coverage = 0.75;
  const before = tf.memory().numTensors;
  const got = (await reconstruction(ae, coverage, faces, 'a'))!;
  assert.is(tf.memory().numTensors, before, 'no tensor left behind');
  // one face at a time
  const s = ae.arch.inputSize;
  const input = await loadFaces(faces.map((f) => f.face), s, coverage);
  let p = 0;
  let q = 0;
  for (const x of input) {
    const y = tf.tidy(() => ae.reconstruct(tf.tensor4d(x, [1, s, s, 3]), 'a'));
    const r = (await y.data()) as Float32Array;
    y.dispose();
    p += psnr(x, r);
    q += await ssim(x, r, s, s);
  }
  assert.is(got.faces, 5);
  assert.ok(Math.abs(got.ssim - q / 5) < 1e-6, `SSIM batched ${got.ssim} vs alone ${q / 5}`);
  assert.ok(Math.abs(got.psnr - p / 5) < 1e-6, `PSNR batched ${got.psnr} vs alone ${p / 5}`);
  assert.ok(got.ssim < 0.9, 'an untrained model does not reconstruct');
  assert.is(await reconstruction(ae, coverage, [], 'a'), null);
  ae.dispose();
});

test.run();
