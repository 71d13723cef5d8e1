/**
 * Run by engine/wasm-threads.test.ts in a fresh process (JANUS_WASM_THREADS set by the test):
 * selects wasm, then prints one JSON line with the thread count and the exact bits of a few
 * results (a conv2dTranspose's gradients, three LeanAdam steps of the seeded tiny autoencoder
 * on real face crops). It ends without process.exit: the pool's workers must not keep it alive.
 * With `--break-threaded`, reading the threaded build's file fails (as on a broken install).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { modelArchitecture } from '../../src/config/model.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { buildAutoencoder } from '../../src/model/autoencoder.ts';
import { LeanAdamOptimizer } from '../../src/model/lean-adam.ts';
import { faceCrop } from '../helpers/data.ts';
import { randomArray } from '../helpers/numbers.ts';

if (process.argv.includes('--break-threaded')) {
  const read = fs.readFileSync;
  fs.readFileSync = ((path: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (String(path).endsWith('tfjs-backend-wasm-threaded-simd.js')) throw new Error(`EACCES: permission denied, open '${String(path)}' (injected by the test)`);
    return (read as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readFileSync;
  syncBuiltinESMExports();
}
const sel = await selectBackend('wasm');
const bits = (t: tf.Tensor) => createHash('sha256').update(new Uint8Array((t.dataSync() as Float32Array).slice().buffer)).digest('hex').slice(0, 16);

const x = tf.tensor4d(randomArray(4 * 17 * 17 * 24, 1), [4, 17, 17, 24]);
const f = tf.tensor4d(randomArray(3 * 3 * 16 * 24, 2), [3, 3, 16, 24]);
const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [4, 34, 34, 16], 2, 'same').square().sum())([x, f]);

const ae = buildAutoencoder(modelArchitecture('tiny'), 7);
const a = tf.tensor4d(await faceCrop('a', 64), [1, 64, 64, 3]);
const b = tf.tensor4d(await faceCrop('b', 64), [1, 64, 64, 3]);
const opt = new LeanAdamOptimizer(1e-3);
const losses: number[] = [];
for (let i = 0; i < 3; i++) {
  const l = opt.minimize(() => tf.add(tf.mean(tf.abs(tf.sub(ae.reconstruct(a, 'a'), a))), tf.mean(tf.abs(tf.sub(ae.reconstruct(b, 'b'), b)))) as tf.Scalar, true, ae.trainableWeights().map((w) => w.read() as tf.Variable))!;
  losses.push(l.dataSync()[0]!);
  l.dispose();
}
const y = ae.reconstruct(a, 'b');
console.log(JSON.stringify({ threads: sel.threads, dx: bits(dx!), df: bits(df!), losses, swap: bits(y) }));
