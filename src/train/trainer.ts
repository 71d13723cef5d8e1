/**
 * The training loop: batches of A through decoder A and of B through decoder B, both through
 * the shared encoder, with random-warp augmentation, a weighted MAE + DSSIM loss (face up,
 * background down, eyes and mouth up) and Adam on a schedule (warm-up, cosine decay, random warp
 * off for the last part of the budget). Checkpoints every N iterations or M minutes, at the end
 * and when stopped; resuming continues the same run (same weights, optimizer state and random
 * stream, so the loss curve matches an uninterrupted run's; the optimiser settings may change on
 * resume, with a line in the log). A NaN/Inf loss (or a non-finite weight found before a save)
 * is undone: back to the last good checkpoint, the learning rate halved, a note in the loss log;
 * after MAX_NAN_RECOVERIES it stops training, keeping that checkpoint. An optional quality probe runs every few minutes and its
 * numbers go to quality.jsonl (and can stop training).
 *
 *   const r = await train({ a, b, arch, out: 'weights/demo', iterations: 200, seed: 1 });
 *   r.stoppedBy   // 'iterations' | 'time' | 'target-loss' | 'quality' | 'signal' | 'nan' | 'device-lost'
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Architecture } from '../config/model.ts';
import { ExtractConfig } from '../config/extract.ts';
import { defaultOf } from '../config/parse.ts';
import { TrainConfig } from '../config/train.ts';
import { tf } from '../engine/tf.ts';
import { bufferLimitProblem, deviceLost } from '../engine/webgpu.ts';
import { LeanAdamOptimizer } from '../model/lean-adam.ts';
import { buildAutoencoder, type Autoencoder } from '../model/autoencoder.ts';
import { isBest, loadLatestCheckpoint, saveBest, saveCheckpoint, type NamedTensor } from '../model/checkpoint.ts';
import { reconstructionLoss } from '../model/losses.ts';
import { UserError } from '../util/errors.ts';
import { DEFAULT_AUGMENT, type AugmentSettings } from './augment.ts';
import { disposeBatch, faceMaps, makeBatch, type Batch, type MapUse } from './batches.ts';
import type { FaceSet } from './face-set.ts';
import { readLossLog, writeLossLog, type LossEntry } from './loss-log.ts';
import { writeLossCurve, writePreview } from './previews.ts';
import { readQualityLog, writeQualityLog, type QualityEntry, type QualityProbe } from './quality-log.ts';
import { Rng } from '../util/rng.ts';
import { learningRateAt, progress, warpOn } from './schedule.ts';
import { faultNaNIterations, faultPoint } from '../util/fault-point.ts';

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
  /**
   * A pinned rerun (janus verify, a reproduction kit): checkpoint at exactly these iterations
   * (besides every saveEvery), and never by the clock (saveMinutes is ignored).
   */
  saveAt?: readonly number[];
  /** A pinned rerun: the quality probe at exactly these iterations, never by the clock (qualityMinutes is ignored). */
  probeAt?: readonly number[];
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
  /** Fault tests: the loss of each listed iteration reads as NaN (once per entry). */
  injectNaNAt?: readonly number[];
  onIteration?(iteration: number, lossA: number, lossB: number): void;
  log?(line: string): void;
}

export type StopReason = 'iterations' | 'time' | 'target-loss' | 'quality' | 'signal' | 'nan' | 'device-lost';

/** Stops that end a run in failure (the checkpoint before them is kept): the loss went NaN, the GPU was lost. */
export function stoppedByFailure(stoppedBy: StopReason): boolean {
  return stoppedBy === 'nan' || stoppedBy === 'device-lost';
}

/**
 * A training command's exit code: 130 when stopped by a signal, 2 when the loss stayed NaN/Inf
 * (the user's to fix: the learning rate or the faces; print NAN_STOP_FIX), 1 when the GPU was
 * lost, else 0.
 */
export function trainingExitCode(stoppedBy: StopReason): number {
  return stoppedBy === 'signal' ? 130 : stoppedBy === 'nan' ? 2 : stoppedByFailure(stoppedBy) ? 1 : 0;
}

