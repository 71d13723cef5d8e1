/**
 * Janus's wasm Slice kernel against the cpu backend's: ranks 1 to 5 (tfjs slices no scalar), slices cut on any axis
 * (short and long runs, whole trailing axes merged), sizes given as -1, float32, int32 and
 * bool, empty slices, a face cut out of a 720p frame as face-api cuts it; the same values and
 * shapes, no tensor left behind, and it is the kernel registered.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { sliceWasm } from '../../src/engine/wasm-slice.ts';
import { randomArray, rng } from '../helpers/numbers.ts';

const test = suite('engine/wasm-slice');

test.before(async () => {
  await selectBackend('wasm');
});

/** slice on the wasm backend with Janus's kernel, then with tfjs's cpu kernel (the reference). */
async function both(make: () => tf.Tensor, begin: number[], size: number[]): Promise<{ got: tf.Tensor; want: tf.Tensor }> {
  await tf.setBackend('wasm');
  const a = make();
  const y = tf.slice(a, begin, size);
  const got = tf.tensor(await y.data(), y.shape, y.dtype);
  tf.dispose([a, y]);
  await tf.setBackend('cpu');
  const b = make();
  const y2 = tf.slice(b, begin, size);
  const vals = await y2.data();
  const [shape, dtype] = [y2.shape, y2.dtype];
  tf.dispose([b, y2]);
  await tf.setBackend('wasm');
  return { got, want: tf.tensor(vals, shape, dtype) };
}

test('it is the registered kernel', () => {
  assert.is(tf.getKernel('Slice', 'wasm')?.kernelFunc, sliceWasm);
});

test('ranks 1 to 5, any axis cut, sizes of -1, empty slices, float32, int32 and bool: the values tfjs computes', async () => {
  const r = rng(11);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  for (let c = 0; c < 60; c++) {
    const rank = int(1, 5);
    const shape = Array.from({ length: rank }, () => int(1, c % 4 === 0 ? 70 : 7));
    const begin = shape.map((d) => int(0, d - 1));
    // whole axes (so that trailing ones merge), -1 (to the end), empty and partial cuts
    const size = shape.map((d, i) => {
      const kind = int(0, 5);
      if (kind === 0) return (begin[i] = 0), d;
      if (kind === 1) return -1;
      if (kind === 2 && c % 7 === 0) return 0;
      return int(1, d - begin[i]!);
    });
    const dtype = (['float32', 'int32', 'bool'] as const)[c % 3]!;
    const n = shape.reduce((p, q) => p * q, 1);
    const values = randomArray(n, 300 + c).map((v) => (dtype === 'float32' ? v : dtype === 'int32' ? Math.round(v * 1000) : v > 0 ? 1 : 0));
    const make = () => tf.tensor(values, shape, dtype);
    const before = tf.memory().numTensors;
    const { got, want } = await both(make, begin, size);
    const what = JSON.stringify({ shape, begin, size, dtype });
    assert.equal(got.shape, want.shape, what);
    assert.is(got.dtype, want.dtype);
    assert.equal(Array.from(await got.data()), Array.from(await want.data()), what);
    tf.dispose([got, want]);
    assert.is(tf.memory().numTensors, before, 'no tensor left');
  }
});

test("a face cut out of a 720p frame, as face-api cuts it: an [H, W, 3] box of an int32 [720, 1280, 3]", async () => {
  const frame = Int32Array.from({ length: 720 * 1280 * 3 }, (_, i) => (i * 7919) % 256);
  const { got, want } = await both(() => tf.tensor3d(frame, [720, 1280, 3], 'int32'), [185, 519, 0], [374, 341, 3]);
  assert.equal(got.shape, [374, 341, 3]);
  assert.equal(Array.from(await got.data()), Array.from(await want.data()));
  assert.equal(Array.from((await got.data()).slice(0, 3)), [0, 1, 2].map((c) => frame[(185 * 1280 + 519) * 3 + c]!));
  tf.dispose([got, want]);
});

test.run();
