/**
 * The wasm backend's training kernels (ours and tfjs's) against the cpu backend: gradients of
 * conv2d and conv2dTranspose with respect to input and filter, strides 1 and 2, padding same
 * and valid, kernels 3 and 5, on odd sizes so edge rows and columns matter.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { convGradients, convShapes, type ConvCase } from '../helpers/conv-grads.ts';
import { randomArray, relativeError } from '../helpers/numbers.ts';

const test = suite('engine/wasm-gradients');

interface Case {
  op: 'conv2d' | 'conv2dTranspose';
  stride: 1 | 2;
  pad: 'same' | 'valid';
  k: 3 | 5;
}

/** conv2d on 11x11 (odd, so edge rows and columns matter), conv2dTranspose from 5x5; 3 -> 4 channels. */
async function gradients(c: Case, backend: string) {
  const cc: ConvCase = { ...c, n: 2, h: c.op === 'conv2d' ? 11 : 5, w: c.op === 'conv2d' ? 11 : 5, ci: 3, co: 4 };
  const r = await convGradients(cc, backend);
  assert.equal(r.shape, convShapes(cc).y, `output shape of ${JSON.stringify(c)}`);
  return r;
}

test.before(async () => {
  await selectBackend('wasm');
});
test.after(async () => {
  await tf.setBackend('wasm');
});

for (const op of ['conv2d', 'conv2dTranspose'] as const) {
  for (const stride of [1, 2] as const) {
    for (const pad of ['same', 'valid'] as const) {
      for (const k of [3, 5] as const) {
        const c: Case = { op, stride, pad, k };
        test(`${op} stride ${stride} pad ${pad} k ${k}: wasm gradients equal cpu's`, async () => {
          const ref = await gradients(c, 'cpu');
          const got = await gradients(c, 'wasm');
          const ex = relativeError(got.dx, ref.dx);
          const ef = relativeError(got.df, ref.df);
          assert.ok(ex < 1e-4, `input gradient relative error ${ex}`);
          assert.ok(ef < 1e-4, `filter gradient relative error ${ef}`);
        });
      }
    }
  }
}

test('the filter-gradient kernel leaks no tensors', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor(randomArray(2 * 9 * 9 * 3, 4), [2, 9, 9, 3]) as tf.Tensor4D;
  const f = tf.tensor(randomArray(3 * 3 * 3 * 4, 5), [3, 3, 3, 4]) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const beforeBytes = tf.memory().numBytes;
  for (let i = 0; i < 3; i++) {
    const g = tf.grad((ff: tf.Tensor) => tf.conv2d(x, ff as tf.Tensor4D, 2, 'same').sum())(f);
    g.dispose();
  }
  assert.is(tf.memory().numTensors, before);
  assert.is(tf.memory().numBytes, beforeBytes);
  tf.dispose([x, f]);
});

test('conv2dTranspose with an output shape that does not fit its input is refused, naming both shapes', async () => {
  await tf.setBackend('wasm');
  const x = tf.ones([1, 8, 8, 4]) as tf.Tensor4D;
  const f = tf.ones([3, 3, 2, 4]) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  // a valid 3x3 stride-2 convolution of 15x15 gives 7x7, not 8x8
  assert.throws(() => tf.conv2dTranspose(x, f, [1, 15, 15, 2], 2, 'valid'), /gives \[1, 7, 7, 4\], but dy is \[1, 8, 8, 4\]/);
  assert.is(tf.memory().numTensors, before);
  const ok = tf.conv2dTranspose(x, f, [1, 17, 17, 2], 2, 'valid');
  assert.equal(ok.shape, [1, 17, 17, 2]);
  tf.dispose([x, f, ok]);
});

test.run();
