/**
 * Janus's WebAssembly SIMD kernels (src/engine/wasm-simd.wat): the embedded binaries are what
 * the .wat compiles to; LeanAdam with the fused AdamUpdate kernel gives the same bits as its
 * op-by-op formula (lengths that are not a multiple of 4, so the scalar tail runs too, and a
 * learning rate changed between steps); LeakyRelu's forward pass equals tfjs's own wasm kernel
 * bit for bit (signed zeros, NaN), and so do Add (broadcasts and int32 left to tfjs's), Sum over
 * the leading axes and FusedBatchNorm over the last; the kernels are registered and leave nothing behind. (The
 * threaded and single-threaded builds giving the same training bits: engine/wasm-threads.)
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { ADAM_UPDATE, adamUpdateWasm } from '../../src/engine/wasm-adam.ts';
import { addWasm } from '../../src/engine/wasm-add.ts';
import { fusedBatchNormWasm } from '../../src/engine/wasm-batch-norm.ts';
import { leakyReluWasm } from '../../src/engine/wasm-activation.ts';
import { WASM_SIMD_PLAIN, WASM_SIMD_SHARED } from '../../src/engine/wasm-simd-binary.ts';
import { compileWasmSimd } from '../../src/engine/wasm-simd-build.ts';
import { wasmSimd } from '../../src/engine/wasm-simd.ts';
import { LeanAdamOptimizer } from '../../src/model/lean-adam.ts';
import { stockKernel } from '../../src/engine/stock-kernels.ts';
import { randomArray } from '../helpers/numbers.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';

const test = suite('engine/wasm-simd');

test.before(async () => {
  await selectBackend('wasm');
});
test.after(async () => {
  await tf.setBackend('wasm');
});

test('the embedded binaries are what wasm-simd.wat compiles to (make wasm-simd)', async () => {
  const built = await compileWasmSimd();
  assert.is(Buffer.from(built.shared).toString('base64'), WASM_SIMD_SHARED, 'shared-memory binary: run make wasm-simd');
  assert.is(Buffer.from(built.plain).toString('base64'), WASM_SIMD_PLAIN, 'plain-memory binary: run make wasm-simd');
});

test('the kernels are registered and instantiated on the backend\'s memory', () => {
  assert.is(tf.getKernel(ADAM_UPDATE, 'wasm')?.kernelFunc, adamUpdateWasm);
  assert.is(tf.getKernel('LeakyRelu', 'wasm')?.kernelFunc, leakyReluWasm);
  assert.is(tf.getKernel('Add', 'wasm')?.kernelFunc, addWasm);
  assert.ok(wasmSimd(tf.backend()), 'the wasm backend\'s memory is found');
  assert.is(wasmSimd(tf.backend()), wasmSimd(tf.backend()), 'one instance per memory');
  assert.not.ok(tf.getKernel(ADAM_UPDATE, 'cpu'));
});

/** Five LeanAdam steps on two variables (1003 and 4x3 values), the learning rate changed after the second: the final values and moments. */
function adamRun(): Float32Array[] {
  const w1 = tf.variable(tf.tensor(randomArray(1003, 1)));
  const w2 = tf.variable(tf.tensor(randomArray(12, 2), [4, 3]));
  const x = tf.tensor(randomArray(1003, 3));
  const opt = new LeanAdamOptimizer(1e-3);
  for (let i = 0; i < 5; i++) {
    if (i === 2) opt.setLearningRate(3e-4);
    opt.minimize(() => tf.add(tf.sum(tf.square(tf.sub(tf.mul(w1, x), 0.3))), tf.sum(tf.abs(w2))) as tf.Scalar, false, [w1, w2]);
  }
  const out = [w1, w2].map((t) => t.dataSync().slice() as Float32Array);
  const st = opt as unknown as { accumulatedFirstMoment: Array<{ variable: tf.Variable }>; accumulatedSecondMoment: Array<{ variable: tf.Variable }> };
  for (const m of [...st.accumulatedFirstMoment, ...st.accumulatedSecondMoment]) out.push(m.variable.dataSync().slice() as Float32Array);
  tf.dispose([w1, w2, x]);
  opt.dispose();
  return out;
}