/** The fix printed when training stopped on a loss that stayed NaN/Inf. */
export const NAN_STOP_FIX = 'lower --learning-rate (a tenth, say) or check the faces, then run the same command again: it resumes from the last good checkpoint';

export interface TrainResult {
  iteration: number;
  resumedFrom: number;
  stoppedBy: StopReason;
  losses: LossEntry[];
  quality: QualityEntry[];
  checkpoint: string | null;
  /** The iterations of every checkpoint the run saved (kept or pruned), over all its sessions. */
  saves: number[];
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

/**
 * What must be equal for a run to continue another: the architecture and the training maths
 * (loss, data, augmentation, schedule, seed). `withOptimiser` adds the batch size and learning
 * rate: the hash older checkpoints recorded (configHash); newer ones record the hash without
 * them (trainHash), so those may change on resume.
 */
function configHash(o: TrainOptions, r: Resolved, withOptimiser = true): string {
  const settings: Record<string, unknown> = { arch: o.arch, ...(withOptimiser ? { batchSize: r.batch, learningRate: r.learningRate } : {}), seed: r.seed, augment: r.augment, loss: { dssim: r.dssim, maskWeight: r.maskWeight } };
  // settings added later enter the hash only when they leave the old behaviour, so older runs still resume
  const recipe = { coverage: r.coverage, backgroundWeight: r.backgroundWeight, eyeMouthWeight: r.eyeMouthWeight, warpShare: r.warpShare, warmup: r.warmup, decay: r.decay, minLrShare: r.decay === 'none' ? null : r.minLrShare };
  const legacy = { coverage: 1, backgroundWeight: 1, eyeMouthWeight: 0, warpShare: 1, warmup: 0, decay: 'none', minLrShare: null };
  if (JSON.stringify(recipe) !== JSON.stringify(legacy)) settings.recipe = recipe;
  if (o.pretrain) settings.pretrain = true;
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
}

/** How many times a NaN/Inf loss is undone (back to the last checkpoint, learning rate halved) before training stops. */
export const MAX_NAN_RECOVERIES = 3;

/** Weight of the learned mask's loss (MAE towards the landmark mask) beside the face's. */
const MASK_LOSS_WEIGHT = 1;

/** The loss of one identity's batch through its decoder: weighted MAE (+ DSSIM) of the face, + the learned mask's MAE. */
function batchLoss(ae: Autoencoder, which: 'a' | 'b', b: Batch, r: Resolved): tf.Scalar {
  const out = (which === 'a' ? ae.decoderA : ae.decoderB).apply(ae.encoder.apply(b.x)) as tf.Tensor4D;
  if (!ae.arch.learnMask) return reconstructionLoss(out, b.y, { dssim: r.dssim, weights: b.w });
  const [rgb, mask] = tf.split(out, [3, 1], 3) as [tf.Tensor4D, tf.Tensor4D];
  return tf.add(reconstructionLoss(rgb, b.y, { dssim: r.dssim, weights: b.w }), tf.mul(tf.mean(tf.abs(tf.sub(mask, b.m!))), MASK_LOSS_WEIGHT)) as tf.Scalar;
}

/** Which maps the batches need; a face set without masks where they are needed is the user's mistake. */
function mapUse(o: TrainOptions, r: Resolved): MapUse {
  for (const [name, set] of [['A', o.a], ['B', o.b]] as const) {
    if (set.size !== o.arch.inputSize) throw new UserError(`face set ${name} (${set.dir}) is ${set.size} px, the ${o.arch.preset} model takes ${o.arch.inputSize} px`);
  }
  const masked = r.maskWeight > 0 || r.backgroundWeight < 1;
  const use: MapUse = { weighted: masked || r.eyeMouthWeight > 0, learnMask: !!o.arch.learnMask };
  for (const [name, set] of [['A', o.a], ['B', o.b]] as const) {
    if (masked && !set.masks) throw new UserError(`mask-weighted loss needs the masks of face set ${name} (${set.dir})`, 'train on the faces/ folder of a `janus extract` output (its masks/ sits beside it), or set maskWeight to 0 and backgroundWeight to 1');
    if (use.learnMask && !set.masks) throw new UserError(`a learned mask needs the masks of face set ${name} (${set.dir}) to learn from`, 'train on the faces/ folder of a `janus extract` output (its masks/ sits beside it), or turn learnMask off');
  }
  return use;
}

/** Where a run starts: the latest checkpoint of `o.out` (same settings only) or fresh networks. */
interface Start {
  ae: Autoencoder;
  optimizer: LeanAdamOptimizer;
  rng: Rng;
  iteration: number;
  secondsBefore: number;
  checkpoint: string | null;
  bestScore: number;
  /** The learning-rate multiplier (halved by each NaN recovery, kept in checkpoints). */
  lrScale: number;
  /** The iterations of the run's checkpoints so far (kept in checkpoints). */
  saves: number[];
}

async function startOrResume(o: TrainOptions, r: Resolved, log: (line: string) => void): Promise<Start> {
  let skipped = 0;
  const onSkip = (dir: string, reason: string) => {
    skipped++;
    log(`skipped checkpoint ${dir}: ${reason}`);
  };
  const ck = await loadLatestCheckpoint(o.out, o.arch, { seed: r.seed, onSkip });
  const optimizer = new LeanAdamOptimizer(r.learningRate);
  if (!ck) {
    // every checkpoint there is damaged (each named above): none is removed until a good one is saved
    if (skipped) log('no usable checkpoint is left, so training starts from the beginning');
    const ae = buildAutoencoder(o.arch, r.seed);
    const rng = Rng.fromSeed(r.seed);
    if (o.init) await o.init(ae);
    return { ae, optimizer, rng, iteration: 0, secondsBefore: 0, checkpoint: null, bestScore: Infinity, lrScale: 1, saves: [] };
  }
  // newer checkpoints: only the architecture and the training maths must match; older ones recorded the optimiser settings too
  const same = ck.state.trainHash !== undefined ? ck.state.trainHash === configHash(o, r, false) : ck.state.configHash === configHash(o, r);
  if (!same) {
    ck.ae.dispose();
    tf.dispose(ck.optimizerWeights.map((w) => w.tensor));
    const what = ck.state.trainHash !== undefined ? 'seed, loss, coverage, schedule or augmentation differ' : 'batch size, learning rate, seed, loss, coverage, schedule or augmentation differ; this checkpoint is from an older Janus, which fixed the batch size and learning rate too';
    throw new UserError(`the checkpoint in ${o.out} was trained with other settings (${what})`, 'use the same settings to continue, or train into a new folder');
  }
  await optimizer.setWeights(ck.optimizerWeights);
  tf.dispose(ck.optimizerWeights.map((w) => w.tensor));
  log(`resumed from iteration ${ck.state.iteration} (${ck.dir})`);
  if (ck.state.best && !isBest(o.out, ck.dir)) await saveBest(o.out, ck.dir); // killed between the checkpoint and its best copy
  const was = ck.state.optimiser;
  if (was && was.learningRate !== r.learningRate) log(`learning rate changed on resume: ${was.learningRate} -> ${r.learningRate}`);
  if (was && was.batchSize !== r.batch) log(`batch size changed on resume: ${was.batchSize} -> ${r.batch}`);
  if (was && was.lrScale !== 1) log(`the learning rate stays scaled by ${was.lrScale} (halved by earlier NaN recoveries)`);
  return { ae: ck.ae, optimizer, rng: Rng.fromState(ck.state.rng), iteration: ck.state.iteration, secondsBefore: ck.state.trainSeconds ?? 0, checkpoint: ck.dir, bestScore: ck.state.bestScore ?? Infinity, lrScale: was?.lrScale ?? 1, saves: ck.state.saves ?? [ck.state.iteration] };
}

/** Refuse a batch whose largest activation would not fit the GPU's buffer limit (frees the run's networks first). */
function checkBatchFits(s: Start, r: Resolved): void {
  const tooBig = bufferLimitProblem(
    `batch size ${r.batch}`,
    [s.ae.encoder, s.ae.decoderA].flatMap((m) => m.layers.map((l) => (l.outputShape as number[]).map((d) => (d === null ? r.batch : d)))),
  );
  if (!tooBig) return;
  s.ae.dispose();
  s.optimizer.dispose();
  throw new UserError(`${tooBig} on this GPU`, `train with a smaller --batch-size (it scales that tensor linearly), or a smaller preset`);
}

interface Draw {
  A: Batch;
  B: Batch | null;
  lr: number;
  warp: boolean;
}

/**
 * One training run from its start to its stop: the networks, optimizer and random stream, the
 * loss and quality logs, and when to save and probe. `run()` returns why it stopped.
 */
class TrainingRun {
  readonly losses: LossEntry[];
  readonly quality: QualityEntry[];
  readonly resumedFrom: number;
  iteration: number;
  /** The iterations of the run's checkpoints, kept or pruned. */
  saves: number[];
  checkpoint: string | null;
  stepSeconds = 0;
  readonly startedAt = performance.now();
  private vars: tf.Variable[];
  /** The learning-rate multiplier: halved by each NaN recovery. */
  private lrScale: number;
  private recoveries = 0;
  private readonly injections: number[];
  /** Said in the loss log's next entry (a recovery). */
  private note: string | null = null;
  private lastGood = { la: NaN, lb: NaN };
  private best: number;
  private lastSave = performance.now();
  private lastProbe = performance.now();
  /** The stream's state before the last drawn-ahead batch: what a checkpoint stores. */
  private savedRng: number[];
  private next: Draw | null = null;

