/**
 * The dense forward pass on wasm while training (src/engine/wasm-dense.ts): the transposed
 * product is taken for the `original` net's dense layers at batch 16 in a training step and not
 * at inference, for other activations, transposed operands or large batches; its values and
 * gradients equal the cpu backend's (relative error < 1e-5, with and without bias), and it
 * leaves nothing behind.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { fusedMatMulWasm, recordingGradients, transposedDense } from '../../src/engine/wasm-dense.ts';
import { randomArray, relativeError } from '../helpers/numbers.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';

const test = suite('engine/wasm-dense');

test.before(async () => {
  await selectBackend('wasm');
});
test.after(async () => {
  await tf.setBackend('wasm');
});

const info = (shape: number[], dtype: 'float32' | 'int32' = 'float32') => ({ dataId: {}, shape, dtype }) as tf.TensorInfo;
const plain = { transposeA: false, transposeB: false, activation: 'linear' };

test('which products are computed transposed', () => {
  assert.is(tf.getKernel('_FusedMatMul', 'wasm')?.kernelFunc, fusedMatMulWasm);
  assert.ok(transposedDense(info([1, 16, 16384]), info([1, 16384, 1024]), plain, false, true), 'original enc_latent while training');
  assert.ok(transposedDense(info([1, 16, 1024]), info([1, 1024, 16384]), plain, false, true), 'original enc_expand while training');
  assert.not.ok(transposedDense(info([1, 16, 16384]), info([1, 16384, 1024]), plain, false, false), 'inference: the packed weights are cached');
  assert.not.ok(transposedDense(info([1, 64, 16384]), info([1, 16384, 1024]), plain, false, true), 'a large batch');
  assert.not.ok(transposedDense(info([1, 16, 16384]), info([1, 16384, 1024]), { ...plain, activation: 'relu' }, false, true), 'an activation');
  assert.not.ok(transposedDense(info([1, 16, 16384]), info([1, 1024, 16384]), { ...plain, transposeB: true }, false, true), 'a transposed operand');
  assert.not.ok(transposedDense(info([1, 16, 64]), info([1, 64, 64]), plain, false, true), 'small weights');
  assert.not.ok(transposedDense(info([2, 16, 300]), info([2, 300, 300]), plain, false, true), 'a batch of products');
});

/** A dense layer's output and its gradients (x, W, b) on a backend, inside a gradient tape. */
async function denseGrads(backend: string, withBias: boolean): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const x = tf.tensor(randomArray(16 * 300, 1), [16, 300]);
  const w = tf.tensor(randomArray(300 * 400, 2, 0.1), [300, 400]);
  const b = tf.tensor(randomArray(400, 3), [400]);
  const u = tf.tensor(randomArray(16 * 400, 4), [16, 400]);
  let y: tf.Tensor | null = null;
  let recorded = false;
  const f = (xx: tf.Tensor, ww: tf.Tensor, bb?: tf.Tensor) => {
    // the kernel below takes the transposed path: a tape records, and the shapes qualify
    recorded = recordingGradients() && transposedDense({ ...xx, shape: [1, ...xx.shape] } as tf.TensorInfo, { ...ww, shape: [1, ...ww.shape] } as tf.TensorInfo, plain, false, true);
    const out = tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb });
    y = tf.keep(out.clone());
    return tf.sum(tf.mul(out, u));
  };
  const grads = withBias ? tf.grads(f)([x, w, b]) : tf.grads((xx: tf.Tensor, ww: tf.Tensor) => f(xx, ww))([x, w]);
  assert.ok(recorded, 'the product was computed transposed');
  assert.not.ok(recordingGradients(), 'no tape outside tf.grads');
  const out = [(await y!.data()) as Float32Array, ...(await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>)))];
  tf.dispose([x, w, b, u, y!, ...grads]);
  return out;
}

test('in a training step: the values and gradients of the cpu backend', async () => {
  for (const withBias of [true, false]) {
    const want = await denseGrads('cpu', withBias);
    const got = await denseGrads('wasm', withBias);
    got.forEach((g, i) => assert.ok(relativeError(g, want[i]!) < 1e-5, `${withBias ? 'with' : 'without'} bias, array ${i}: ${relativeError(g, want[i]!)}`));
  }
});

test('no tensors or backend buffers are left behind', async () => {
  await tf.setBackend('wasm');
  let withBias = true;
  await assertNoLeaks(async () => {
    await denseGrads('wasm', withBias);
    withBias = !withBias;
  });
});

test.run();