test('LeanAdam: the fused AdamUpdate gives the bits of the op-by-op formula', async () => {
  await tf.setBackend('wasm');
  const fused = adamRun();
  const kernel = tf.getKernel(ADAM_UPDATE, 'wasm')!;
  tf.unregisterKernel(ADAM_UPDATE, 'wasm');
  let plain: Float32Array[];
  try {
    plain = adamRun();
  } finally {
    tf.registerKernel(kernel);
  }
  assert.is(fused.length, 6, 'two variables, their first and second moments');
  fused.forEach((f, i) => assert.equal(Array.from(f), Array.from(plain[i]!), `array ${i}`));
  assert.ok(fused[0]!.some((v, i) => v !== randomArray(1003, 1)[i]), 'the variables moved');
});

test('LeakyRelu equals tfjs\'s own wasm kernel bit for bit (signed zeros, NaN, tail, negative and zero alpha)', async () => {
  // (the cpu backend multiplies by alpha as a double: its products differ in the last bit)
  await tf.setBackend('wasm');
  const x = randomArray(4099, 9);
  x[0] = 0;
  x[1] = -0;
  x[2] = Number.NaN;
  x[3] = -1e-30;
  const backend = tf.backend() as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array; disposeData(id: object): void };
  for (const alpha of [0.1, 0.3, -0.5, 0]) {
    const t = tf.tensor(x);
    const y = tf.leakyRelu(t, alpha);
    const got = (await y.data()) as Float32Array;
    const ref = stockKernel('LeakyRelu', 'wasm')({ inputs: { x: t }, backend: backend as never, attrs: { alpha } }) as tf.TensorInfo;
    const want = backend.typedArrayFromHeap(ref).slice();
    backend.disposeData(ref.dataId);
    tf.dispose([t, y]);
    assert.equal(new Uint8Array(got.buffer, got.byteOffset, got.byteLength), new Uint8Array(want.buffer), `alpha ${alpha}`);
    assert.ok(Object.is(got[1], -0), '-0 stays -0');
    assert.ok(got.some((v, i) => x[i]! < 0 && v !== x[i]), 'negatives are scaled');
  }
  await tf.setBackend('wasm');
  const ints = tf.tidy(() => tf.leakyRelu(tf.tensor([-2, 3], [2], 'int32'), 0.5));
  assert.equal(Array.from(await ints.data()), [-1, 3], 'int32 goes to tfjs\'s kernel');
  ints.dispose();
});