  constructor(
    private readonly o: TrainOptions,
    private readonly r: Resolved,
    private s: Start,
    private readonly use: MapUse,
    private readonly maps: { a: Float32Array[] | null; b: Float32Array[] | null },
    private readonly hash: string,
    private readonly log: (line: string) => void,
  ) {
    this.iteration = s.iteration;
    this.resumedFrom = s.iteration;
    this.checkpoint = s.checkpoint;
    this.best = s.bestScore;
    this.lrScale = s.lrScale;
    this.saves = [...s.saves];
    this.injections = [...(o.injectNaNAt ?? []), ...faultNaNIterations()];
    this.losses = readLossLog(o.out, s.iteration);
    this.quality = readQualityLog(o.out, s.iteration);
    this.vars = s.ae.trainableWeights().map((w) => w.read() as tf.Variable);
    this.savedRng = s.rng.state();
  }

  seconds(): number {
    return this.s.secondsBefore + (performance.now() - this.startedAt) / 1000;
  }

  private outOfTime(): boolean {
    return this.o.minutes !== undefined && this.seconds() / 60 >= this.o.minutes;
  }

  /** Train until a stop; the last probe and checkpoint; the networks are freed whatever happens. */
  async run(): Promise<StopReason> {
    let stoppedBy: StopReason = 'iterations';
    try {
      while (this.iteration < this.o.iterations) {
        const stop = this.o.signal?.aborted ? 'signal' : this.outOfTime() ? 'time' : await this.step();
        if (stop) {
          stoppedBy = stop;
          break;
        }
      }
      if (this.next) {
        disposeBatch(this.next.A);
        if (this.next.B) disposeBatch(this.next.B);
      }
      if (stoppedBy === 'nan') await writeLossLog(this.o.out, this.losses); // the recoveries' notes, up to the last good checkpoint
      if (!stoppedByFailure(stoppedBy) && this.iteration > this.resumedFrom) {
        // a last probe, except when stopped by a signal (Ctrl-C wants the checkpoint and the exit now)
        if (this.o.probe && stoppedBy !== 'quality' && stoppedBy !== 'signal' && this.quality.at(-1)?.iteration !== this.iteration) await this.probe();
        if (!this.checkpoint?.endsWith(String(this.iteration).padStart(9, '0')) && !(await this.save())) this.log(`the weights are not finite at iteration ${this.iteration}: no checkpoint saved; the last good one (${this.checkpoint ?? 'none'}) is kept`);
      }
    } finally {
      this.s.ae.dispose();
      this.s.optimizer.dispose();
    }
    return stoppedBy;
  }

