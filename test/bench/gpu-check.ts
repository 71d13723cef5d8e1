/**
 * `make gpu-check`: the WebGPU engine on this machine's GPU. Prints the adapter and its limits,
 * checks conv and transpose-conv gradients on webgpu against cpu, then the tiny, small and
 * original presets' training and inference faces/s on webgpu beside wasm's (one training step =
 * a batch of A through decoder A and one of B through decoder B, Janus's LeanAdam, the default
 * loss: masked MAE + DSSIM). Exit 0 when the gradients agree, 1 otherwise.
 *
 * It needs only the repository and a node_modules holding @tensorflow/tfjs, -backend-wasm,
 * -backend-webgpu, webgpu, zod and tsx (no ffmpeg, no face-api, no registry): `make gpu-kit`
 * packs exactly that.
 *
 *   npx tsx test/bench/gpu-check.ts                       # every preset
 *   GPU_CHECK_PRESETS=tiny GPU_CHECK_SECONDS=2 npx tsx test/bench/gpu-check.ts
 */
import { modelArchitecture, type PresetName } from '../../src/config/model.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { describeAdapter, releaseWebgpu, webgpuSession } from '../../src/engine/webgpu.ts';
import { buildAutoencoder } from '../../src/model/autoencoder.ts';
import { LeanAdamOptimizer } from '../../src/model/lean-adam.ts';
import { reconstructionLoss } from '../../src/model/losses.ts';
import { convGradients, type ConvCase } from '../helpers/conv-grads.ts';
import { relativeError } from '../helpers/numbers.ts';
import { timeIt } from '../helpers/timing.ts';

const presets = (process.env.GPU_CHECK_PRESETS ?? 'tiny,small,original').split(',') as PresetName[];
const seconds = Number(process.env.GPU_CHECK_SECONDS ?? 5);
const BATCH: Record<string, number> = { tiny: 16, small: 16, original: 8, large128: 4 };

await selectBackend('wasm'); // registered first (with Janus's kernels and threads), for the comparison
const sel = await selectBackend('webgpu');
const s = webgpuSession()!;
console.log(`adapter: ${describeAdapter(s.adapter)}; maxBufferSize ${s.adapter.limits.maxBufferSize}, maxStorageBufferBindingSize ${s.adapter.limits.maxStorageBufferBindingSize}`);
if (s.adapter.emulated) console.log('note: this adapter is emulated on the CPU: its figures are not a GPU\'s');

let ok = true;
const cases: ConvCase[] = [
  { op: 'conv2d', n: 2, h: 11, w: 11, ci: 3, co: 4, k: 5, stride: 2, pad: 'same' },
  { op: 'conv2d', n: 2, h: 9, w: 9, ci: 8, co: 4, k: 3, stride: 1, pad: 'valid' },
  { op: 'conv2dTranspose', n: 2, h: 5, w: 5, ci: 3, co: 4, k: 5, stride: 2, pad: 'same' },
  { op: 'conv2dTranspose', n: 2, h: 6, w: 6, ci: 4, co: 8, k: 3, stride: 2, pad: 'valid' },
];
for (const c of cases) {
  const ref = await convGradients(c, 'cpu');
  const got = await convGradients(c, 'webgpu');
  const e = Math.max(relativeError(got.dx, ref.dx), relativeError(got.df, ref.df));
  const pass = e < 1e-4;
  ok &&= pass;
  console.log(`gradient ${c.op} k${c.k} s${c.stride} ${c.pad}: relative error ${e.toExponential(1)} ${pass ? 'ok' : 'FAIL (> 1e-4)'}`);
}


async function speed(preset: PresetName, backend: string): Promise<{ train: number; infer: number }> {
  await tf.setBackend(backend);
  const arch = modelArchitecture(preset);
  const ae = buildAutoencoder(arch, 1);
  const n = BATCH[preset] ?? 8;
  const x = tf.randomUniform([n, arch.inputSize, arch.inputSize, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.onesLike(x.slice([0, 0, 0, 0], [-1, -1, -1, 1])) as tf.Tensor4D;
  const opt = new LeanAdamOptimizer(5e-4);
  const vars = ae.trainableWeights().map((v) => v.read() as tf.Variable);
  let last: tf.Tensor | null = null;
  try {
    const step = () => {
      tf.tidy(() => void opt.minimize(() => tf.add(reconstructionLoss(ae.reconstruct(x, 'a'), x, { dssim: true, weights: w }), reconstructionLoss(ae.reconstruct(x, 'b'), x, { dssim: true, weights: w })) as tf.Scalar, false, vars));
      return vars[0]!;
    };
    await step().data(); // warm-up: pipelines, optimizer slots
    const train = (2 * n) / (await timeIt(step, seconds * 1000, 2));
    const infer = () => {
      last?.dispose();
      last = ae.reconstruct(x, 'b');
      return last;
    };
    await infer().data();
    const inf = n / (await timeIt(infer, seconds * 1000, 2));
    return { train, infer: inf };
  } finally {
    (last as tf.Tensor | null)?.dispose();
    tf.dispose([x, w]);
    opt.dispose();
    ae.dispose();
  }
}

const rows: Record<string, unknown>[] = [];
for (const preset of presets) {
  const row: Record<string, unknown> = { preset, batchPerIdentity: BATCH[preset] };
  for (const backend of ['webgpu', 'wasm']) {
    try {
      const r = await speed(preset, backend);
      row[backend] = { trainFacesPerS: +r.train.toFixed(1), inferFacesPerS: +r.infer.toFixed(1) };
      console.log(`${preset} ${backend}: train ${r.train.toFixed(1)} faces/s, infer ${r.infer.toFixed(1)} faces/s (batch ${BATCH[preset]} per identity)`);
    } catch (err) {
      row[backend] = { error: (err as Error).message.split('\n')[0] };
      console.log(`${preset} ${backend}: failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  rows.push(row);
}
console.log(JSON.stringify({ bench: 'gpu-check', adapter: s.adapter, backend: sel.backend, gradientsOk: ok, rows }));
releaseWebgpu();
process.exitCode = ok ? 0 : 1;
