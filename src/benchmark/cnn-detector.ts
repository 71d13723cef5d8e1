/**
 * The benchmark's second baseline detector: a small CNN trained from scratch on face crops (the
 * aligned crops `recropFaces` yields), beside the logistic regression on encoder latents. Four
 * conv blocks (3x3 conv, LeakyReLU, 2x2 max pool), global average pooling and one dense unit
 * through a sigmoid: P(fake). Binary cross-entropy (classes weighted to balance), Adam, inputs
 * standardised per channel with the training crops' statistics, seeded horizontal flips.
 * Seeded throughout (initialisers, shuffle, flips): the same crops, labels and seed give the same
 * scores. Runs on whatever backend the engine selected (`selectBackend`, as the CLI does).
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
  /** Passes over the training crops. Default 12. */
  epochs?: number;
  /** Crops per optimizer step. Default 32. */
  batch?: number;
  /** Seeds the initial weights, the shuffle and the flips. */
  seed: number;
  /** Adam's step size. Default 2e-3. */
  learningRate?: number;
}

export interface CnnDetector {
  /** P(fake) per crop, in the crops' order. */
  score(crops: readonly RgbImage[]): Promise<number[]>;
  /** Frees the network's weights; `score` throws afterwards. */
  dispose(): void;
  /** One line: the architecture and how it was trained. */
  describe: string;
}

/** Filters of the conv blocks; each halves the side (max pool), so the side must divide by 16. */
const FILTERS = [8, 16, 32, 64] as const;
const ALPHA = 0.1;
const SCORE_BATCH = 64;

function checkOptions(o: CnnOptions): Required<CnnOptions> {
  const { size = 64, epochs = 12, batch = 32, seed, learningRate = 2e-3 } = o;
  const whole = (v: number, min: number) => Number.isInteger(v) && v >= min;
  const step = 2 ** FILTERS.length;
  if (!whole(size, step) || size % step) throw new Error(`trainCnnDetector: expected size to be a multiple of ${step} from ${step}, got ${size}`);
  if (!whole(epochs, 1)) throw new Error(`trainCnnDetector: expected epochs to be a whole number from 1, got ${epochs}`);
  if (!whole(batch, 1)) throw new Error(`trainCnnDetector: expected batch to be a whole number from 1, got ${batch}`);
  if (!Number.isInteger(seed)) throw new Error(`trainCnnDetector: expected seed to be an integer, got ${seed}`);
  if (!(learningRate > 0 && Number.isFinite(learningRate))) throw new Error(`trainCnnDetector: expected learningRate > 0, got ${learningRate}`);
  return { size, epochs, batch, seed, learningRate };
}

/** The network: crops [N, size, size, 3] (standardised) -> logit [N, 1]. */
function buildNetwork(size: number, seed: number): tf.Sequential {
  let n = 0;
  const init = () => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + n++ }) });
  const net = tf.sequential();
  FILTERS.forEach((filters, i) => {
    net.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', ...(i === 0 ? { inputShape: [size, size, 3] } : {}), ...init() }));
    net.add(tf.layers.leakyReLU({ alpha: ALPHA }));
    net.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  });
  net.add(tf.layers.globalAveragePooling2d({}));
  net.add(tf.layers.dense({ units: 1, ...init() })); // the logit: the loss applies the sigmoid stably
  return net;
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
  const net = buildNetwork(size, seed);
  const optimizer = tf.train.adam(learningRate);
  const per = size * size * 3;
  const t0 = performance.now();
  try {
    const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
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
          optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(ys, net.apply(xs, { training: true }) as tf.Tensor2D, ws) as tf.Scalar, false, vars);
        });
      }
    }
  } finally {
    optimizer.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;

  let disposed = false;
  return {
    describe:
      `CNN on ${size}x${size} face crops: ${FILTERS.length} blocks of 3x3 conv (${FILTERS.join('-')} filters) + LeakyReLU(${ALPHA}) + 2x2 max pool, ` +
      `global average pool, dense sigmoid; BCE, Adam ${learningRate}, ${epochs} epochs of ${n} crops, batch ${batch}, flips, seed ${seed}; ` +
      `trained in ${seconds.toFixed(1)} s on ${tf.getBackend()}`,
    async score(test) {
      if (disposed) throw new Error('CnnDetector.score: the detector was disposed');
      const out: number[] = [];
      for (let i = 0; i < test.length; i += SCORE_BATCH) {
        const group = test.slice(i, i + SCORE_BATCH);
        const xb = standardise(await pixels(group, size), stats);
        const p = tf.tidy(() => tf.sigmoid(net.predict(tf.tensor4d(xb, [group.length, size, size, 3])) as tf.Tensor2D));
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
