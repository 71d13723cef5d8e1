/**
 * The autoencoder: shapes for every preset and upsample option, pixel shuffle equals
 * depth-to-space, and each upsample option trains on wasm on real face crops with no leaks.
 *
 * @tier e2e (builds every preset, trains each upsample option)
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PRESETS, UPSAMPLES, modelArchitecture } from '../../src/config/model.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { buildAutoencoder, countParams } from '../../src/model/autoencoder.ts';
import { PixelShuffle } from '../../src/model/pixel-shuffle.ts';
import { faceCrop } from '../helpers/data.ts';
import { randomArray } from '../helpers/numbers.ts';

const test = suite('model/autoencoder');
test.before(async () => {
  await selectBackend('wasm');
});

for (const preset of PRESETS) {
  test(`${preset}: encoder to 8x8, decoders back to the input size, for every upsample option`, () => {
    for (const upsample of UPSAMPLES) {
      const arch = modelArchitecture(preset, upsample);
      const before = tf.memory().numTensors;
      // seeded: the claim is about shapes, and a seeded build draws glorot-uniform weights, 3-4x
      // faster than tfjs's default truncated normal (one rejection-sampled value at a time)
      const ae = buildAutoencoder(arch, 1);
      const s = arch.inputSize;
      assert.equal(ae.encoder.inputs[0]!.shape, [null, s, s, 3]);
      assert.equal(ae.encoder.outputs[0]!.shape, [null, 8, 8, arch.encoderUpChannels], `${preset}/${upsample} encoder`);
      for (const d of [ae.decoderA, ae.decoderB]) assert.equal(d.outputs[0]!.shape, [null, s, s, 3], `${preset}/${upsample} decoder`);
      if (preset === 'small' && upsample === 'transpose') {
        assert.ok(ae.encoder.layers.some((l) => l.getClassName() === 'Conv2DTranspose'));
        assert.ok(countParams([ae.encoder, ae.decoderA, ae.decoderB]) > 1e6);
      }
      if (preset !== 'original') {
        const x = tf.zeros([1, s, s, 3]) as tf.Tensor4D;
        const y = ae.reconstruct(x, 'b');
        assert.equal(y.shape, [1, s, s, 3]);
        tf.dispose([x, y]);
      }
      ae.dispose();
      assert.is(tf.memory().numTensors, before, `${preset}/${upsample}: dispose frees every weight`);
    }
  });
}

test('pixel shuffle equals tf.depthToSpace', () => {
  const x = tf.tensor4d(randomArray(2 * 3 * 5 * 8, 3), [2, 3, 5, 8]);
  const a = new PixelShuffle({}).apply(x) as tf.Tensor;
  const b = tf.depthToSpace(x, 2);
  assert.equal(a.shape, [2, 6, 10, 2]);
  assert.equal(Array.from(a.dataSync()), Array.from(b.dataSync()));
  tf.dispose([x, a, b]);
});

for (const upsample of UPSAMPLES) {
  test(`tiny/${upsample}: A and B train through the shared encoder on real faces, loss falls, no leaks`, async () => {
    const arch = modelArchitecture('tiny', upsample);
    // Seeded: from an unseeded start, 25 steps lowered the loss by 28-45% on most draws but by
    // only 19% on one (a CI run), so the test depended on the draw.
    const ae = buildAutoencoder(arch, 1);
    const a = tf.tensor4d(await faceCrop('a', 64), [1, 64, 64, 3]);
    const b = tf.tensor4d(await faceCrop('b', 64), [1, 64, 64, 3]);
    const opt = tf.train.adam(1e-3);
    const step = () =>
      tf.tidy(() => {
        const la = opt.minimize(() => tf.mean(tf.abs(tf.sub(ae.reconstruct(a, 'a'), a))) as tf.Scalar, true, [...ae.encoder.trainableWeights, ...ae.decoderA.trainableWeights].map((w) => w.read() as tf.Variable))!;
        const lb = opt.minimize(() => tf.mean(tf.abs(tf.sub(ae.reconstruct(b, 'b'), b))) as tf.Scalar, true, [...ae.encoder.trainableWeights, ...ae.decoderB.trainableWeights].map((w) => w.read() as tf.Variable))!;
        return la.dataSync()[0]! + lb.dataSync()[0]!;
      });
    const first = step();
    const n = tf.memory().numTensors;
    let last = first;
    // 20 steps: the loss (seeded) is down to 0.35-0.66 of the first by then on every option
    for (let i = 0; i < 20; i++) last = step();
    assert.is(tf.memory().numTensors, n, 'a training step leaks no tensors');
    assert.ok(last < first * 0.8, `loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);
    tf.dispose([a, b]);
    opt.dispose();
    ae.dispose();
  });
}

test.run();
