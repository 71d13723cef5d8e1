/**
 * The training loop: batches of A through decoder A and of B through decoder B, both through
 * the shared encoder, with random-warp augmentation, a weighted MAE + DSSIM loss (face up,
 * background down, eyes and mouth up) and Adam on a schedule (warm-up, cosine decay, random warp
 * off for the last part of the budget). Checkpoints every N iterations or M minutes, at the end
 * and when stopped; resuming continues the same run (same weights, optimizer state and random
 * stream, so the loss curve matches an uninterrupted run's); a NaN/Inf loss stops training and
 * keeps the last good checkpoint. An optional quality probe runs every few minutes and its
 * numbers go to quality.jsonl (and can stop training).
 *
 *   const r = await train({ a, b, arch, out: 'weights/demo', iterations: 200, seed: 1 });
 *   r.stoppedBy   // 'iterations' | 'time' | 'target-loss' | 'quality' | 'signal' | 'nan' | 'device-lost'
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Architecture } from '../config/model.ts';
import { ExtractConfig } from '../config/extract.ts';
import { defaultOf } from '../config/parse.ts';
import { TrainConfig } from '../config/train.ts';
import { tf } from '../engine/tf.ts';
import { bufferLimitProblem, deviceLost } from '../engine/webgpu.ts';
import { LeanAdamOptimizer } from '../model/lean-adam.ts';
import { writeFileAtomic } from '../media/atomic-write.ts';
import { buildAutoencoder, type Autoencoder } from '../model/autoencoder.ts';
import { loadLatestCheckpoint, saveBest, saveCheckpoint, type NamedTensor } from '../model/checkpoint.ts';
import { reconstructionLoss } from '../model/losses.ts';
import { UserError } from '../util/errors.ts';
import { DEFAULT_AUGMENT, augmentFace, type AugmentSettings } from './augment.ts';
import type { FaceSet } from './face-set.ts';
import { eyeMouthMap, pixelWeight } from './loss-weights.ts';
import { writeLossCurve, writePreview } from './previews.ts';
import { appendQuality, readQualityLog, type QualityEntry, type QualityProbe } from './quality-log.ts';
import { Rng } from './rng.ts';
import { learningRateAt, progress, warpOn } from './schedule.ts';

const D = TrainConfig.parse({});

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
  /** Also checkpoint every N minutes (0 = off). */
  saveMinutes?: number;
  keep?: number;
  /** Stop after this many minutes of training (over all runs; checkpoint saved). */
  minutes?: number;
  /** Stop once both losses are below this. */
  targetLoss?: number;
  /** Augmentation; its colour and lightness jitter default to `colourJitter`. */
  augment?: AugmentSettings;
  colourJitter?: number;
  /** The share of each aligned crop the face sets were cut to (recorded in checkpoints for the swap). */
  coverage?: number;
  /** The extraction coverage of the crops (where the landmark template sits): for the eye/mouth weights. */
  extractCoverage?: number;
  /** Add DSSIM to the MAE loss. */
  dssim?: boolean;
  /** Extra weight of the face mask in the loss (0 = off; the face sets need masks). */
  maskWeight?: number;
  backgroundWeight?: number;
  eyeMouthWeight?: number;
  warpShare?: number;
  warmup?: number;
  decay?: 'cosine' | 'none';
  minLrShare?: number;
  /** Pretraining: `a` alone (any number of people pooled) through the encoder and decoder A; `b` is ignored. */
  pretrain?: boolean;
  /** Start a new run from these networks (a pretrained encoder, e.g.) instead of random weights. */
  init?: (ae: Autoencoder) => Promise<void> | void;
  /** Quality measured while training, every `qualityMinutes` (and at the end). */
  probe?: QualityProbe;
  qualityMinutes?: number;
  /** Stop once the probe's identity share is at least this in two probes in a row. */
  stopAtQuality?: number;
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
  /** Learning rate of the step. */
  lr?: number;
  /** Whether the step's inputs were randomly warped. */
  warp?: boolean;
}

export interface TrainResult {
  iteration: number;
  resumedFrom: number;
  stoppedBy: 'iterations' | 'time' | 'target-loss' | 'quality' | 'signal' | 'nan' | 'device-lost';
  losses: LossEntry[];
  quality: QualityEntry[];
  checkpoint: string | null;
  message: string;
  /** Seconds of this run spent in training steps and in everything else (batches, checkpoints, probes). */
  timing: { stepSeconds: number; totalSeconds: number; facesPerSecond: number };
}

