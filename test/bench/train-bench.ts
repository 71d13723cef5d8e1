/**
 * `make bench` (training part): training and inference faces/s of the autoencoder for the
 * `tiny`, `small` and `original` presets on the active backend (one training step = a batch
 * of A through decoder A and one of B through decoder B, both through the shared encoder;
 * Janus's LeanAdam), the batch size that fits `original` in memory, and the top kernels of
 * one `small` training step (tf.profile), and `janus train`'s own loop (batches, augmentation,
 * schedule, loss reading) beside its step alone with the same loss. Run ../shared/reference/torch_autoencoder.py in the
 * same sitting for the PyTorch yardstick.
 *
 *   npx tsx test/bench/train-bench.ts            # BENCH_PRESETS=small to run one preset
 */
import { modelArchitecture, type PresetName } from '../../src/config/model.ts';
import { resolveBackendChoice, selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { buildAutoencoder, type Autoencoder } from '../../src/model/autoencoder.ts';
import { LeanAdamOptimizer } from '../../src/model/lean-adam.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainConfig } from '../../src/config/train.ts';
import { reconstructionLoss } from '../../src/model/losses.ts';
import type { FaceSet } from '../../src/train/face-set.ts';
import { train } from '../../src/train/trainer.ts';
import { faceCrop } from '../helpers/data.ts';
import { medianMs, settle, timeIt } from '../helpers/timing.ts';

/** Faces a call at inference: the PyTorch yardstick's batch. */
const INFER_BATCH = 64;

const { choice } = resolveBackendChoice();
const sel = await selectBackend(choice);
const backend = sel.backend;
const only = process.env.BENCH_PRESETS?.split(',');
if (sel.threads) console.log(`${backend} threads: ${sel.threads.count}${sel.threads.reason ? ` (${sel.threads.reason})` : ''} (JANUS_WASM_THREADS)`);

function setup(preset: PresetName, batch: number) {
  const arch = modelArchitecture(preset);
  const ae = buildAutoencoder(arch, 1);
  const s = arch.inputSize;
  const a = tf.randomUniform([batch, s, s, 3]) as tf.Tensor4D;
  const b = tf.randomUniform([batch, s, s, 3]) as tf.Tensor4D;
  const opt = new LeanAdamOptimizer(5e-5);
  const vars = ae.trainableWeights().map((w) => w.read() as tf.Variable);
  const step = () =>
    tf.tidy(() => {
      opt.minimize(() => tf.add(tf.mean(tf.abs(tf.sub(ae.reconstruct(a, 'a'), a))), tf.mean(tf.abs(tf.sub(ae.reconstruct(b, 'b'), b)))) as tf.Scalar, false, vars);
    });
  const dispose = () => {
    tf.dispose([a, b]);
    opt.dispose();
    ae.dispose();
  };
  return { ae, a, step, dispose };
}


async function measure(preset: PresetName, batch: number): Promise<{ train: number; infer: number; gflopPerFace: number }> {
  const { ae, a, step, dispose } = setup(preset, batch);
  const gflopPerFace = forwardFlopsPerFace(ae) / 1e9;
  const w = ae.encoder.trainableWeights[0]!.read();
  try {
    step(); // warm-up: kernels, optimizer slots
    await w.data();
    const train = (2 * batch) / (await timeIt(() => (step(), w), 5000, 2));
    // inference at the yardstick's batch (torch_autoencoder.py infers 64 faces a call)
    const faces = tf.tidy(() => tf.concat(Array.from({ length: Math.ceil(INFER_BATCH / batch) }, () => a)).slice(0, INFER_BATCH)) as tf.Tensor4D;
    let last: tf.Tensor | null = null;
    const infer = () => {
      last?.dispose();
      last = (ae as Autoencoder).reconstruct(faces, 'b');
      return last;
    };
    try {
      await settle(infer());
      const inf = INFER_BATCH / (await timeIt(infer, 3000, 2));
      return { train, infer: inf, gflopPerFace };
    } finally {
      (last as tf.Tensor | null)?.dispose();
      faces.dispose();
    }
  } finally {
    dispose();
  }
}

/**
 * Multiply-adds x 2 of one face through the encoder and one decoder, from the layers' kernels
 * and output shapes (conv2d: per output pixel; conv2dTranspose: per input pixel; dense: in x out).
 */
function forwardFlopsPerFace(ae: Autoencoder): number {
  let flops = 0;
  for (const model of [ae.encoder, ae.decoderA]) {
    for (const layer of model.layers) {
      const kernel = layer.getWeights()[0];
      if (!kernel || kernel.rank < 2) continue;
      const k = kernel.shape.reduce((p, q) => p * q, 1);
      const out = layer.outputShape as number[];
      const inShape = layer.inputSpec?.[0]?.shape ?? (layer.input as tf.SymbolicTensor).shape;
      const className = layer.getClassName();
      if (className === 'Dense') flops += 2 * k;
      else if (className === 'Conv2DTranspose') flops += 2 * k * (inShape[1] as number) * (inShape[2] as number);
      else if (className === 'Conv2D') flops += 2 * k * out[1]! * out[2]!;
    }
  }
  return flops;
}

/** The backend's dense matmul speed (1024 x 1024 x 1024, median of 7): the ceiling of a compute-bound kernel. */
async function matmulPeak(): Promise<number> {
  const a = tf.randomNormal([1024, 1024]);
  const b = tf.randomNormal([1024, 1024]);
  const ms = await medianMs(() => tf.matMul(a, b), 7);
  tf.dispose([a, b]);
  return (2 * 1024 ** 3) / (ms / 1000) / 1e9;
}

const results: Record<string, unknown>[] = [];
const peak = await matmulPeak();
console.log(`matmul 1024x1024x1024 ${backend}: ${peak.toFixed(1)} GFLOP/s (the backend's ceiling for compute-bound kernels; PyTorch's BLAS on the same cores: numpy or torch a @ b)`);
results.push({ matmulPeakGflops: +peak.toFixed(1) });
for (const [preset, batches] of [
  ['tiny', [16]],
  ['small', [16]],
  ['original', [16, 8, 4]],
] as Array<[PresetName, number[]]>) {
  if (only && !only.includes(preset)) continue;
  for (const batch of batches) {
    try {
      const r = await measure(preset, batch);
      // a training step is about 3 forward passes' work (forward, input and filter gradients)
      console.log(`${preset} train ${backend}: ${r.train.toFixed(1)} faces/s (batch ${batch} per identity; ${(3 * r.gflopPerFace * r.train).toFixed(1)} GFLOP/s)`);
      console.log(`${preset} infer ${backend}: ${r.infer.toFixed(1)} faces/s (batch ${INFER_BATCH}; ${(r.gflopPerFace * r.infer).toFixed(1)} GFLOP/s; ${r.gflopPerFace.toFixed(3)} GFLOP a face)`);
      results.push({ preset, batchPerIdentity: batch, inferBatch: INFER_BATCH, trainFacesPerS: +r.train.toFixed(2), inferFacesPerS: +r.infer.toFixed(2), forwardGflopPerFace: +r.gflopPerFace.toFixed(4) });
      if (batches.length > 1) console.log(`${preset}: batch ${batch} per identity fits in ${backend} memory`);
      break;
    } catch (err) {
      console.log(`${preset}: batch ${batch} per identity does not fit (${(err as Error).message.split('\n')[0]}); trying a smaller one`);
    }
  }
}

// the top kernels of one small training step
if (!only || only.includes('small')) {
  const { step, dispose } = setup('small', 16);
  step();
  const p = await tf.profile(() => step());
  const byName = new Map<string, number>();
  // names ending in __op are op scopes (a custom gradient's wrapper) around kernels already counted
  for (const k of p.kernels) if (!k.name.endsWith('__op')) byName.set(k.name, (byName.get(k.name) ?? 0) + (Number(await k.kernelTimeMs) || 0));
  const total = [...byName.values()].reduce((s, v) => s + v, 0);
  const top = [...byName.entries()].sort((x, y) => y[1] - x[1]).slice(0, 8);
  console.log(`small step kernels (${backend}, batch 16, ${total.toFixed(0)} ms in kernels):`);
  for (const [name, ms] of top) console.log(`  ${name.padEnd(24)} ${ms.toFixed(1).padStart(8)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)}%`);
  results.push({ profile: 'small', totalKernelMs: +total.toFixed(1), top: top.map(([name, ms]) => ({ name, ms: +ms.toFixed(1), share: +(ms / total).toFixed(3) })) });
  dispose();
}
// the trainer's own faces/s (batches, augmentation, loss reading, schedule) beside its step alone, the default recipe
async function trainerVsStep(preset: PresetName): Promise<{ step: number; trainer: number }> {
  const arch = modelArchitecture(preset);
  const s = arch.inputSize;
  const d = TrainConfig.parse({});
  const faces = async (id: 'a' | 'b'): Promise<FaceSet> => {
    const f = await faceCrop(id, s);
    const mask = Float32Array.from({ length: s * s }, (_, i) => (((i % s) - s / 2) / (s * 0.35)) ** 2 + ((Math.floor(i / s) - s / 2) / (s * 0.45)) ** 2 < 1 ? 1 : 0);
    return { dir: `(sample ${id})`, size: s, files: ['0', '1'], faces: [f, f.map((v) => 1 - v)], masks: [mask, mask] };
  };
  const a = await faces('a');
  const b = await faces('b');
  // the step alone, with the trainer's loss (weighted MAE + DSSIM) on fixed tensors
  const ae = buildAutoencoder(arch, 1);
  const opt = new LeanAdamOptimizer(d.learningRate);
  const vars = ae.trainableWeights().map((w) => w.read() as tf.Variable);
  const n = d.batchSize;
  const x = tf.tensor4d(new Float32Array(n * s * s * 3).map((_, i) => a.faces[0]![i % (s * s * 3)]!), [n, s, s, 3]);
  const w = tf.tensor4d(new Float32Array(n * s * s).map((_, i) => 1 + 3 * a.masks![0]![i % (s * s)]!), [n, s, s, 1]);
  const step = () => tf.tidy(() => void opt.minimize(() => tf.add(reconstructionLoss(ae.decoderA.apply(ae.encoder.apply(x)) as tf.Tensor4D, x, { dssim: d.dssim, weights: w }), reconstructionLoss(ae.decoderB.apply(ae.encoder.apply(x)) as tf.Tensor4D, x, { dssim: d.dssim, weights: w })) as tf.Scalar, false, vars));
  step();
  const w0 = vars[0]!;
  await w0.data();
  const stepFps = (2 * n) / (await timeIt(() => (step(), w0), 8000, 3));
  tf.dispose([x, w]);
  opt.dispose();
  ae.dispose();
  // the trainer: its steady state from the loss log's clock (first 3 iterations are warm-up)
  const out = mkdtempSync(join(tmpdir(), 'janus-trainer-bench-'));
  try {
    const iterations = preset === 'tiny' ? 60 : 30;
    const r = await train({ a, b, arch, out, iterations, previews: false });
    const l = r.losses;
    const trainerFps = ((l.length - 3) * 2 * n) / (l[l.length - 1]!.seconds - l[2]!.seconds);
    return { step: stepFps, trainer: trainerFps };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
for (const preset of ['tiny', 'small'] as const) {
  if (only && !only.includes(preset)) continue;
  const r = await trainerVsStep(preset);
  console.log(`${preset} trainer ${backend}: ${r.trainer.toFixed(1)} faces/s in janus train's loop, ${r.step.toFixed(1)} for its step alone (${((100 * r.trainer) / r.step).toFixed(0)}%; default recipe: weighted MAE + DSSIM, batch 16)`);
  results.push({ preset, trainerFacesPerS: +r.trainer.toFixed(2), trainerStepFacesPerS: +r.step.toFixed(2), trainerShareOfStep: +(r.trainer / r.step).toFixed(3) });
}

console.log(JSON.stringify({ bench: 'train', backend, threads: sel.threads?.count, results }));
