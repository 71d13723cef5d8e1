/**
 * The benchmark's second baseline detector: a small CNN trained from scratch on face crops (the
 * aligned crops `recropFaces` yields), beside the logistic regression on encoder latents. Four
 * blocks of 3x3 conv + batch norm + LeakyReLU + 2x2 max pool (8-16-32-64 filters), global
 * average pooling, one dense unit through a sigmoid: P(fake). Binary cross-entropy (classes
 * weighted to balance), Adam; crops resized to `size` and standardised per channel with the
 * training crops' statistics; seeded horizontal flips. Seeded throughout (initialisers, shuffle,
 * flips): on wasm the same crops, labels and seed give bit-identical scores, from run to run and
 * at 1 or 2 threads. Runs on the backend the engine selected (`selectBackend`, as the CLI does):
 * on wasm with 2 threads about 9 ms per crop and epoch at 64x64 (350 crops, 8 epochs: ~25 s);
 * tfjs's plain cpu backend is some 50 times slower.
 *
 *   const det = await trainCnnDetector(crops, labels, { seed: 1 });   // labels 0 real / 1 fake
 *   const p = await det.score(testCrops);                              // P(fake) per crop
 *   rocAuc(p, testLabels); det.describe; det.dispose();
 */
import { tf } from '../engine/tf.ts';
import { modelInput } from '../model/input.ts';
import type { RgbImage } from '../util/geometry.ts';
import { Rng } from '../util/rng.ts';

export interface CnnOptions {
  /** Side of the square the crops are resized to (sharp, lanczos3): a multiple of 16, at least 16. Default 64. */
  size?: number;
  /** Passes over the training crops. Default 8. */
  epochs?: number;
  /** Crops per optimizer step. Default 32. */
  batch?: number;
  /** Seeds the initial weights, the shuffle and the flips. */
  seed: number;
  /** Adam's step size. Default 4e-3 (the batch norm keeps it stable). */
  learningRate?: number;
}

export interface CnnDetector {
  /** P(fake) per crop, in the crops' order. */
  score(crops: readonly RgbImage[]): Promise<number[]>;
  /** Frees the network's weights; `score` throws afterwards. */
  dispose(): void;
  /** One line: the architecture and how it was trained (no timings: it is written to baseline.json). */
  describe: string;
  /** Wall-clock seconds the training loop took. */
  seconds: number;
}

/** Filters of the conv blocks; each halves the side (max pool), so the side must divide by 16. */
const FILTERS = [8, 16, 32, 64] as const;
const ALPHA = 0.1;
/** Batch norm: the moving statistics' momentum (a short run must forget the initial 0/1 quickly) and epsilon. */
const MOMENTUM = 0.9;
const EPSILON = 1e-3;
const SCORE_BATCH = 64;

function checkOptions(o: CnnOptions): Required<CnnOptions> {
  const { size = 64, epochs = 8, batch = 32, seed, learningRate = 4e-3 } = o;
  const whole = (v: number, min: number) => Number.isInteger(v) && v >= min;
  const step = 2 ** FILTERS.length;
  if (!whole(size, step) || size % step) throw new Error(`trainCnnDetector: expected size to be a multiple of ${step} from ${step}, got ${size}`);
  if (!whole(epochs, 1)) throw new Error(`trainCnnDetector: expected epochs to be a whole number from 1, got ${epochs}`);
  if (!whole(batch, 1)) throw new Error(`trainCnnDetector: expected batch to be a whole number from 1, got ${batch}`);
  if (!Number.isInteger(seed)) throw new Error(`trainCnnDetector: expected seed to be an integer, got ${seed}`);
  if (!(learningRate > 0 && Number.isFinite(learningRate))) throw new Error(`trainCnnDetector: expected learningRate > 0, got ${learningRate}`);
  return { size, epochs, batch, seed, learningRate };
}

interface Block {
  kernel: tf.Variable; // [3, 3, in, out], no bias: the batch norm's beta is the bias
  gamma: tf.Variable;
  beta: tf.Variable;
  movingMean: tf.Variable;
  movingVar: tf.Variable;
}

/**
 * The network's variables, seeded (Glorot-uniform kernels, one seed each), written as plain tf
 * ops rather than tf.layers: tfjs-layers' batch norm reduces over [N, H, W] with transposes and
 * costs about three times this one, which reduces [N*H*W, C] by a matrix product.
 */