  /** Batches for the next step, at the schedule's learning rate and warp for where the run is. */
  private draw(): Draw {
    const { o, r, s } = this;
    const p = progress({ iteration: this.iteration, iterations: o.iterations, seconds: this.seconds(), minutes: o.minutes });
    const warp = warpOn(r.warpShare, p);
    const aug = warp ? r.augment : { ...r.augment, warp: 0 };
    const lr = learningRateAt(r, this.iteration, p) * this.lrScale;
    return { A: makeBatch(o.a, this.maps.a, this.use, r, r.batch, s.rng, aug), B: o.pretrain ? null : makeBatch(o.b, this.maps.b, this.use, r, r.batch, s.rng, aug), lr, warp };
  }

  /** One optimizer step on both identities; the pair of losses stays on the device. */
  private minimize(cur: Draw): tf.Tensor1D {
    const { ae, optimizer } = this.s;
    return tf.tidy(() => {
      let pair: tf.Tensor1D | null = null;
      optimizer.minimize(
        () => {
          const lossA = batchLoss(ae, 'a', cur.A, this.r);
          if (!cur.B) {
            pair = tf.keep(tf.stack([lossA, lossA]) as tf.Tensor1D); // pretraining: one generic decoder
            return lossA;
          }
          const lossB = batchLoss(ae, 'b', cur.B, this.r);
          pair = tf.keep(tf.stack([lossA, lossB]) as tf.Tensor1D);
          return tf.add(lossA, lossB) as tf.Scalar;
        },
        false,
        this.vars,
      );
      return pair!;
    });
  }

