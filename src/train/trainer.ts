/**
 * The training loop: batches of A through decoder A and of B through decoder B, both through
 * the shared encoder, with random-warp augmentation, MAE loss and Adam. Checkpoints every N
 * iterations, at the end and when stopped; resuming continues the same run (same weights,
 * optimizer state and random stream, so the loss curve matches an uninterrupted run's); a
 * NaN/Inf loss stops training and keeps the last good checkpoint.
 *
 *   const r = await train({ a, b, arch, out: 'weights/demo', iterations: 200, seed: 1 });
 *   r.stoppedBy   // 'iterations' | 'time' | 'target-loss' | 'signal' | 'nan'
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Architecture } from '../config/model.ts';
import { tf } from '../engine/tf.ts';
import { LeanAdamOptimizer } from '../model/lean-adam.ts';
import { writeFileAtomic } from '../media/atomic-write.ts';
import { buildAutoencoder, type Autoencoder } from '../model/autoencoder.ts';
import { loadLatestCheckpoint, saveBest, saveCheckpoint, type NamedTensor } from '../model/checkpoint.ts';
import { reconstructionLoss } from '../model/losses.ts';
import { UserError } from '../util/errors.ts';
import { DEFAULT_AUGMENT, augmentFace, type AugmentSettings } from './augment.ts';
import type { FaceSet } from './face-set.ts';
import { writeLossCurve, writePreview } from './previews.ts';
import { Rng } from './rng.ts';

export interface TrainOptions {
  a: FaceSet;
  b: FaceSet;
  arch: Architecture;
  /** Checkpoint folder (weights/<name>). */
  out: string;
  /** Total iterations: a resumed run continues up to this number. */
  iterations: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  saveEvery?: number;
  keep?: number;
  /** Stop after this many minutes (checkpoint saved). */
  minutes?: number;
  /** Stop once both losses are below this. */
  targetLoss?: number;
  augment?: AugmentSettings;
  /** Add DSSIM to the MAE loss. */
  dssim?: boolean;
  /** Weight of the face mask in the loss (0 = off; the face sets need masks). */
  maskWeight?: number;
  /** Write preview.png (A->A, A->B, B->B, B->A) and loss.png with every checkpoint (default true). */
  previews?: boolean;
  signal?: AbortSignal;
  onIteration?(iteration: number, lossA: number, lossB: number): void;
  log?(line: string): void;
}

export interface LossEntry {
  iteration: number;
  lossA: number;
  lossB: number;
  seconds: number;
}

export interface TrainResult {
  iteration: number;
  resumedFrom: number;
  stoppedBy: 'iterations' | 'time' | 'target-loss' | 'signal' | 'nan';
  losses: LossEntry[];
  checkpoint: string | null;
  message: string;
}

/** Everything that must be equal for a run to continue another: the architecture and the training maths. */
export function configHash(o: TrainOptions): string {
  const settings = { arch: o.arch, batchSize: o.batchSize ?? 16, learningRate: o.learningRate ?? 5e-5, seed: o.seed ?? 1, augment: o.augment ?? DEFAULT_AUGMENT, loss: { dssim: !!o.dssim, maskWeight: o.maskWeight ?? 0 } };
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
}

function batchTensors(set: FaceSet, n: number, rng: Rng, aug: AugmentSettings, withMasks: boolean): { x: tf.Tensor4D; y: tf.Tensor4D; m?: tf.Tensor4D } {
  const s = set.size;
  const per = s * s * 3;
  const xs = new Float32Array(n * per);
  const ys = new Float32Array(n * per);
  const ms = withMasks ? new Float32Array(n * s * s) : null;
  for (let i = 0; i < n; i++) {
    const k = rng.int(set.faces.length);
    const { input, target, targetMask } = augmentFace(set.faces[k]!, s, rng, aug, withMasks ? set.masks![k] : undefined);
    xs.set(input, i * per);
    ys.set(target, i * per);
    if (ms && targetMask) ms.set(targetMask, i * s * s);
  }
  return { x: tf.tensor4d(xs, [n, s, s, 3]), y: tf.tensor4d(ys, [n, s, s, 3]), m: ms ? tf.tensor4d(ms, [n, s, s, 1]) : undefined };
}

const lossLogPath = (out: string) => join(out, 'loss.jsonl');

