/**
 * The wasm backend's training kernels (ours and tfjs's) against the cpu backend: gradients of
 * conv2d and conv2dTranspose with respect to input and filter, strides 1 and 2, padding same
 * and valid, kernels 3 and 5, on odd sizes so edge rows and columns matter.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { randomArray, relativeError } from '../helpers/data.ts';

const test = suite('engine/wasm-gradients');

type Op = 'conv2d' | 'conv2dTranspose';
interface Case {
  op: Op;
  stride: 1 | 2;
  pad: 'same' | 'valid';
  k: 3 | 5;
}

const N = 2;
const CI = 3;
const CO = 4;

/** Input shape, filter shape, output shape of the case. */
type Shape4 = [number, number, number, number];
function shapes(c: Case): { x: Shape4; f: Shape4; y: Shape4 } {
  if (c.op === 'conv2d') {
    const h = 11;
    const oh = c.pad === 'same' ? Math.ceil(h / c.stride) : Math.floor((h - c.k) / c.stride) + 1;
    return { x: [N, h, h, CI], f: [c.k, c.k, CI, CO], y: [N, oh, oh, CO] };
  }
  const h = 5; // conv2dTranspose: input [N, h, h, CO] -> output [N, oh, oh, CI]
  const oh = c.pad === 'same' ? h * c.stride : (h - 1) * c.stride + c.k;
  return { x: [N, h, h, CO], f: [c.k, c.k, CI, CO], y: [N, oh, oh, CI] };
}

async function gradients(c: Case, backend: string): Promise<{ dx: Float32Array; df: Float32Array }> {
  await tf.setBackend(backend);
  const s = shapes(c);
  const size = (sh: Shape4) => sh.reduce((a, b) => a * b, 1);
  const x = tf.tensor(randomArray(size(s.x), 1), s.x) as tf.Tensor4D;
  const f = tf.tensor(randomArray(size(s.f), 2, 0.5), s.f) as tf.Tensor4D;
  const w = tf.tensor(randomArray(size(s.y), 3), s.y) as tf.Tensor4D;
  const loss = (xx: tf.Tensor, ff: tf.Tensor) => {
    const y =
      c.op === 'conv2d'
        ? tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.stride, c.pad)
        : tf.conv2dTranspose(xx as tf.Tensor4D, ff as tf.Tensor4D, s.y, c.stride, c.pad);
    assert.equal(y.shape, s.y, `output shape of ${JSON.stringify(c)}`);
    return tf.sum(tf.mul(y, w));
  };
  const [dx, df] = tf.grads(loss)([x, f]);
  const out = { dx: (await dx!.data()) as Float32Array, df: (await df!.data()) as Float32Array };
  tf.dispose([x, f, w, dx!, df!]);
  return out;
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

test.run();