test('Add equals tfjs\'s own wasm kernel bit for bit, of one shape and with a bias over the last axis; other broadcasts and int32 still add', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend() as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array; disposeData(id: object): void };
  for (const n of [4096, 10_003]) {
    const av = randomArray(n, 11, 1e3);
    const bv = randomArray(n, 12, 1e-3);
    // NaN, infinities and signed zeros, in the SIMD part and in the tail
    for (const i of [0, 1, 2, 3, 4, 5, n - 1, n - 2]) [av[i], bv[i]] = ([[Number.NaN, 1], [Infinity, -Infinity], [Infinity, 5], [-0, -0], [-0, 0], [3e38, 3e38], [-Infinity, 2], [Number.NaN, -0]] as const)[[0, 1, 2, 3, 4, 5, n - 1, n - 2].indexOf(i)]!;
    const a = tf.tensor(av);
    const b = tf.tensor(bv);
    const y = tf.add(a, b);
    const got = (await y.data()) as Float32Array;
    const ref = stockKernel('Add', 'wasm')({ inputs: { a, b }, backend: backend as never, attrs: {} }) as tf.TensorInfo;
    const want = backend.typedArrayFromHeap(ref).slice();
    backend.disposeData(ref.dataId);
    assert.equal(new Uint8Array(got.buffer, got.byteOffset, got.byteLength), new Uint8Array(want.buffer), `${n} values`);
    assert.ok(Object.is(got[3], -0) && Object.is(got[4], 0) && Number.isNaN(got[1]!) && got[5] === Infinity, 'IEEE: -0 + -0, -0 + 0, Inf - Inf, overflow');
    assert.is(got[n - 1], -Infinity, 'the scalar tail');
    tf.dispose([a, b, y]);
  }
  // a bias over the last axis, either side, shaped [C] or [1, 1, 1, C], channels in fours or not (the scalar tail)
  for (const [shape, biasShape, biasFirst] of [[[1, 56, 56, 32], [32], false], [[2, 17, 13, 7], [1, 1, 1, 7], true], [[5000, 2], [2], false]] as Array<[number[], number[], boolean]>) {
    const xv = randomArray(shape.reduce((p, q) => p * q, 1), 13, 1e3);
    [xv[0], xv[1]] = [Number.NaN, -0];
    const bv = randomArray(shape.at(-1)!, 14, 1e-3);
    bv[1] = -0;
    const x = tf.tensor(xv, shape);
    const bias = tf.tensor(bv, biasShape);
    const [a, b] = biasFirst ? [bias, x] : [x, bias];
    const y = tf.add(a, b);
    assert.equal(y.shape, shape);
    const got = (await y.data()) as Float32Array;
    const ref = stockKernel('Add', 'wasm')({ inputs: { a, b }, backend: backend as never, attrs: {} }) as tf.TensorInfo;
    const want = backend.typedArrayFromHeap(ref).slice();
    backend.disposeData(ref.dataId);
    const at = got.findIndex((v, i) => !Object.is(v, want[i]));
    assert.ok(at < 0 && got.length === want.length, `[${shape}] + [${biasShape}]: value ${at} is ${got[at]}, tfjs's kernel gives ${want[at]}`);
    assert.ok(Object.is(got[1], -0) && Number.isNaN(got[0]!), 'IEEE: -0 + -0, NaN');
    tf.dispose([x, bias, y]);
  }
  const big = tf.ones([5000, 2]);
  const row = tf.tensor([[1], [2]]);
  const col = tf.tidy(() => tf.add(tf.ones([2, 5000]), row));
  assert.equal(Array.from((await col.data()).slice(4999, 5001)), [2, 3], 'another broadcast goes to tfjs\'s kernel');
  const sum = tf.add(big, tf.tensor([1, 2]));
  assert.equal(Array.from((await sum.data()).slice(0, 4)), [2, 3, 2, 3]);
  tf.dispose([row, col]);
  const ints = tf.add(tf.fill([5000], 2, 'int32'), tf.fill([5000], 3, 'int32'));
  assert.is(ints.dtype, 'int32');
  assert.is((await ints.data())[4999], 5);
  tf.dispose([big, sum, ints]);
});

test('Sum over every axis but the last equals tfjs\'s own wasm kernel bit for bit; other sums still sum', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend() as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array; disposeData(id: object): void };
  for (const shape of [[16, 32, 32, 32], [3, 7, 5, 6], [100, 3]]) {
    const x = tf.tensor(randomArray(shape.reduce((p, q) => p * q, 1), 15, 10), shape);
    for (const keepDims of [false, true]) {
      const axis = shape.slice(0, -1).map((_, i) => i);
      const y = tf.sum(x, axis, keepDims);
      const ref = stockKernel('Sum', 'wasm')({ inputs: { x }, backend: backend as never, attrs: { axis, keepDims } }) as tf.TensorInfo;
      const want = backend.typedArrayFromHeap(ref).slice();
      backend.disposeData(ref.dataId);
      assert.equal(y.shape, keepDims ? [...axis.map(() => 1), shape.at(-1)!] : [shape.at(-1)!]);
      const got = (await y.data()) as Float32Array;
      assert.equal(new Uint8Array(got.buffer, got.byteOffset, got.byteLength), new Uint8Array(want.buffer), `[${shape}] keepDims ${keepDims}`);
      y.dispose();
    }
    x.dispose();
  }
  const m = tf.tensor([[1, 2], [3, 4]]);
  assert.equal(Array.from(await tf.sum(m, 1).data()), [3, 7], 'another axis: tfjs\'s kernel');
  const ints = tf.tidy(() => tf.sum(tf.tensor([[1, 2], [3, 4]], [2, 2], 'int32'), 0));
  assert.equal(Array.from(await ints.data()), [4, 6], 'int32: tfjs\'s kernel');
  tf.dispose([m, ints]);
});

