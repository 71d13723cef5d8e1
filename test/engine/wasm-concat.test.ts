/**
 * Janus's wasm Concat kernel against the cpu backend's: every axis, short
 * and long runs, float32, int32 and bool, empty and single inputs, strings (handed to the
 * stock kernel); the same values and shapes, no tensor left behind, and it is the kernel
 * registered.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { concatWasm } from '../../src/engine/wasm-concat.ts';
import { randomArray, rng } from '../helpers/numbers.ts';

const test = suite('engine/wasm-concat');

test.before(async () => {
  await selectBackend('wasm');
});

/** concat on the wasm backend with Janus's kernel, then with tfjs's cpu kernel (the reference). */
async function both(make: () => tf.Tensor[], axis: number): Promise<{ got: tf.Tensor; want: tf.Tensor }> {
  await tf.setBackend('wasm');
  const a = make();
  const y = tf.concat(a, axis);
  const got = tf.tensor(await y.data(), y.shape, y.dtype);
  tf.dispose([...a, y]);
  await tf.setBackend('cpu');
  const b = make();
  const y2 = tf.concat(b, axis);
  const vals = await y2.data();
  const [shape, dtype] = [y2.shape, y2.dtype];
  tf.dispose([...b, y2]);
  await tf.setBackend('wasm');
  return { got, want: tf.tensor(vals, shape, dtype) };
}

test('it is the registered kernel', () => {
  assert.is(tf.getKernel('Concat', 'wasm')?.kernelFunc, concatWasm);
});

test('every axis, short and long runs, float32, int32 and bool: the values tfjs computes', async () => {
  const r = rng(5);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  let seed = 100;
  for (let c = 0; c < 40; c++) {
    const rank = int(1, 4);
    const base = Array.from({ length: rank }, () => int(1, c % 4 === 0 ? 90 : 6));
    const axis = int(-rank, rank - 1);
    const k = int(2, 4);
    const dtype = (['float32', 'int32', 'bool'] as const)[c % 3]!;
    const shapes = Array.from({ length: k }, () => base.map((d, i) => (i === (axis + rank) % rank ? int(c % 5 === 0 ? 0 : 1, 70) : d)));
    const values = shapes.map((s) => randomArray(s.reduce((p, q) => p * q, 1), seed++).map((v) => (dtype === 'float32' ? v : dtype === 'int32' ? Math.round(v * 1000) : v > 0 ? 1 : 0)));
    const make = () => shapes.map((s, i) => tf.tensor(values[i]!, s, dtype));
    const before = tf.memory().numTensors;
    const { got, want } = await both(make, axis);
    assert.equal(got.shape, want.shape, JSON.stringify({ shapes, axis }));
    assert.is(got.dtype, want.dtype);
    assert.equal(Array.from(await got.data()), Array.from(await want.data()), JSON.stringify({ shapes, axis, dtype }));
    tf.dispose([got, want]);
    assert.is(tf.memory().numTensors, before, 'no tensor left');
  }
});

test("face-api's per-channel mean: three [1, H, W, 1] along the last axis", async () => {
  const make = () => [1, 2, 3].map((v) => tf.fill([1, 150, 150, 1], v * 10));
  const { got, want } = await both(make, 3);
  assert.equal(got.shape, [1, 150, 150, 3]);
  assert.equal(Array.from(await got.data()), Array.from(await want.data()));
  assert.equal(Array.from((await got.data()).slice(0, 6)), [10, 20, 30, 10, 20, 30]);
  tf.dispose([got, want]);
});

test('a single input, empty inputs and strings: what tfjs gives', async () => {
  const one = await both(() => [tf.tensor([1, 2, 3]), tf.tensor([], [0])], 0);
  assert.equal(Array.from(await one.got.data()), [1, 2, 3]);
  const str = tf.concat([tf.tensor(['a', 'b']), tf.tensor(['c'])]);
  assert.equal(await str.array(), ['a', 'b', 'c']);
  tf.dispose([one.got, one.want, str]);
});

test.run();
