/**
 * The latent swap: faces go through the shared encoder and the other decoder, in batches,
 * come back at the crop size, differ by direction, and leak nothing; the coverage square is
 * the same in training and swap.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelArchitecture } from '../../src/config/model.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import type { RgbImage } from '../../src/util/geometry.ts';
import { buildAutoencoder } from '../../src/model/autoencoder.ts';
import { swapFaces, swapFacesWithMasks } from '../../src/swap/latent-swap.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeImage } from '../../src/media/image.ts';
import type { Autoencoder } from '../../src/model/autoencoder.ts';
import { coverageBox, inputBatch, modelInput } from '../../src/model/input.ts';
import { loadFaceSet } from '../../src/train/face-set.ts';
import { faceCrop } from '../helpers/data.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('swap/latent-swap');
const tmp = tempDir('latent-swap');

test('A through decoder B, in batches, at the crop size, no leaks', async () => {
  await selectBackend('wasm');
  const ae = buildAutoencoder(modelArchitecture('tiny'), 5);
  const crop = async (who: 'a' | 'b'): Promise<RgbImage> => ({ width: 96, height: 96, data: Uint8Array.from(await faceCrop(who, 96), (v) => Math.round(v * 255)) });
  const crops = [await crop('a'), await crop('b'), await crop('a')];
  const before = tf.memory().numTensors;
  const ab = await swapFaces(ae, crops, 'a-to-b', { batchSize: 2 });
  const ba = await swapFaces(ae, crops, 'b-to-a', { batchSize: 2 });
  assert.is(tf.memory().numTensors, before);
  assert.is(ab.length, 3);
  assert.equal([ab[0]!.width, ab[0]!.height, ab[0]!.data.length], [96, 96, 96 * 96 * 3]);
  assert.ok(Buffer.compare(Buffer.from(ab[0]!.data), Buffer.from(ba[0]!.data)) !== 0, 'the two decoders differ');
  assert.ok(Buffer.compare(Buffer.from(ab[0]!.data), Buffer.from(ab[2]!.data)) === 0, 'the same face in another batch gives the same result');
  ae.dispose();
});

test('a batch pasted at once is each face pasted alone: faces and learned masks, byte for byte', async () => {
  await selectBackend('wasm');
  const ae = buildAutoencoder(modelArchitecture('tiny', 'transpose', true), 6);
  const crop = async (who: 'a' | 'b'): Promise<RgbImage> => ({ width: 96, height: 96, data: Uint8Array.from(await faceCrop(who, 96), (v) => Math.round(v * 255)) });
  const crops = [await crop('a'), await crop('b'), await crop('b')];
  const before = tf.memory().numTensors;
  const together = await swapFacesWithMasks(ae, crops, 'a-to-b', { batchSize: 3, coverage: 0.75 });
  const alone = await swapFacesWithMasks(ae, crops, 'a-to-b', { batchSize: 1, coverage: 0.75 });
  assert.is(tf.memory().numTensors, before);
  assert.equal(together.faces.map((f) => Array.from(f.data)), alone.faces.map((f) => Array.from(f.data)));
  assert.ok(together.masks && alone.masks && together.masks.length === 3, 'a model that learned masks gives one per face');
  assert.equal(together.masks!.map((m) => Array.from(m.data)), alone.masks!.map((m) => Array.from(m.data)));
  ae.dispose();
});

/** A stand-in model whose decoders compute `f` (no learned mask). */
const stub = (f: (faces: tf.Tensor4D) => tf.Tensor4D) => ({ arch: { inputSize: 64 }, reconstruct: f, reconstructWithMask: (x: tf.Tensor4D) => ({ rgb: f(x), mask: null }) }) as unknown as Autoencoder;

test('coverage: training input and swap use one crop; an identity model reproduces the face square and leaves the rest', async () => {
  await selectBackend('wasm');
  const size = 256;
  const crop: RgbImage = { width: size, height: size, data: Uint8Array.from(await faceCrop('a', size), (v) => Math.round(v * 255)) };
  const coverage = 0.75;
  const box = coverageBox(size, coverage);
  assert.equal(box, { left: 32, top: 32, side: 192 });
  // what training sees is what the swap feeds the model
  const x = await modelInput(crop, 64, coverage);
  const t = await inputBatch([crop], 64, coverage);
  assert.equal(Array.from(await t.data()), Array.from(x));
  t.dispose();
  // the training set loader cuts the same square
  const dir = join(tmp.dir, 'faces');
  mkdirSync(dir, { recursive: true });
  await writeImage(join(dir, '000001_0.png'), crop);
  const set = await loadFaceSet(dir, 64, { coverage });
  assert.equal(Array.from(set.faces[0]!), Array.from(x));
  // a model that returns its input: the swap gives back the crop (the square resampled, the rest untouched)
  const identity = stub((faces) => faces.clone());
  const before = tf.memory().numTensors;
  const [out] = await swapFaces(identity, [crop], 'a-to-b', { coverage });
  assert.is(tf.memory().numTensors, before);
  let outside = 0;
  let se = 0;
  let n = 0;
  for (let y = 0; y < size; y++)
    for (let xx = 0; xx < size; xx++)
      for (let c = 0; c < 3; c++) {
        const i = (y * size + xx) * 3 + c;
        const inside = xx >= box.left && xx < box.left + box.side && y >= box.top && y < box.top + box.side;
        if (!inside) outside += Math.abs(out!.data[i]! - crop.data[i]!);
        else if (xx >= box.left + 4 && xx < box.left + box.side - 4 && y >= box.top + 4 && y < box.top + box.side - 4) {
          se += ((out!.data[i]! - crop.data[i]!) / 255) ** 2;
          n++;
        }
      }
  assert.is(outside, 0, 'pixels outside the coverage square are the crop\'s');
  const psnr = 10 * Math.log10(n / se);
  assert.ok(psnr > 27, `the face square comes back (down to 64 px and up again): ${psnr.toFixed(1)} dB`);
  // and a model that returns grey changes only the square
  const grey = stub((faces) => tf.onesLike(faces).mul(0.5) as tf.Tensor4D);
  const [g] = await swapFaces(grey, [crop], 'a-to-b', { coverage });
  assert.is(g!.data[((box.top + 10) * size + box.left + 10) * 3], 128);
  assert.is(g!.data[(10 * size + 10) * 3], crop.data[(10 * size + 10) * 3]);
});

test.after(() => tmp.cleanup());
test.run();
