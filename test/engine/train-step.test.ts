/**
 * A conv + dense + conv2dTranspose autoencoder trains on wasm: real face crops, Adam, MAE; the loss
 * falls and no tensor is leaked by the training steps. The Janus autoencoder on wasm (Janus's
 * kernels, LeanAdam) follows the cpu backend's loss curve and ends its updates on the same weights
 * (the tiny preset's layout at 32 px with fewer channels: tfjs's cpu backend pays by the pixel and
 * channel; wasm's kernels against cpu's over randomized shapes: wasm-kernels-random.test.ts).
 *
 * @tier e2e (trains on wasm and cpu)
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { buildAutoencoder } from '../../src/model/autoencoder.ts';
import { LeanAdamOptimizer } from '../../src/model/lean-adam.ts';
import { faceCrop } from '../helpers/data.ts';
import { smallTiny } from '../helpers/models.ts';

const test = suite('engine/train-step');

function tinyAutoencoder(): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3] });
  let h = tf.layers.conv2d({ filters: 8, kernelSize: 5, strides: 2, padding: 'same' }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.leakyReLU({ alpha: 0.1 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.leakyReLU({ alpha: 0.1 }).apply(h) as tf.SymbolicTensor;
  // dense bottleneck, as the real encoder has
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 64 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 8 * 8 * 16 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.reshape({ targetShape: [8, 8, 16] }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.leakyReLU({ alpha: 0.1 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.leakyReLU({ alpha: 0.1 }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.conv2d({ filters: 3, kernelSize: 5, padding: 'same', activation: 'sigmoid' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

test('a conv + conv2dTranspose model trains on wasm: loss falls, no tensor leaks', async () => {
  const sel = await selectBackend('wasm');
  assert.is(sel.backend, 'wasm');
  const faces = [await faceCrop('a', 32), await faceCrop('b', 32)];
  const batch = tf.tensor4d(Float32Array.from([...faces[0]!, ...faces[1]!]), [2, 32, 32, 3]);
  const model = tinyAutoencoder();
  const optimizer = tf.train.adam(3e-3);
  const step = () =>
    tf.tidy(() => {
      const cost = optimizer.minimize(() => tf.mean(tf.abs(tf.sub(model.apply(batch) as tf.Tensor, batch))) as tf.Scalar, true);
      return cost!.dataSync()[0]!;
    });
  const first = step(); // creates Adam's slots
  const tensorsAfterFirst = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 40; i++) last = step();
  assert.is(tf.memory().numTensors, tensorsAfterFirst, 'training steps leak no tensors');
  assert.ok(Number.isFinite(last), `loss is finite (${last})`);
  if (process.env.JANUS_TEST_VERBOSE) console.log({ first, last });
  assert.ok(last < first * 0.8, `loss fell from ${first.toFixed(4)} to ${last.toFixed(4)}`);
  model.dispose();
  optimizer.dispose();
  batch.dispose();
});

test('the Janus autoencoder (tiny layout at 32 px) trains on wasm with the same loss curve and weights as on the cpu backend', async () => {
  // two steps on both (two updates, each checked on every weight), and two more on wasm alone for
  // the falling loss
  const curves: number[][] = [];
  const weights: Float32Array[][] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    await selectBackend(backend);
    const arch = smallTiny('transpose', false);
    const ae = buildAutoencoder(arch, 5);
    const s = arch.inputSize;
    const a = tf.tensor4d(await faceCrop('a', s), [1, s, s, 3]);
    const b = tf.tensor4d(await faceCrop('b', s), [1, s, s, 3]);
    const opt = new LeanAdamOptimizer(1e-3);
    const vars = ae.trainableWeights().map((w) => w.read() as tf.Variable);
    const step = () => tf.tidy(() => opt.minimize(() => tf.add(tf.mean(tf.abs(tf.sub(ae.reconstruct(a, 'a'), a))), tf.mean(tf.abs(tf.sub(ae.reconstruct(b, 'b'), b)))) as tf.Scalar, true, vars)!.dataSync()[0]!);
    const curve = [step(), step()];
    weights.push(vars.map((v) => v.dataSync() as Float32Array));
    if (backend === 'wasm') curve.push(step(), step());
    curves.push(curve);
    tf.dispose([a, b]);
    opt.dispose();
    ae.dispose();
  }
  const [cpu, wasm] = curves;
  cpu!.forEach((l, i) => assert.ok(Math.abs(wasm![i]! - l) / l < 1e-3, `step ${i}: cpu ${l}, wasm ${wasm![i]}`));
  // an Adam update moves a weight by about the rate (1e-3): a wrong or missing one shows far above this
  let worst = 0;
  weights[0]!.forEach((w, k) => w.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - weights[1]![k]![j]!)))));
  if (process.env.JANUS_TEST_VERBOSE) console.log({ worst });
  assert.ok(worst < 1e-6, `after two updates the weights agree (largest difference ${worst})`);
  assert.ok(wasm![3]! < wasm![0]!, `the loss falls (${wasm!.map((l) => l.toFixed(4)).join(' -> ')})`);
  await selectBackend('wasm');
});

test.run();
