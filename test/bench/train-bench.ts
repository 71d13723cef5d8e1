/**
 * `make bench` (training part): training faces/s and inference faces/s of the autoencoder for
 * the `tiny` and `original` presets on the active backend (one step = a batch of A and one of
 * B through the shared encoder). Run ../shared/reference/torch_autoencoder.py in the same
 * sitting for the PyTorch yardstick.
 *
 *   npx tsx test/bench/train-bench.ts
 */
import { modelArchitecture, type PresetName } from '../../src/config/model.ts';
import { resolveBackendChoice, selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { buildAutoencoder } from '../../src/model/autoencoder.ts';

const { choice } = resolveBackendChoice();
const sel = await selectBackend(choice);
const rows: Record<string, unknown>[] = [];
for (const [preset, batch, steps] of [
  ['tiny', 16, 5],
  ['original', 4, 2],
] as Array<[PresetName, number, number]>) {
  const arch = modelArchitecture(preset);
  const ae = buildAutoencoder(arch, 1);
  const s = arch.inputSize;
  const a = tf.randomUniform([batch, s, s, 3]) as tf.Tensor4D;
  const b = tf.randomUniform([batch, s, s, 3]) as tf.Tensor4D;
  const opt = tf.train.adam(5e-5);
  const vars = ae.trainableWeights().map((w) => w.read() as tf.Variable);
  const step = () =>
    tf.tidy(() => {
      opt.minimize(() => tf.add(tf.mean(tf.abs(tf.sub(ae.reconstruct(a, 'a'), a))), tf.mean(tf.abs(tf.sub(ae.reconstruct(b, 'b'), b)))) as tf.Scalar, false, vars);
    });
  step(); // warm-up (kernels, optimizer slots)
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const trainFps = (steps * 2 * batch) / ((performance.now() - t0) / 1000);
  const infer = () => tf.tidy(() => ae.reconstruct(a, 'b').dataSync());
  infer();
  t0 = performance.now();
  for (let i = 0; i < steps; i++) infer();
  const inferFps = (steps * batch) / ((performance.now() - t0) / 1000);
  rows.push({ preset, batchPerIdentity: batch, trainFacesPerS: +trainFps.toFixed(2), inferFacesPerS: +inferFps.toFixed(2) });
  tf.dispose([a, b]);
  opt.dispose();
  ae.dispose();
}
console.log(JSON.stringify({ bench: 'train', backend: sel.backend, results: rows }));