  /** One iteration (the next batch is drawn while the device works); a reason to stop, or null. */
  private async step(): Promise<StopReason | null> {
    const { o } = this;
    const cur = this.next ?? this.draw();
    this.next = null;
    this.s.optimizer.setLearningRate(cur.lr);
    const t0 = performance.now();
    const lossT = this.minimize(cur);
    disposeBatch(cur.A);
    if (cur.B) disposeBatch(cur.B);
    // read the losses without holding up the device: the next batch is prepared meanwhile
    const pending = lossT.data();
    const rngBefore = this.s.rng.state();
    this.iteration++;
    if (this.iteration < o.iterations && !o.signal?.aborted && !this.outOfTime()) this.next = this.draw();
    let read: Float32Array | null = null;
    try {
      read = (await pending) as Float32Array;
    } catch (err) {
      if (!deviceLost()) throw err;
    }
    lossT.dispose();
    if (deviceLost() || !read) {
      this.iteration--;
      return 'device-lost';
    }
    let [la, lb] = Array.from(read) as [number, number];
    const injected = this.injections.indexOf(this.iteration);
    if (injected >= 0) {
      this.injections.splice(injected, 1);
      la = NaN;
    }
    this.stepSeconds += (performance.now() - t0) / 1000;
    this.savedRng = rngBefore; // a checkpoint resumes by drawing the next batch again
    if (!Number.isFinite(la) || !Number.isFinite(lb)) {
      this.iteration--;
      return await this.recover(`the loss became NaN/Inf at iteration ${this.iteration + 1}`);
    }
    this.lastGood = { la, lb };
    this.losses.push({ iteration: this.iteration, lossA: la, lossB: lb, seconds: Math.round(this.seconds() * 1000) / 1000, lr: cur.lr, warp: cur.warp, ...(this.note ? { note: this.note } : {}) });
    this.note = null;
    o.onIteration?.(this.iteration, la, lb);
    faultPoint('train.step');
    return (await this.saveIfDue()) ?? ((await this.probeIfDue()) ? 'quality' : o.targetLoss !== undefined && la < o.targetLoss && lb < o.targetLoss ? 'target-loss' : null);
  }