function readLossLog(out: string, upTo: number): LossEntry[] {
  const p = lossLogPath(out);
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LossEntry)
    .filter((e) => e.iteration <= upTo);
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const batch = o.batchSize ?? 16;
  const aug = o.augment ?? DEFAULT_AUGMENT;
  const log = o.log ?? (() => undefined);
  for (const [name, set] of [['A', o.a], ['B', o.b]] as const) {
    if (set.size !== o.arch.inputSize) throw new UserError(`face set ${name} (${set.dir}) is ${set.size} px, the ${o.arch.preset} model takes ${o.arch.inputSize} px`);
  }
  const withMasks = (o.maskWeight ?? 0) > 0;
  for (const [name, set] of [['A', o.a], ['B', o.b]] as const) {
    if (withMasks && !set.masks) throw new UserError(`mask-weighted loss needs the masks of face set ${name} (${set.dir})`, 'load the face sets with their masks, or set maskWeight to 0');
  }
  const lossSettings = (m?: tf.Tensor4D) => ({ dssim: o.dssim, mask: m, maskWeight: o.maskWeight });
  const hash = configHash(o);
  const ck = await loadLatestCheckpoint(o.out, o.arch);
  for (const s of ck?.skipped ?? []) log(`skipped checkpoint ${s.dir}: ${s.reason}`);
  let ae: Autoencoder;
  let rng: Rng;
  let iteration = 0;
  const optimizer = new LeanAdamOptimizer(o.learningRate ?? 5e-5);
  if (ck) {
    if (ck.state.configHash !== hash) {
      ck.ae.dispose();
      throw new UserError(`the checkpoint in ${o.out} was trained with other settings (batch size, learning rate, seed or augmentation differ)`, 'use the same settings to continue, or train into a new folder');
    }
    ae = ck.ae;
    rng = Rng.fromState(ck.state.rng);
    iteration = ck.state.iteration;
    await optimizer.setWeights(ck.optimizerWeights);
    tf.dispose(ck.optimizerWeights.map((w) => w.tensor));
    log(`resumed from iteration ${iteration} (${ck.dir})`);
  } else {
    ae = buildAutoencoder(o.arch, o.seed ?? 1);
    rng = Rng.fromSeed(o.seed ?? 1);
  }
  const resumedFrom = iteration;
  const losses = readLossLog(o.out, iteration);
  const vars = ae.trainableWeights().map((w) => w.read() as tf.Variable);
  const started = performance.now();
  let checkpoint: string | null = ck?.dir ?? null;
  let lastGood = { la: NaN, lb: NaN };
  let best = ck?.state.bestScore ?? Infinity;

  const save = async () => {
    const optimizerWeights: NamedTensor[] = await optimizer.getWeights();
    // keep a backup of the best checkpoint (lowest mean loss over the last 10 iterations)
    const recent = losses.slice(-10);
    const score = recent.reduce((acc, e) => acc + e.lossA + e.lossB, 0) / Math.max(1, recent.length);
    const isBest = recent.length > 0 && score < best;
    if (isBest) best = score;
    try {
      checkpoint = await saveCheckpoint(o.out, { ae, optimizerWeights, state: { iteration, arch: o.arch, configHash: hash, rng: rng.state(), lossA: lastGood.la, lossB: lastGood.lb, bestScore: Number.isFinite(best) ? best : null } }, { keep: o.keep ?? 3 });
    } finally {
      // getWeights makes a fresh 'iter' scalar; the moments are the optimizer's own variables
      for (const w of optimizerWeights) if (w.name === 'iter') w.tensor.dispose();
    }
    if (isBest && checkpoint) await saveBest(o.out, checkpoint);
    await writeFileAtomic(lossLogPath(o.out), losses.map((e) => JSON.stringify(e)).join('\n') + (losses.length ? '\n' : ''));
    if (o.previews !== false) {
      await writePreview(join(o.out, 'preview.png'), ae, o.a.faces, o.b.faces);
      await writeLossCurve(join(o.out, 'loss.png'), losses);
    }
  };

  let stoppedBy: TrainResult['stoppedBy'] = 'iterations';
  try {
    while (iteration < o.iterations) {
      if (o.signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (o.minutes !== undefined && (performance.now() - started) / 60000 >= o.minutes) {
        stoppedBy = 'time';
        break;
      }
      const A = batchTensors(o.a, batch, rng, aug, withMasks);
      const B = batchTensors(o.b, batch, rng, aug, withMasks);
      let la = NaN;
      let lb = NaN;
      tf.tidy(() => {
        optimizer.minimize(
          () => {
            const lossA = reconstructionLoss(ae.decoderA.apply(ae.encoder.apply(A.x)) as tf.Tensor4D, A.y, lossSettings(A.m));
            const lossB = reconstructionLoss(ae.decoderB.apply(ae.encoder.apply(B.x)) as tf.Tensor4D, B.y, lossSettings(B.m));
            la = lossA.dataSync()[0]!;
            lb = lossB.dataSync()[0]!;
            return tf.add(lossA, lossB) as tf.Scalar;
          },
          false,
          vars,
        );
      });
      tf.dispose([A.x, A.y, B.x, B.y, ...(A.m ? [A.m] : []), ...(B.m ? [B.m] : [])]);
      if (!Number.isFinite(la) || !Number.isFinite(lb)) {
        stoppedBy = 'nan';
        break;
      }
      iteration++;
      lastGood = { la, lb };
      losses.push({ iteration, lossA: la, lossB: lb, seconds: (performance.now() - started) / 1000 });
      o.onIteration?.(iteration, la, lb);
      if (o.saveEvery && iteration % o.saveEvery === 0) await save();
      if (o.targetLoss !== undefined && la < o.targetLoss && lb < o.targetLoss) {
        stoppedBy = 'target-loss';
        break;
      }
    }
    if (stoppedBy !== 'nan' && iteration > resumedFrom && !(o.saveEvery && iteration % o.saveEvery === 0)) await save();
  } finally {
    ae.dispose();
    optimizer.dispose();
  }
  const message =
    stoppedBy === 'nan'
      ? `the loss became NaN/Inf at iteration ${iteration + 1}: training stopped; the last good checkpoint (${checkpoint ?? 'none'}) is kept. Lower the learning rate.`
      : `stopped by ${stoppedBy} at iteration ${iteration}${resumedFrom ? ` (resumed from ${resumedFrom})` : ''}`;
  log(message);
  return { iteration, resumedFrom, stoppedBy, losses, checkpoint, message };
}
