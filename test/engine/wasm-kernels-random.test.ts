/**
 * Janus's wasm convolution kernels (Conv2DBackpropFilter, Conv2DBackpropInput) against the cpu
 * backend over randomized shapes: batch 1-32, odd and even sizes, strides 1 and 2, padding
 * same and valid, kernels 1, 3 and 5, channels 1-64; gradients of conv2d and conv2dTranspose
 * with respect to input and filter, relative error < 1e-4. Also: the kernels are the ones
 * registered, and they leave no tensor or backend buffer behind. BatchMatMul (Janus's wrapper
 * making transposes explicit) against cpu for every transpose combination.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { batchMatMulWasm, conv2DBackpropFilterWasm, conv2DBackpropInputWasm, PACKING_VS_SCALAR_ADD } from '../../src/engine/wasm-kernels.ts';
import { convGradients, type ConvCase } from '../helpers/conv-grads.ts';
import { randomArray, relativeError, rng } from '../helpers/numbers.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';

const test = suite('engine/wasm-kernels-random');

type Case = ConvCase & { k: 1 | 3 | 5 };

/** Random cases, shrunk until the cpu backend computes them quickly (<= ~1M multiply-adds). */
function cases(count: number, seed: number): Case[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const out: Case[] = [];
  while (out.length < count) {
    const c: Case = { op: pick(['conv2d', 'conv2dTranspose'] as const), n: int(1, 32), h: int(5, r() < 0.3 ? 40 : 18), w: int(5, r() < 0.3 ? 40 : 18), ci: int(1, 64), co: int(1, 64), k: pick([1, 3, 5] as const), stride: pick([1, 2] as const), pad: pick(['same', 'valid'] as const) };
    if (c.pad === 'valid' && (c.h < c.k || c.w < c.k)) continue;
    while (c.n * c.h * c.w * c.ci * c.co * c.k * c.k > 1e6) {
      if (c.n > 1 && r() < 0.4) c.n = Math.ceil(c.n / 2);
      else if (c.ci > 1 && r() < 0.5) c.ci = Math.ceil(c.ci / 2);
      else if (c.co > 1) c.co = Math.ceil(c.co / 2);
      else c.n = Math.max(1, Math.ceil(c.n / 2));
    }
    out.push(c);
  }
  // the corners of the space, always
  out.push({ op: 'conv2d', n: 32, h: 6, w: 7, ci: 1, co: 64, k: 5, stride: 2, pad: 'same' });
  out.push({ op: 'conv2dTranspose', n: 1, h: 4, w: 5, ci: 64, co: 64, k: 3, stride: 2, pad: 'same' });
  out.push({ op: 'conv2dTranspose', n: 3, h: 5, w: 6, ci: 2, co: 3, k: 5, stride: 2, pad: 'valid' });
  out.push({ op: 'conv2d', n: 2, h: 9, w: 8, ci: 5, co: 3, k: 1, stride: 2, pad: 'valid' });
  // larger images: dy of 256 pixels and more
  out.push({ op: 'conv2d', n: 2, h: 33, w: 32, ci: 3, co: 4, k: 5, stride: 2, pad: 'same' });
  out.push({ op: 'conv2d', n: 1, h: 36, w: 35, ci: 2, co: 5, k: 3, stride: 2, pad: 'valid' });
  out.push({ op: 'conv2d', n: 1, h: 34, w: 33, ci: 2, co: 3, k: 1, stride: 2, pad: 'same' });
  out.push({ op: 'conv2dTranspose', n: 2, h: 17, w: 16, ci: 3, co: 4, k: 3, stride: 2, pad: 'same' });
  out.push({ op: 'conv2dTranspose', n: 1, h: 16, w: 18, ci: 2, co: 3, k: 5, stride: 2, pad: 'valid' });
  out.push({ op: 'conv2d', n: 1, h: 34, w: 32, ci: 32, co: 2, k: 3, stride: 2, pad: 'same' });
  out.push({ op: 'conv2dTranspose', n: 1, h: 16, w: 17, ci: 40, co: 2, k: 5, stride: 2, pad: 'same' });
  // 3x3 at stride 2 on larger images, odd and even sizes, both paddings
  out.push({ op: 'conv2dTranspose', n: 1, h: 16, w: 17, ci: 12, co: 5, k: 3, stride: 2, pad: 'same' });
  out.push({ op: 'conv2dTranspose', n: 2, h: 17, w: 16, ci: 9, co: 3, k: 3, stride: 2, pad: 'valid' });
  out.push({ op: 'conv2d', n: 1, h: 36, w: 34, ci: 10, co: 3, k: 3, stride: 2, pad: 'valid' });
  out.push({ op: 'conv2d', n: 1, h: 33, w: 35, ci: 16, co: 4, k: 3, stride: 2, pad: 'same' });
  return out;
}