/** The settings a run resolves to: the options given, the schema's defaults for the rest. */
function resolve(o: TrainOptions) {
  const pick = <K extends keyof typeof D>(k: K, v: (typeof D)[K] | undefined): (typeof D)[K] => (v === undefined ? D[k] : v);
  const colourJitter = pick('colourJitter', o.colourJitter);
  return {
    batch: pick('batchSize', o.batchSize),
    learningRate: pick('learningRate', o.learningRate),
    seed: pick('seed', o.seed),
    saveEvery: pick('saveEvery', o.saveEvery),
    saveMinutes: pick('saveMinutes', o.saveMinutes),
    keep: pick('keep', o.keep),
    coverage: pick('coverage', o.coverage),
    dssim: pick('dssim', o.dssim),
    maskWeight: pick('maskWeight', o.maskWeight),
    backgroundWeight: pick('backgroundWeight', o.backgroundWeight),
    eyeMouthWeight: pick('eyeMouthWeight', o.eyeMouthWeight),
    warpShare: pick('warpShare', o.warpShare),
    warmup: pick('warmup', o.warmup),
    decay: pick('decay', o.decay),
    minLrShare: pick('minLrShare', o.minLrShare),
    augment: o.augment ?? { ...DEFAULT_AUGMENT, colour: colourJitter, lightness: colourJitter },
  };
}
type Resolved = ReturnType<typeof resolve>;

/** Everything that must be equal for a run to continue another: the architecture and the training maths. */
export function configHash(o: TrainOptions): string {
  const r = resolve(o);
  const settings: Record<string, unknown> = { arch: o.arch, batchSize: r.batch, learningRate: r.learningRate, seed: r.seed, augment: r.augment, loss: { dssim: r.dssim, maskWeight: r.maskWeight } };
  // settings added later enter the hash only when they leave the old behaviour, so older runs still resume
  const recipe = { coverage: r.coverage, backgroundWeight: r.backgroundWeight, eyeMouthWeight: r.eyeMouthWeight, warpShare: r.warpShare, warmup: r.warmup, decay: r.decay, minLrShare: r.decay === 'none' ? null : r.minLrShare };
  const legacy = { coverage: 1, backgroundWeight: 1, eyeMouthWeight: 0, warpShare: 1, warmup: 0, decay: 'none', minLrShare: null };
  if (JSON.stringify(recipe) !== JSON.stringify(legacy)) settings.recipe = recipe;
  if (o.pretrain) settings.pretrain = true;
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
}

interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor4D;
  /** Per-pixel loss weights (weighted loss). */
  w?: tf.Tensor4D;
  /** The target face mask (learned mask). */
  m?: tf.Tensor4D;
}

/** Weight of the learned mask's loss (MAE towards the landmark mask) beside the face's. */
const MASK_LOSS_WEIGHT = 1;

interface MapUse {
  weighted: boolean;
  learnMask: boolean;
}

/**
 * Per-face maps that follow the target's geometry: [face mask, eyes and mouth] interleaved (2
 * channels), or null when neither the loss weights nor a learned mask need them.
 */
function setMaps(set: FaceSet, r: Resolved, use: MapUse, extractCoverage: number): Float32Array[] | null {
  if (!use.weighted && !use.learnMask) return null;
  const n = set.size * set.size;
  const em = r.eyeMouthWeight > 0 ? eyeMouthMap(set.size, r.coverage, extractCoverage) : null;
  return set.faces.map((_, k) => {
    const m = set.masks ? set.masks[k]! : null;
    const out = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      out[i * 2] = m ? m[i]! : 1;
      out[i * 2 + 1] = em ? em[i]! : 0;
    }
    return out;
  });
}

