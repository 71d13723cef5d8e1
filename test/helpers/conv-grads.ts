/**
 * Gradients of conv2d / conv2dTranspose with respect to input and filter on a given backend,
 * for comparing Janus's wasm kernels with the cpu backend (same seeded data on both).
 *
 *   const ref = await convGradients({ op: 'conv2d', n: 2, h: 11, w: 11, ci: 3, co: 4, k: 3, stride: 2, pad: 'same' }, 'cpu');
 */
import { tf } from '../../src/engine/tf.ts';
import { randomArray } from './numbers.ts';

export interface ConvCase {
  op: 'conv2d' | 'conv2dTranspose';
  n: number;
  /** Input height and width (for conv2dTranspose: of its input, the small side). */
  h: number;
  w: number;
  /** Filter [k, k, ci, co]: conv2d maps ci -> co, conv2dTranspose co -> ci. */
  ci: number;
  co: number;
  k: number;
  stride: 1 | 2;
  pad: 'same' | 'valid';
}

type Shape4 = [number, number, number, number];

export function convShapes(c: ConvCase): { x: Shape4; f: Shape4; y: Shape4 } {
  const f: Shape4 = [c.k, c.k, c.ci, c.co];
  if (c.op === 'conv2d') {
    const o = (s: number) => (c.pad === 'same' ? Math.ceil(s / c.stride) : Math.floor((s - c.k) / c.stride) + 1);
    return { x: [c.n, c.h, c.w, c.ci], f, y: [c.n, o(c.h), o(c.w), c.co] };
  }
  const o = (s: number) => (c.pad === 'same' ? s * c.stride : (s - 1) * c.stride + c.k);
  return { x: [c.n, c.h, c.w, c.co], f, y: [c.n, o(c.h), o(c.w), c.ci] };
}

export async function convGradients(c: ConvCase, backend: string): Promise<{ dx: Float32Array; df: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const s = convShapes(c);
  const size = (sh: Shape4) => sh.reduce((a, b) => a * b, 1);
  const x = tf.tensor(randomArray(size(s.x), 1), s.x) as tf.Tensor4D;
  const f = tf.tensor(randomArray(size(s.f), 2, 0.5), s.f) as tf.Tensor4D;
  const w = tf.tensor(randomArray(size(s.y), 3), s.y) as tf.Tensor4D;
  let shape: number[] = [];
  const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
    const y = c.op === 'conv2d' ? tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad) : tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, s.y, c.stride, c.pad);
    shape = y.shape;
    return tf.sum(tf.mul(y, w));
  })([x, f]);
  const out = { dx: (await dx!.data()) as Float32Array, df: (await df!.data()) as Float32Array, shape };
  tf.dispose([x, f, w, dx!, df!]);
  return out;
}
