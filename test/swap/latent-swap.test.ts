/**
 * The latent swap: faces go through the shared encoder and the other decoder, in batches,
 * come back at the crop size, differ by direction, and leak nothing. (Issue 6, in progress.)
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelArchitecture } from '../../src/config/model.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import type { RgbImage } from '../../src/media/image.ts';
import { buildAutoencoder } from '../../src/model/autoencoder.ts';
import { swapFaces } from '../../src/swap/latent-swap.ts';
import { faceCrop } from '../helpers/data.ts';

const test = suite('swap/latent-swap');

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

test.run();