function makeBatch(set: FaceSet, maps: Float32Array[] | null, use: MapUse, r: Resolved, n: number, rng: Rng, aug: AugmentSettings): Batch {
  const s = set.size;
  const per = s * s * 3;
  const xs = new Float32Array(n * per);
  const ys = new Float32Array(n * per);
  const ws = use.weighted ? new Float32Array(n * s * s) : null;
  const ms = use.learnMask ? new Float32Array(n * s * s) : null;
  for (let i = 0; i < n; i++) {
    const k = rng.int(set.faces.length);
    const { input, target, targetMask } = augmentFace(set.faces[k]!, s, rng, aug, maps ? maps[k] : undefined);
    xs.set(input, i * per);
    ys.set(target, i * per);
    if (!targetMask) continue;
    for (let p = 0; p < s * s; p++) {
      const m = targetMask[p * 2]!;
      if (ms) ms[i * s * s + p] = m;
      if (ws) ws[i * s * s + p] = pixelWeight(m, targetMask[p * 2 + 1]!, r);
    }
  }
  return { x: tf.tensor4d(xs, [n, s, s, 3]), y: tf.tensor4d(ys, [n, s, s, 3]), w: ws ? tf.tensor4d(ws, [n, s, s, 1]) : undefined, m: ms ? tf.tensor4d(ms, [n, s, s, 1]) : undefined };
}

const disposeBatch = (b: Batch) => tf.dispose([b.x, b.y, ...(b.w ? [b.w] : []), ...(b.m ? [b.m] : [])]);