test('FusedBatchNorm over the last axis equals tfjs\'s own wasm kernel bit for bit (SSD\'s parameters and epsilon, signed zeros, a zero variance); other shapes still normalise', async () => {
  await tf.setBackend('wasm');
  assert.is(tf.getKernel('FusedBatchNorm', 'wasm')?.kernelFunc, fusedBatchNormWasm);
  const backend = tf.backend() as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array; disposeData(id: object): void };
  for (const [shape, eps] of [[[1, 64, 64, 32], 0.0010000000474974513], [[2, 5, 7, 12], 1e-5], [[9, 4], 0.001]] as Array<[number[], number]>) {
    const ch = shape.at(-1)!;
    const xs = randomArray(shape.reduce((p, q) => p * q, 1), 21, 10);
    xs[0] = -0; // a signed zero
    const x = tf.tensor(xs, [...shape]);
    const variance = tf.tensor(Array.from(randomArray(ch, 22, 1), (v, i) => (i === 1 ? 0 : Math.abs(v) + 0.01)));
    const [mean, scale, offset] = [23, 24, 25].map((seed) => tf.tensor(randomArray(ch, seed, 2)));
    const y = tf.batchNorm(x, mean!, variance, offset, scale, eps);
    const ref = stockKernel('FusedBatchNorm', 'wasm')({ inputs: { x, mean: mean!, variance, scale: scale!, offset: offset! }, backend: backend as never, attrs: { varianceEpsilon: eps } }) as tf.TensorInfo;
    const want = backend.typedArrayFromHeap(ref).slice();
    backend.disposeData(ref.dataId);
    const got = (await y.data()) as Float32Array;
    // compared as bytes, the first difference named (a diff of 500 KB would take uvu minutes)
    const at = got.findIndex((v, i) => !Object.is(v, want[i]));
    assert.ok(at < 0 && got.length === want.length, `[${shape}] eps ${eps}: value ${at} is ${got[at]}, tfjs's kernel gives ${want[at]}`);
    tf.dispose([x, variance, mean!, scale!, offset!, y]);
  }
  // the SIMD function itself, and parameters shaped [1, 1, 1, C] (as a model's may be)
  const x = tf.tensor(randomArray(3 * 5 * 8, 31, 4), [3, 5, 8]);
  const [mean, variance, scale, offset] = [32, 33, 34, 35].map((seed) => tf.tensor(Array.from(randomArray(8, seed, 2), (v) => (seed === 33 ? Math.abs(v) : v)), [1, 1, 1, 8]));
  const out = tf.tidy(() => tf.batchNorm(x, mean!, variance!, offset, scale, 1e-3));
  const direct = (backend as unknown as { makeOutput(s: number[], d: string): tf.TensorInfo }).makeOutput([3, 5, 8], 'float32');
  const at = (t: tf.TensorInfo) => (backend as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } }).dataIdMap.get(t.dataId).memoryOffset;
  wasmSimd(backend).batch_norm(at(x), at(mean!), at(variance!), at(scale!), at(offset!), at(direct), 15, 8, 1e-3);
  const ref = stockKernel('FusedBatchNorm', 'wasm')({ inputs: { x, mean: mean!, variance: variance!, scale: scale!, offset: offset! }, backend: backend as never, attrs: { varianceEpsilon: 1e-3 } }) as tf.TensorInfo;
  const [d, r, o] = [direct, ref].map((t) => Array.from(backend.typedArrayFromHeap(t))).concat([Array.from(await out.data())]);
  assert.equal(d, r, 'the SIMD function gives tfjs\'s bits');
  assert.equal(o, r, 'so does the registered kernel, parameters shaped [1, 1, 1, C]');
  backend.disposeData(direct.dataId);
  backend.disposeData(ref.dataId);
  tf.dispose([x, mean!, variance!, scale!, offset!, out]);
  // three channels (not in fours): tfjs's kernel
  const y = tf.tidy(() => tf.batchNorm(tf.tensor([[1, 2, 3], [4, 5, 6]]), tf.tensor([1, 1, 1]), tf.tensor([1, 1, 1]), tf.tensor([0, 0, 1]), tf.tensor([1, 2, 1]), 0));
  assert.equal(Array.from(await y.data()), [0, 2, 3, 3, 8, 6]);
  y.dispose();
});

test('no tensors or backend buffers are left behind', async () => {
  await tf.setBackend('wasm');
  const w = tf.variable(tf.tensor(randomArray(37, 4)));
  const opt = new LeanAdamOptimizer(1e-3);
  await assertNoLeaks(() => opt.minimize(() => tf.sum(tf.leakyRelu(w, 0.1)) as tf.Scalar, false, [w]));
  tf.dispose(w);
  opt.dispose();
});

test.run();