class Network {
  readonly blocks: Block[];
  readonly dense: tf.Variable; // [last filters, 1]
  readonly bias: tf.Variable;

  constructor(seed: number) {
    let n = 0;
    // tidy: a variable made from a tensor leaves that tensor behind
    const glorot = (shape: number[]) => tf.tidy(() => tf.variable(tf.initializers.glorotUniform({ seed: seed * 1000 + n++ }).apply(shape)));
    const fill = (c: number, v: number, trainable = true) => tf.tidy(() => tf.variable(tf.fill([c], v), trainable));
    let cin = 3;
    this.blocks = FILTERS.map((c) => {
      const b = { kernel: glorot([3, 3, cin, c]), gamma: fill(c, 1), beta: fill(c, 0), movingMean: fill(c, 0, false), movingVar: fill(c, 1, false) };
      cin = c;
      return b;
    });
    this.dense = glorot([cin, 1]);
    this.bias = fill(1, 0);
  }

  trainable(): tf.Variable[] {
    return [...this.blocks.flatMap((b) => [b.kernel, b.gamma, b.beta]), this.dense, this.bias];
  }

  /** Logits [N, 1] of standardised crops [N, s, s, 3]; `training` normalises with the batch's statistics and updates the moving ones. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    let y: tf.Tensor4D = x;
    for (const b of this.blocks) {
      const z = tf.conv2d(y, b.kernel as tf.Tensor4D, 1, 'same');
      y = tf.maxPool(tf.leakyRelu(norm(z, b, training), ALPHA), 2, 2, 'valid');
    }
    const [n, h, w, c] = y.shape;
    const pooled = tf.mean(tf.reshape(y, [n, h * w, c]), 1) as tf.Tensor2D; // global average pool
    return tf.add(tf.matMul(pooled, this.dense as tf.Tensor2D), this.bias);
  }

  dispose(): void {
    tf.dispose([...this.blocks.flatMap((b) => [b.kernel, b.gamma, b.beta, b.movingMean, b.movingVar]), this.dense, this.bias]);
  }
}

/** Batch norm over N, H, W (channels last); the per-channel sums as [1, NHW] x [NHW, C] products. */
function norm(z: tf.Tensor4D, b: Block, training: boolean): tf.Tensor4D {
  const [n, h, w, c] = z.shape;
  if (!training) return tf.add(tf.mul(tf.sub(z, b.movingMean), tf.mul(tf.rsqrt(tf.add(b.movingVar, EPSILON)), b.gamma)), b.beta);
  const m = n * h * w;
  const flat = tf.reshape(z, [m, c]);
  const avg = tf.fill([1, m], 1 / m);
  const mean = tf.matMul(avg, flat);
  const d = tf.sub(flat, mean);
  const variance = tf.matMul(avg, tf.square(d));
  tf.tidy(() => {
    // as tfjs-layers' BatchNormalization: moving = moving - (moving - batch) * (1 - momentum); the unbiased variance
    const v = tf.mul(variance.reshape([c]), m / Math.max(1, m - 1));
    b.movingMean.assign(tf.sub(b.movingMean, tf.mul(tf.sub(b.movingMean, mean.reshape([c])), 1 - MOMENTUM)));
    b.movingVar.assign(tf.sub(b.movingVar, tf.mul(tf.sub(b.movingVar, v), 1 - MOMENTUM)));
  });
  return tf.reshape(tf.add(tf.mul(d, tf.mul(tf.rsqrt(tf.add(variance, EPSILON)), b.gamma)), b.beta), [n, h, w, c]);
}

/** Crops resized to `size`, 0..1 floats, HWC, one after the other. */
async function pixels(crops: readonly RgbImage[], size: number): Promise<Float32Array> {
  const per = size * size * 3;
  const out = new Float32Array(crops.length * per);
  for (let i = 0; i < crops.length; i++) out.set(await modelInput(crops[i]!, size), i * per);
  return out;
}

/** Per-channel mean and standard deviation over every pixel of every crop. */
function channelStats(x: Float32Array): { mean: number[]; std: number[] } {
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    sum[i % 3]! += x[i]!;
    sq[i % 3]! += x[i]! * x[i]!;
  }
  const count = x.length / 3;
  const mean = sum.map((s) => s / count);
  const std = sq.map((s, c) => Math.sqrt(Math.max(0, s / count - mean[c]! ** 2)) || 1);
  return { mean, std };
}

