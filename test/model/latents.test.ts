/**
 * The latent encoder: one vector of the bottleneck's size per crop, the same vector for the
 * same crop whatever the batching, and no tensor left behind by encoding or by dispose.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelArchitecture } from '../../src/config/model.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { buildAutoencoder } from '../../src/model/autoencoder.ts';
import { latentEncoder } from '../../src/model/latents.ts';
import type { RgbImage } from '../../src/util/geometry.ts';
import { rng } from '../helpers/numbers.ts';

const test = suite('model/latents');
test.before(async () => {
  await selectBackend('wasm');
});

function crops(n: number, size: number, seed: number): RgbImage[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({ width: size, height: size, data: Uint8Array.from({ length: size * size * 3 }, () => Math.floor(r() * 256)) }));
}

test('a vector per crop, the same whatever the batch size; encoding and dispose leave no tensors', async () => {
  const start = tf.memory().numTensors;
  const ae = buildAutoencoder(modelArchitecture('tiny'), 1);
  const withModel = tf.memory().numTensors;
  const faces = crops(5, 96, 3);
  const enc = latentEncoder(ae, 0.75);
  assert.is(enc.dims, ae.arch.latent);
  const one = await enc.encode(faces, 32);
  const twos = await enc.encode(faces, 2); // two full batches and a partial one
  assert.is(one.length, 5);
  for (const [k, v] of one.entries()) {
    assert.is(v.length, enc.dims);
    assert.ok(v.every(Number.isFinite));
    for (let i = 0; i < v.length; i++) assert.ok(Math.abs(v[i]! - twos[k]![i]!) < 1e-5, `face ${k} dim ${i}`);
  }
  assert.ok(one[0]!.some((x, i) => Math.abs(x - one[1]![i]!) > 1e-4), 'different crops, different vectors');
  assert.equal(await enc.encode([]), []);
  assert.is(tf.memory().numTensors, withModel, 'encode leaves no tensors');
  enc.dispose();
  assert.is(tf.memory().numTensors, withModel, 'the encoder shares the model: dispose frees nothing of it');
  ae.dispose();
  assert.is(tf.memory().numTensors, start, 'disposing the model frees everything');
});

test.run();