/** The loss of one identity's batch through its decoder: weighted MAE (+ DSSIM) of the face, + the learned mask's MAE. */
function batchLoss(ae: Autoencoder, which: 'a' | 'b', b: Batch, r: Resolved): tf.Scalar {
  const out = (which === 'a' ? ae.decoderA : ae.decoderB).apply(ae.encoder.apply(b.x)) as tf.Tensor4D;
  if (!ae.arch.learnMask) return reconstructionLoss(out, b.y, { dssim: r.dssim, weights: b.w });
  const [rgb, mask] = tf.split(out, [3, 1], 3) as [tf.Tensor4D, tf.Tensor4D];
  return tf.add(reconstructionLoss(rgb, b.y, { dssim: r.dssim, weights: b.w }), tf.mul(tf.mean(tf.abs(tf.sub(mask, b.m!))), MASK_LOSS_WEIGHT)) as tf.Scalar;
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
  const r = resolve(o);
  const log = o.log ?? (() => undefined);
  for (const [name, set] of [['A', o.a], ['B', o.b]] as const) {
    if (set.size !== o.arch.inputSize) throw new UserError(`face set ${name} (${set.dir}) is ${set.size} px, the ${o.arch.preset} model takes ${o.arch.inputSize} px`);
  }
  const masked = r.maskWeight > 0 || r.backgroundWeight < 1;
  const use: MapUse = { weighted: masked || r.eyeMouthWeight > 0, learnMask: !!o.arch.learnMask };
  for (const [name, set] of [['A', o.a], ['B', o.b]] as const) {
    if (masked && !set.masks) throw new UserError(`mask-weighted loss needs the masks of face set ${name} (${set.dir})`, 'train on the faces/ folder of a `janus extract` output (its masks/ sits beside it), or set maskWeight to 0 and backgroundWeight to 1');
    if (use.learnMask && !set.masks) throw new UserError(`a learned mask needs the masks of face set ${name} (${set.dir}) to learn from`, 'train on the faces/ folder of a `janus extract` output (its masks/ sits beside it), or turn learnMask off');
  }
  const extractCoverage = o.extractCoverage ?? defaultOf(ExtractConfig, 'coverage');
  const mapsA = setMaps(o.a, r, use, extractCoverage);
  const mapsB = setMaps(o.b, r, use, extractCoverage);
  const hash = configHash(o);
  const ck = await loadLatestCheckpoint(o.out, o.arch);
  for (const s of ck?.skipped ?? []) log(`skipped checkpoint ${s.dir}: ${s.reason}`);
  let ae: Autoencoder;
  let rng: Rng;
  let iteration = 0;
  let secondsBefore = 0;
  const optimizer = new LeanAdamOptimizer(r.learningRate);
  if (ck) {
    if (ck.state.configHash !== hash) {
      ck.ae.dispose();
      throw new UserError(`the checkpoint in ${o.out} was trained with other settings (batch size, learning rate, seed, loss, coverage, schedule or augmentation differ)`, 'use the same settings to continue, or train into a new folder');
    }
    ae = ck.ae;
    rng = Rng.fromState(ck.state.rng);
    iteration = ck.state.iteration;
    secondsBefore = ck.state.trainSeconds ?? 0;
    await optimizer.setWeights(ck.optimizerWeights);
    tf.dispose(ck.optimizerWeights.map((w) => w.tensor));
    log(`resumed from iteration ${iteration} (${ck.dir})`);
  } else {
    ae = buildAutoencoder(o.arch, r.seed);
    rng = Rng.fromSeed(r.seed);
    if (o.init) await o.init(ae);
  }
  const tooBig = bufferLimitProblem(
    `batch size ${r.batch}`,
    [ae.encoder, ae.decoderA].flatMap((m) => m.layers.map((l) => (l.outputShape as number[]).map((d) => (d === null ? r.batch : d)))),
  );
  if (tooBig) {
    ae.dispose();
    optimizer.dispose();
    throw new UserError(`${tooBig} on this GPU`, `train with a smaller --batch-size (it scales that tensor linearly), or a smaller preset`);
  }
  const resumedFrom = iteration;
  const losses = readLossLog(o.out, iteration);
  const quality = readQualityLog(o.out, iteration);
  const vars = ae.trainableWeights().map((w) => w.read() as tf.Variable);
  const started = performance.now();
  const seconds = () => secondsBefore + (performance.now() - started) / 1000;
  const where = () => progress({ iteration, iterations: o.iterations, seconds: seconds(), minutes: o.minutes });
  let checkpoint: string | null = ck?.dir ?? null;
  let lastGood = { la: NaN, lb: NaN };
  let best = ck?.state.bestScore ?? Infinity;
  let lastSave = performance.now();
  let lastProbe = performance.now();
  let stepSeconds = 0;
  let savedRng = rng.state();

  const save = async () => {
    lastSave = performance.now();
    const optimizerWeights: NamedTensor[] = await optimizer.getWeights();
    // keep a backup of the best checkpoint (lowest mean loss over the last 10 iterations)
    const recent = losses.slice(-10);
    const score = recent.reduce((acc, e) => acc + e.lossA + e.lossB, 0) / Math.max(1, recent.length);
    const isBest = recent.length > 0 && score < best;
    if (isBest) best = score;
    try {
      checkpoint = await saveCheckpoint(o.out, { ae, optimizerWeights, state: { iteration, arch: o.arch, configHash: hash, rng: savedRng, lossA: lastGood.la, lossB: lastGood.lb, bestScore: Number.isFinite(best) ? best : null, coverage: r.coverage, trainSeconds: seconds() } }, { keep: r.keep });
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

  const runProbe = async (): Promise<boolean> => {
    lastProbe = performance.now();
    if (!o.probe) return false;
    const q = await o.probe(ae, { iteration, minutes: seconds() / 60 });
    quality.push(q);
    await appendQuality(o.out, quality);
    log(`quality at iteration ${iteration}: ${(q.identityShare * 100).toFixed(0)}% closer to the target, median distance ${q.medianToTarget.toFixed(3)}, Mask-SSIM ${q.maskSsim.toFixed(3)}`);
    if (o.stopAtQuality === undefined || quality.length < 2) return false;
    return quality.slice(-2).every((e) => e.identityShare >= o.stopAtQuality!);
  };

  const draw = (): { A: Batch; B: Batch | null; lr: number; warp: boolean } => {
    const p = where();
    const warp = warpOn(r.warpShare, p);
    const aug = warp ? r.augment : { ...r.augment, warp: 0 };
    const lr = learningRateAt(r, iteration, p);
    return { A: makeBatch(o.a, mapsA, use, r, r.batch, rng, aug), B: o.pretrain ? null : makeBatch(o.b, mapsB, use, r, r.batch, rng, aug), lr, warp };
  };

  let stoppedBy: TrainResult['stoppedBy'] = 'iterations';
  let next: ReturnType<typeof draw> | null = null;
  try {
    while (iteration < o.iterations) {
      if (o.signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (o.minutes !== undefined && seconds() / 60 >= o.minutes) {
        stoppedBy = 'time';
        break;
      }
      const cur = next ?? draw();
      next = null;
      optimizer.setLearningRate(cur.lr);
      const t0 = performance.now();
      const lossT = tf.tidy(() => {
        let pair: tf.Tensor1D | null = null;
        optimizer.minimize(
          () => {
            const lossA = batchLoss(ae, 'a', cur.A, r);
            if (!cur.B) {
              pair = tf.keep(tf.stack([lossA, lossA]) as tf.Tensor1D); // pretraining: one generic decoder
              return lossA;
            }
            const lossB = batchLoss(ae, 'b', cur.B, r);
            pair = tf.keep(tf.stack([lossA, lossB]) as tf.Tensor1D);
            return tf.add(lossA, lossB) as tf.Scalar;
          },
          false,
          vars,
        );
        return pair!;
      });
      disposeBatch(cur.A);
      if (cur.B) disposeBatch(cur.B);
      // read the losses without holding up the device: the next batch is prepared meanwhile
      const pending = lossT.data();
      const rngBefore = rng.state();
      iteration++;
      const more = iteration < o.iterations && !o.signal?.aborted && !(o.minutes !== undefined && seconds() / 60 >= o.minutes);
      if (more) next = draw();
      let read: Float32Array | null = null;
      try {
        read = (await pending) as Float32Array;
      } catch (err) {
        if (!deviceLost()) throw err;
      }
      lossT.dispose();
      if (deviceLost() || !read) {
        iteration--;
        stoppedBy = 'device-lost';
        break;
      }
      const [la, lb] = Array.from(read);
      stepSeconds += (performance.now() - t0) / 1000;
      savedRng = rngBefore; // a checkpoint resumes by drawing the next batch again
      if (!Number.isFinite(la) || !Number.isFinite(lb)) {
        iteration--;
        stoppedBy = 'nan';
        break;
      }
      lastGood = { la: la!, lb: lb! };
      losses.push({ iteration, lossA: la!, lossB: lb!, seconds: Math.round(seconds() * 1000) / 1000, lr: cur.lr, warp: cur.warp });
      o.onIteration?.(iteration, la!, lb!);
      const dueByCount = r.saveEvery > 0 && iteration % r.saveEvery === 0;
      const dueByTime = r.saveMinutes > 0 && (performance.now() - lastSave) / 60000 >= r.saveMinutes;
      if (dueByCount || dueByTime) {
        try {
          if (!deviceLost()) await save();
        } catch (err) {
          if (!deviceLost()) throw err; // a save cut short leaves no checkpoint folder (written aside, renamed whole)
        }
      }
      if (deviceLost()) {
        stoppedBy = 'device-lost';
        break;
      }
      if (o.probe && o.qualityMinutes && (performance.now() - lastProbe) / 60000 >= o.qualityMinutes && (await runProbe())) {
        stoppedBy = 'quality';
        break;
      }
      if (o.targetLoss !== undefined && la! < o.targetLoss && lb! < o.targetLoss) {
        stoppedBy = 'target-loss';
        break;
      }
    }
    if (next) {
      disposeBatch(next.A);
      if (next.B) disposeBatch(next.B);
    }
    if (stoppedBy !== 'nan' && stoppedBy !== 'device-lost' && iteration > resumedFrom) {
      // a last probe, except when stopped by a signal (Ctrl-C wants the checkpoint and the exit now)
      if (o.probe && stoppedBy !== 'quality' && stoppedBy !== 'signal' && quality.at(-1)?.iteration !== iteration) await runProbe();
      if (!checkpoint?.endsWith(String(iteration).padStart(9, '0'))) await save();
    }
  } finally {
    ae.dispose();
    optimizer.dispose();
  }
  const message =
    stoppedBy === 'nan'
      ? `the loss became NaN/Inf at iteration ${iteration + 1}: training stopped; the last good checkpoint (${checkpoint ?? 'none'}) is kept. Lower the learning rate.`
      : stoppedBy === 'device-lost'
      ? `the GPU device was lost after iteration ${iteration} (${deviceLost() ?? 'no reason given'}): training stopped; the last checkpoint (${checkpoint ?? 'none'}) is kept: run again to resume from it`
      : `stopped by ${stoppedBy} at iteration ${iteration}${resumedFrom ? ` (resumed from ${resumedFrom})` : ''}`;
  log(message);
  const totalSeconds = (performance.now() - started) / 1000;
  const faces = (iteration - resumedFrom) * r.batch * (o.pretrain ? 1 : 2);
  return { iteration, resumedFrom, stoppedBy, losses, quality, checkpoint, message, timing: { stepSeconds, totalSeconds, facesPerSecond: totalSeconds > 0 ? faces / totalSeconds : 0 } };
}