function standardise(x: Float32Array, s: { mean: number[]; std: number[] }): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = (x[i]! - s.mean[i % 3]!) / s.std[i % 3]!;
  return x;
}

/** Copies crop `k` of `x` into `to` at slot `j`, mirrored left-right when `flip`. */
function copyCrop(x: Float32Array, k: number, to: Float32Array, j: number, size: number, flip: boolean): void {
  const per = size * size * 3;
  if (!flip) {
    to.set(x.subarray(k * per, (k + 1) * per), j * per);
    return;
  }
  const row = size * 3;
  for (let y = 0; y < size; y++)
    for (let c = 0; c < size; c++) {
      const src = k * per + y * row + (size - 1 - c) * 3;
      const dst = j * per + y * row + c * 3;
      to[dst] = x[src]!;
      to[dst + 1] = x[src + 1]!;
      to[dst + 2] = x[src + 2]!;
    }
}

export async function trainCnnDetector(crops: readonly RgbImage[], labels: readonly number[], opts: CnnOptions): Promise<CnnDetector> {
  const { size, epochs, batch, seed, learningRate } = checkOptions(opts);
  if (crops.length !== labels.length) throw new Error(`trainCnnDetector: expected one label per crop, got ${labels.length} labels for ${crops.length} crops`);
  const bad = labels.findIndex((y) => y !== 0 && y !== 1);
  if (bad >= 0) throw new Error(`trainCnnDetector: expected labels 0 (real) or 1 (fake), got ${labels[bad]} at ${bad}`);
  const pos = labels.filter((y) => y === 1).length;
  const n = crops.length;
  if (!pos || pos === n) throw new Error(`trainCnnDetector: expected both real (0) and fake (1) crops, got ${n - pos} real and ${pos} fake`);

  const x = await pixels(crops, size);
  const stats = channelStats(x);
  standardise(x, stats);
  // class weights so an unbalanced split does not just learn the majority (as trainLogistic)
  const classWeight = [n / (2 * (n - pos)), n / (2 * pos)];
  const rng = Rng.fromSeed(seed);
  const net = new Network(seed);
  const optimizer = tf.train.adam(learningRate);
  const per = size * size * 3;
  const t0 = performance.now();
  try {
    const vars = net.trainable();
    const order = Array.from({ length: n }, (_, i) => i);
    for (let e = 0; e < epochs; e++) {
      rng.shuffle(order);
      for (let i = 0; i < n; i += batch) {
        const idx = order.slice(i, i + batch);
        const b = idx.length;
        const xb = new Float32Array(b * per);
        idx.forEach((k, j) => copyCrop(x, k, xb, j, size, rng.next() < 0.5));
        tf.tidy(() => {
          const xs = tf.tensor4d(xb, [b, size, size, 3]);
          const ys = tf.tensor2d(idx.map((k) => labels[k]!), [b, 1]);
          const ws = tf.tensor2d(idx.map((k) => classWeight[labels[k]!]!), [b, 1]);
          optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(ys, net.apply(xs, true), ws) as tf.Scalar, false, vars);
        });
      }
    }
  } catch (err) {
    net.dispose();
    throw err;
  } finally {
    optimizer.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;

  let disposed = false;
  return {
    describe:
      `CNN on ${size}x${size} face crops: ${FILTERS.length} blocks of 3x3 conv (${FILTERS.join('-')} filters) + batch norm + LeakyReLU(${ALPHA}) + 2x2 max pool, ` +
      `global average pool, dense sigmoid; BCE, Adam ${learningRate}, ${epochs} epochs of ${n} crops, batch ${batch}, flips, seed ${seed}`,
    seconds,
    async score(test) {
      if (disposed) throw new Error('CnnDetector.score: the detector was disposed');
      const out: number[] = [];
      for (let i = 0; i < test.length; i += SCORE_BATCH) {
        const group = test.slice(i, i + SCORE_BATCH);
        const xb = standardise(await pixels(group, size), stats);
        const p = tf.tidy(() => tf.sigmoid(net.apply(tf.tensor4d(xb, [group.length, size, size, 3]), false)));
        const data = await p.data();
        p.dispose();
        out.push(...data);
      }
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      net.dispose();
    },
  };
}