  /**
   * Undo a NaN/Inf: back to the last good checkpoint (or the start), the learning rate halved,
   * noted in the loss log; after MAX_NAN_RECOVERIES of them, 'nan' (training stops).
   */
  private async recover(what: string): Promise<'nan' | null> {
    if (this.recoveries >= MAX_NAN_RECOVERIES) return 'nan';
    this.recoveries++;
    if (this.next) {
      disposeBatch(this.next.A);
      if (this.next.B) disposeBatch(this.next.B);
      this.next = null;
    }
    this.s.ae.dispose();
    this.s.optimizer.dispose();
    this.s = await startOrResume(this.o, this.r, this.log);
    this.vars = this.s.ae.trainableWeights().map((w) => w.read() as tf.Variable);
    this.iteration = this.s.iteration;
    this.checkpoint = this.s.checkpoint;
    this.savedRng = this.s.rng.state();
    this.saves = [...this.s.saves];
    this.losses.splice(0, this.losses.length, ...this.losses.filter((e) => e.iteration <= this.iteration));
    this.lrScale /= 2;
    const note = `${what}: went back to iteration ${this.iteration} (${this.checkpoint ?? 'the start'}) and halved the learning rate (x${this.lrScale}; recovery ${this.recoveries} of ${MAX_NAN_RECOVERIES})`;
    this.log(note);
    // noted on the step the run went back to (the next step's, when it went back to the start)
    const last = this.losses.at(-1);
    if (last && last.iteration === this.iteration) last.note = last.note ? `${last.note}; ${note}` : note;
    else this.note = this.note ? `${this.note}; ${note}` : note;
    return null;
  }

  /** Whether every trainable weight is finite (one readback). */
  private async weightsFinite(): Promise<boolean> {
    const ok = tf.tidy(() => tf.stack(this.vars.map((v) => tf.all(tf.isFinite(v)))).all());
    const v = (await ok.data())[0];
    ok.dispose();
    return v === 1;
  }

  /** A checkpoint every saveEvery iterations or saveMinutes minutes; 'device-lost' when the device went; 'nan' when the weights went and could not be recovered. */
  private async saveIfDue(): Promise<'device-lost' | 'nan' | null> {
    const dueByCount = this.r.saveEvery > 0 && this.iteration % this.r.saveEvery === 0;
    const dueByTime = this.o.saveAt ? this.o.saveAt.includes(this.iteration) : this.r.saveMinutes > 0 && (performance.now() - this.lastSave) / 60000 >= this.r.saveMinutes;
    if (dueByCount || dueByTime) {
      try {
        if (!deviceLost() && !(await this.save())) return await this.recover(`the weights became NaN/Inf by iteration ${this.iteration}`);
      } catch (err) {
        if (!deviceLost()) throw err; // a save cut short leaves no checkpoint folder (written aside, renamed whole)
      }
    }
    return deviceLost() ? 'device-lost' : null;
  }

  /** The quality probe every qualityMinutes; true when it says to stop. */
  private async probeIfDue(): Promise<boolean> {
    const { o } = this;
    const due = o.probeAt ? o.probeAt.includes(this.iteration) : !!o.qualityMinutes && (performance.now() - this.lastProbe) / 60000 >= o.qualityMinutes;
    return !!o.probe && due && (await this.probe());
  }