const gradients = convGradients;

test.before(async () => {
  await selectBackend('wasm');
});
test.after(async () => {
  await tf.setBackend('wasm');
});

test('the registered wasm kernels are Janus\'s', () => {
  assert.is(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc, conv2DBackpropFilterWasm);
  assert.is(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc, conv2DBackpropInputWasm);
  assert.is(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc, batchMatMulWasm);
});

test('randomized shapes: wasm gradients equal the cpu backend\'s (relative error < 1e-4)', async () => {
  const failures: string[] = [];
  const all = cases(36, 7);
  for (const c of all) {
    const ref = await gradients(c, 'cpu');
    const got = await gradients(c, 'wasm');
    const ex = relativeError(got.dx, ref.dx);
    const ef = relativeError(got.df, ref.df);
    if (!(ex < 1e-4) || !(ef < 1e-4)) failures.push(`${JSON.stringify(c)}: dx ${ex}, df ${ef}`);
  }
  assert.equal(failures, [], failures.join('\n'));
  assert.ok(all.some((c) => c.n === 32) && all.some((c) => c.k === 1) && all.some((c) => c.h % 2 === 1) && all.some((c) => c.h % 2 === 0));
  assert.ok(all.filter((c) => c.stride === 2 && c.pad === 'valid').length >= 4, 'strided, valid padding');
  assert.ok(all.filter((c) => c.stride === 2 && c.pad === 'same').length >= 4, 'strided, same padding');
  assert.ok(all.filter((c) => c.stride === 2 && c.ci % 4 !== 0).length >= 4, 'strided with channels not a multiple of 4 (the SIMD overlap-add\'s scalar tail)');
  assert.ok(all.filter((c) => c.stride === 1).length >= 5, 'stride 1 is covered');
  // the input gradient's matmul puts dy or the filter second: both ways covered
  const dyRows = (c: Case) => (c.op === 'conv2dTranspose' ? c.n * c.h * c.w : c.pad === 'same' ? c.n * Math.ceil(c.h / 2) * Math.ceil(c.w / 2) : c.n * (Math.floor((c.h - c.k) / 2) + 1) * (Math.floor((c.w - c.k) / 2) + 1));
  const strided = all.filter((c) => c.stride === 2);
  const transposed = (c: Case) => {
    const taps = c.k * c.k * c.ci; // dy's channels are the filter's last axis (c.co) for both ops
    return c.co * (taps - dyRows(c)) > dyRows(c) * taps * PACKING_VS_SCALAR_ADD;
  };
  assert.ok(strided.filter(transposed).length >= 4, 'the transposed product (dy packed)');
  assert.ok(strided.filter((c) => !transposed(c)).length >= 4, 'the plain product (the filter packed)');
});

test('strides other than 2x2 ([1, 2], [2, 1], [3, 3], [3, 2]): input gradients equal the cpu backend\'s', async () => {
  const failures: string[] = [];
  for (const [sh, sw] of [[1, 2], [2, 1], [3, 3], [3, 2]] as const) {
    for (const pad of ['same', 'valid'] as const) {
      for (const [k, ci, co] of [[3, 5, 7], [5, 16, 4]] as const) {
        const x = randomArray(2 * 13 * 14 * ci, 21);
        const f = randomArray(k * k * ci * co, 22, 0.5);
        const run = async (backend: string) => {
          await tf.setBackend(backend);
          const xt = tf.tensor4d(x, [2, 13, 14, ci]);
          const ft = tf.tensor4d(f, [k, k, ci, co]);
          const y = tf.conv2d(xt, ft, [sh, sw], pad);
          const u = tf.tensor(randomArray(y.size, 23), y.shape);
          const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(v as tf.Tensor4D, ft, [sh, sw], pad), u)))(xt);
          const out = (await dx.data()) as Float32Array;
          tf.dispose([xt, ft, y, u, dx]);
          return out;
        };
        const want = await run('cpu');
        const got = await run('wasm');
        const e = relativeError(got, want);
        if (!(e < 1e-4)) failures.push(`strides [${sh}, ${sw}] ${pad} ${k}x${k} ${ci}->${co}: ${e}`);
      }
    }
  }
  assert.equal(failures, [], failures.join('\n'));
});

