/**
 * LeanAdamOptimizer: the same updates and the same saved state as tfjs's Adam, with a lower
 * memory peak per step, and no leaked tensors.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { modelArchitecture } from '../../src/config/model.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { buildAutoencoder } from '../../src/model/autoencoder.ts';
import { LeanAdamOptimizer } from '../../src/model/lean-adam.ts';
import { randomArray, relativeError } from '../helpers/numbers.ts';

const test = suite('model/lean-adam');
test.before(async () => {
  await selectBackend('wasm');
});

function setup(preset: 'tiny' | 'small', batch: number) {
  const arch = modelArchitecture(preset);
  const ae = buildAutoencoder(arch, 3);
  const s = arch.inputSize;
  const x = tf.tensor(randomArray(batch * s * s * 3, 9, 0.5).map((v) => v + 0.5), [batch, s, s, 3]) as tf.Tensor4D;
  const vars = ae.trainableWeights().map((w) => w.read() as tf.Variable);
  const loss = () => tf.add(tf.mean(tf.abs(tf.sub(ae.reconstruct(x, 'a'), x))), tf.mean(tf.abs(tf.sub(ae.reconstruct(x, 'b'), x)))) as tf.Scalar;
  return { ae, x, vars, loss };
}

test('the same weights and optimizer state as tf.train.adam after 3 steps', async () => {
  const results = [];
  for (const make of [() => tf.train.adam(1e-3), () => new LeanAdamOptimizer(1e-3)]) {
    const { ae, x, vars, loss } = setup('tiny', 4);
    const opt = make();
    for (let i = 0; i < 3; i++) tf.tidy(() => void opt.minimize(loss, false, vars));
    const weights = ae.trainableWeights().map((w) => w.read().dataSync().slice());
    const state = await opt.getWeights();
    // a second model's layers get a numeric suffix (kernel_1): compare names without it
    results.push({ weights, names: state.map((w) => w.name.replace(/_\d+\/(m|v)$/, '/$1')), state: state.map((w) => w.tensor.dataSync().slice()) });
    tf.dispose(state.filter((w) => w.name === 'iter').map((w) => w.tensor));
    opt.dispose();
    ae.dispose();
    x.dispose();
  }
  const [ref, lean] = results;
  assert.equal(lean!.names, ref!.names);
  ref!.weights.forEach((w, i) => assert.ok(relativeError(lean!.weights[i]!, w) < 1e-5, `weight ${i}`));
  ref!.state.forEach((w, i) => assert.ok(relativeError(lean!.state[i]!, w) < 1e-5, `state ${ref!.names[i]}`));
});

test('the saved moments are named the same whatever the process built before (a second network of the same layers gets kernel_1 from tfjs)', async () => {
  const names: string[][] = [];
  for (let run = 0; run < 2; run++) {
    const { ae, x, vars, loss } = setup('tiny', 2);
    if (run === 1) assert.ok(vars.some((v) => /_\d+$/.test(v.name)), `tfjs suffixed the second network's variables: ${vars[0]!.name}`);
    const opt = new LeanAdamOptimizer(1e-3);
    tf.tidy(() => void opt.minimize(loss, false, vars));
    const state = await opt.getWeights();
    names.push(state.map((w) => w.name));
    tf.dispose(state.filter((w) => w.name === 'iter').map((w) => w.tensor));
    opt.dispose();
    ae.dispose();
    x.dispose();
  }
  assert.equal(names[1], names[0]);
});

test('a lower memory peak per step than tf.train.adam, and no leaks', async () => {
  const peaks: number[] = [];
  for (const make of [() => tf.train.adam(1e-4), () => new LeanAdamOptimizer(1e-4)]) {
    const { ae, x, vars, loss } = setup('small', 4);
    const opt = make();
    tf.tidy(() => void opt.minimize(loss, false, vars)); // creates the moments
    const before = tf.memory().numTensors;
    const p = await tf.profile(() => tf.tidy(() => void opt.minimize(loss, false, vars)));
    peaks.push(p.peakBytes);
    assert.is(tf.memory().numTensors, before, 'no tensor left behind by a step');
    opt.dispose();
    ae.dispose();
    x.dispose();
  }
  assert.ok(peaks[1]! < peaks[0]! * 0.9, `peak bytes per step: adam ${peaks[0]}, lean ${peaks[1]}`);
});

test.run();