  /** Save a checkpoint (and previews); false, saving nothing, when a weight is not finite. */
  private async save(): Promise<boolean> {
    const { o, r, s } = this;
    this.lastSave = performance.now();
    if (!(await this.weightsFinite())) return false;
    const optimizerWeights: NamedTensor[] = await s.optimizer.getWeights();
    // keep a backup of the best checkpoint (lowest mean loss over the last 10 iterations)
    const recent = this.losses.slice(-10);
    const score = recent.reduce((acc, e) => acc + e.lossA + e.lossB, 0) / Math.max(1, recent.length);
    const isBest = recent.length > 0 && score < this.best;
    if (isBest) this.best = score;
    // the logs and previews first: a kill before the checkpoint is in place resumes from an
    // earlier one, which reads the log up to its own iteration and writes them all again
    await writeLossLog(o.out, this.losses);
    if (o.previews !== false) {
      await writePreview(join(o.out, 'preview.png'), s.ae, o.a.faces, o.b.faces);
      await writeLossCurve(join(o.out, 'loss.png'), this.losses);
    }
    try {
      const optimiser = { learningRate: r.learningRate, batchSize: r.batch, lrScale: this.lrScale };
      this.saves = [...this.saves.filter((i) => i < this.iteration), this.iteration];
      const state = { saves: this.saves, iteration: this.iteration, arch: o.arch, configHash: this.hash, trainHash: configHash(o, r, false), optimiser, rng: this.savedRng, lossA: this.lastGood.la, lossB: this.lastGood.lb, bestScore: Number.isFinite(this.best) ? this.best : null, ...(isBest ? { best: true as const } : {}), coverage: r.coverage, trainSeconds: this.seconds() };
      this.checkpoint = await saveCheckpoint(o.out, { ae: s.ae, optimizerWeights, state }, { keep: r.keep });
    } finally {
      // getWeights makes a fresh 'iter' scalar; the moments are the optimizer's own variables
      for (const w of optimizerWeights) if (w.name === 'iter') w.tensor.dispose();
    }
    if (isBest) await saveBest(o.out, this.checkpoint); // a kill before it: the resume makes it (startOrResume)
    return true;
  }

  /** Run the probe, log it; true when stopAtQuality is met in two probes in a row. */
  private async probe(): Promise<boolean> {
    const { o } = this;
    this.lastProbe = performance.now();
    if (!o.probe) return false;
    const q = await o.probe(this.s.ae, { iteration: this.iteration, minutes: this.seconds() / 60 });
    this.quality.push(q);
    await writeQualityLog(o.out, this.quality);
    this.log(`quality at iteration ${this.iteration}: ${(q.identityShare * 100).toFixed(0)}% closer to the target, median distance ${q.medianToTarget.toFixed(3)}, Mask-SSIM ${q.maskSsim.toFixed(3)}`);
    if (o.stopAtQuality === undefined || this.quality.length < 2) return false;
    return this.quality.slice(-2).every((e) => e.identityShare >= o.stopAtQuality!);
  }
}

function stopMessage(stoppedBy: StopReason, run: TrainingRun): string {
  if (stoppedBy === 'nan') return `the loss became NaN/Inf at iteration ${run.iteration + 1} again after ${MAX_NAN_RECOVERIES} recoveries (each went back to the last good checkpoint and halved the learning rate): training stopped; the last good checkpoint (${run.checkpoint ?? 'none'}) is kept. Lower the learning rate (--learning-rate) or check the faces.`;
  if (stoppedBy === 'device-lost') return `the GPU device was lost after iteration ${run.iteration} (${deviceLost() ?? 'no reason given'}): training stopped; the last checkpoint (${run.checkpoint ?? 'none'}) is kept: run again to resume from it`;
  return `stopped by ${stoppedBy} at iteration ${run.iteration}${run.resumedFrom ? ` (resumed from ${run.resumedFrom})` : ''}`;
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const r = resolve(o);
  const log = o.log ?? (() => undefined);
  const use = mapUse(o, r);
  const extractCoverage = o.extractCoverage ?? defaultOf(ExtractConfig, 'coverage');
  // pretraining has one face set and one decoder: B's batches (and maps) are never drawn
  const maps = { a: faceMaps(o.a, r, use, extractCoverage), b: o.pretrain ? null : faceMaps(o.b, r, use, extractCoverage) };
  const hash = configHash(o, r);
  const start = await startOrResume(o, r, log);
  checkBatchFits(start, r);
  const run = new TrainingRun(o, r, start, use, maps, hash, log);
  const stoppedBy = await run.run();
  const message = stopMessage(stoppedBy, run);
  log(message);
  const totalSeconds = (performance.now() - run.startedAt) / 1000;
  const faces = (run.iteration - run.resumedFrom) * r.batch * (o.pretrain ? 1 : 2);
  const { iteration, resumedFrom, losses, quality, checkpoint, stepSeconds, saves } = run;
  return { iteration, resumedFrom, stoppedBy, losses, quality, checkpoint, saves, message, timing: { stepSeconds, totalSeconds, facesPerSecond: totalSeconds > 0 ? faces / totalSeconds : 0 } };
}