test('a batch gives each sample the bits it gets alone, whichever product the batch size picks', async () => {
  await tf.setBackend('wasm');
  // dy [n, 8, 8, 32] with a 3x3 filter to 16 channels: alone the transposed product (dy packed), as a batch of 4 the plain one
  for (const [hw, k, ci, co] of [[8, 3, 16, 32], [4, 5, 24, 40]] as const) {
    const dy = tf.tensor4d(randomArray(4 * hw * hw * co, 31), [4, hw, hw, co]);
    const f = tf.tensor4d(randomArray(k * k * ci * co, 32, 0.5), [k, k, ci, co]);
    const batch = tf.conv2dTranspose(dy, f, [4, 2 * hw, 2 * hw, ci], 2, 'same');
    const all = (await batch.data()) as Float32Array;
    for (let i = 0; i < 4; i++) {
      const one = tf.tidy(() => tf.conv2dTranspose(tf.slice(dy, [i, 0, 0, 0], [1, hw, hw, co]), f, [1, 2 * hw, 2 * hw, ci], 2, 'same'));
      const alone = (await one.data()) as Float32Array;
      const part = all.subarray(i * alone.length, (i + 1) * alone.length);
      assert.equal(new Uint8Array(part.slice().buffer), new Uint8Array(alone.slice().buffer), `[${hw}, ${k}, ${ci}, ${co}] sample ${i}`);
      one.dispose();
    }
    tf.dispose([dy, f, batch]);
  }
});

test('matMul with and without transposed operands (dense layers\' gradients) equals the cpu backend', async () => {
  const r = rng(11);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  for (let i = 0; i < 24; i++) {
    const [m, k, n] = (i < 4 ? (i % 2 ? [256, 32, 4096] : [32, 4096, 256]) : [int(1, 300), int(1, 300), int(1, 300)]) as [number, number, number];
    const batch = i % 5 === 4 ? [int(2, 3)] : i === 2 || i === 3 ? [1] : [];
    const ta = i < 4 ? false : r() < 0.5; // the first four take the (B·Aᵀ)ᵀ path (two of them with a batch of 1)
    const tb = i < 4 ? true : r() < 0.5;
    const aShape: number[] = [...batch, ...(ta ? [k, m] : [m, k])];
    const bShape: number[] = [...batch, ...(tb ? [n, k] : [k, n])];
    const out: Float32Array[] = [];
    for (const be of ['cpu', 'wasm']) {
      await tf.setBackend(be);
      const a = tf.tensor(randomArray(aShape.reduce((p, q) => p * q, 1), 20 + i), aShape);
      const b = tf.tensor(randomArray(bShape.reduce((p, q) => p * q, 1), 40 + i), bShape);
      const c = tf.matMul(a, b, ta, tb);
      assert.equal(c.shape, [...batch, m, n]);
      out.push((await c.data()) as Float32Array);
      tf.dispose([a, b, c]);
    }
    const e = relativeError(out[1]!, out[0]!);
    assert.ok(e < 1e-4, `${JSON.stringify({ aShape, bShape, ta, tb })}: relative error ${e}`);
  }
});

test('no tensors or backend buffers are left behind', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor(randomArray(2 * 9 * 8 * 3, 4), [2, 9, 8, 3]) as tf.Tensor4D;
  const f = tf.tensor(randomArray(3 * 3 * 3 * 4, 5), [3, 3, 3, 4]) as tf.Tensor4D;
  const dy = tf.ones([2, 5, 4, 4]) as tf.Tensor4D;
  const big = tf.ones([300, 8]);
  const small = tf.ones([2, 8]);
  const g = () => {
    const [a, b] = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, 2, 'same').sum())([x, f]);
    const t = tf.conv2dTranspose(dy, f, [2, 9, 8, 3], 2, 'same');
    const m1 = tf.matMul(big, small, false, true);
    const m2 = tf.matMul(small, big, false, true);
    const m3 = tf.matMul(big, big, true, false);
    tf.dispose([a!, b!, t, m1, m2, m3]);
  };
  await assertNoLeaks(g);
  tf.dispose([x, f, dy, big, small]);
});

test.run();
