/**
 * LeakyReLU's gradient through Janus's LeakyReluGrad kernel on wasm, and wasm's Identity
 * sharing its buffer: the gradient equals the cpu backend's bit for bit (x > 0, x < 0 and
 * x = 0 exactly, alphas 0.1, 0.2 and 0.3) and can be differentiated again, a training step's kernels no longer include
 * Greater and Select, a clone costs no buffer and outlives its source, and nothing is left
 * behind.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { identityWasm, LEAKY_RELU_GRAD, leakyReluGradWasm } from '../../src/engine/wasm-activation.ts';
import { randomArray, relativeError } from '../helpers/numbers.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';

const test = suite('engine/wasm-activation');

test.before(async () => {
  await selectBackend('wasm');
});
test.after(async () => {
  await tf.setBackend('wasm');
});

test('the registered kernels are Janus\'s', () => {
  assert.is(tf.getKernel(LEAKY_RELU_GRAD, 'wasm')?.kernelFunc, leakyReluGradWasm);
  assert.is(tf.getKernel('Identity', 'wasm')?.kernelFunc, identityWasm);
  assert.not.ok(tf.getKernel(LEAKY_RELU_GRAD, 'cpu'), 'cpu keeps tfjs\'s own formula');
});

/** d/dx sum(leakyRelu(x) * w) on a backend: w itself where x > 0, alpha * w elsewhere. */
async function gradient(backend: string, x: Float32Array, w: Float32Array, alpha: number): Promise<Float32Array> {
  await tf.setBackend(backend);
  const xt = tf.tensor(x, [x.length]);
  const wt = tf.tensor(w, [w.length]);
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(v, alpha), wt)))(xt);
  const out = (await g.data()) as Float32Array;
  tf.dispose([xt, wt, g]);
  return out;
}

test('the gradient equals the cpu backend\'s bit for bit, zeros and signs included', async () => {
  const n = 4099;
  const x = randomArray(n, 3);
  x[0] = 0;
  x[1] = -0;
  x[2] = 1e-30;
  x[3] = -1e-30;
  const w = randomArray(n, 4, 10);
  for (const alpha of [0.1, 0.2, 0.3]) {
    const want = await gradient('cpu', x, w, alpha);
    const got = await gradient('wasm', x, w, alpha);
    assert.equal(Array.from(got), Array.from(want), `alpha ${alpha}`);
    assert.is(got[0], Math.fround(Math.fround(alpha) * w[0]!), 'x = 0 takes the alpha side (x > 0 is false)');
    assert.is(got[2], w[2], 'a tiny positive x passes dy through');
  }
});

test('differentiable twice (a gradient penalty through LeakyReluGrad), as on the cpu backend', async () => {
  const x = randomArray(257, 13);
  const u = randomArray(257, 14);
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const xt = tf.tensor(x);
    const ut = tf.tensor(u);
    // d/du of sum(g(u)^2), g(u) = d/dx sum(leakyRelu(x) * u): LeakyReluGrad(u, x), differentiated in dy
    const g = tf.grad((uu: tf.Tensor) => tf.sum(tf.square(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(v, 0.2), uu)))(xt))))(ut);
    const out = (await g.data()) as Float32Array;
    tf.dispose([xt, ut, g]);
    return out;
  };
  const want = await run('cpu');
  const got = await run('wasm');
  assert.ok(relativeError(got, want) < 1e-6, `relative error ${relativeError(got, want)}`);
});

test('a training step on wasm runs LeakyReluGrad, not Greater and Select', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor(randomArray(2 * 8 * 8 * 3, 5), [2, 8, 8, 3]) as tf.Tensor4D;
  const f = tf.variable(tf.tensor(randomArray(3 * 3 * 3 * 4, 6, 0.5), [3, 3, 3, 4]) as tf.Tensor4D);
  const info = await tf.profile(() => {
    const { grads } = tf.variableGrads(() => tf.sum(tf.leakyRelu(tf.conv2d(x, f, 1, 'same'), 0.1)) as tf.Scalar, [f]);
    tf.dispose(Object.values(grads));
  });
  const names = info.kernels.map((k) => k.name);
  assert.ok(names.includes(LEAKY_RELU_GRAD), names.join(', '));
  assert.not.ok(names.includes('Greater') || names.includes('Select'), names.join(', '));
  tf.dispose([x, f]);
});

test('a clone shares its source\'s buffer and outlives it', async () => {
  await tf.setBackend('wasm');
  const ids = tf.backend().numDataIds();
  const a = tf.tensor([1, 2, 3, 4], [2, 2]);
  const b = tf.clone(a);
  assert.is(tf.backend().numDataIds(), ids + 1, 'one buffer for the two');
  a.dispose();
  assert.equal(Array.from(await b.data()), [1, 2, 3, 4]);
  const c = tf.add(b, 1); // ops on the clone read the shared buffer
  assert.equal(Array.from(await c.data()), [2, 3, 4, 5]);
  tf.dispose([b, c]);
  assert.is(tf.backend().numDataIds(), ids, 'the buffer goes with the last reference');
});

test('no tensors or backend buffers are left behind', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor(randomArray(600, 7), [600]);
  await assertNoLeaks(() => tf.dispose([tf.grad((v: tf.Tensor) => tf.sum(tf.leakyRelu(v, 0.2)))(x), tf.clone(x)]));
  x.dispose();
});

test.run();
