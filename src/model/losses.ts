/**
 * Reconstruction losses and the one SSIM of the project: MAE, DSSIM (structural dissimilarity,
 * SSIM over 7x7 local windows per channel, the SSIM metrics.json reports), both optionally
 * weighted per pixel (face region up, background down, eyes and mouth up).
 *
 *   const l = reconstructionLoss(pred, target, { dssim: true, weights });   // a scalar tensor
 *   ssimMap(a, b)                                                         // [N, H-6, W-6, C]
 */
import { tf } from '../engine/tf.ts';

export const SSIM_WINDOW = 7;

export interface LossSettings {
  /** Add DSSIM to MAE (each weighted 1). */
  dssim?: boolean;
  /** Per-pixel weights [N, H, W, 1] (>= 0): MAE and DSSIM become weighted means. */
  weights?: tf.Tensor4D;
  /** [N, H, W, 1] in 0..1; with maskWeight > 0 the face counts 1 + maskWeight, the background 1 (when no `weights`). */
  mask?: tf.Tensor4D;
  maskWeight?: number;
}

/**
 * The window mean as a convolution with a diagonal box filter (`channels` in, same out): its
 * gradients run on the fast conv kernels, where tfjs's AvgPoolGrad on wasm is a slow loop.
 */
function boxFilter(channels: number, window: number): (t: tf.Tensor4D) => tf.Tensor4D {
  const taps = new Float32Array(window * window * channels * channels);
  for (let k = 0; k < window * window; k++) for (let c = 0; c < channels; c++) taps[k * channels * channels + c * channels + c] = 1 / (window * window);
  const filter = tf.tensor4d(taps, [window, window, channels, channels]);
  return (t) => tf.conv2d(t, filter, 1, 'valid');
}

/** SSIM (Wang et al. 2004) per window and channel: local means, variances and covariance over `window` x `window`. */
export function ssimMap(pred: tf.Tensor4D, target: tf.Tensor4D, window = SSIM_WINDOW): tf.Tensor4D {
  return tf.tidy(() => {
    const C1 = 0.01 ** 2;
    const C2 = 0.03 ** 2;
    const pool = boxFilter(pred.shape[3], window);
    const mx = pool(pred);
    const my = pool(target);
    const sxx = tf.sub(pool(tf.mul(pred, pred) as tf.Tensor4D), tf.mul(mx, mx));
    const syy = tf.sub(pool(tf.mul(target, target) as tf.Tensor4D), tf.mul(my, my));
    const sxy = tf.sub(pool(tf.mul(pred, target) as tf.Tensor4D), tf.mul(mx, my));
    const num = tf.mul(tf.add(tf.mul(tf.mul(mx, my), 2), C1), tf.add(tf.mul(sxy, 2), C2));
    const den = tf.mul(tf.add(tf.add(tf.mul(mx, mx), tf.mul(my, my)), C1), tf.add(tf.add(sxx, syy), C2));
    return tf.div(num, den) as tf.Tensor4D;
  });
}

/**
 * Per-window weights for a per-pixel weight map: each window takes its smallest pixel weight,
 * so a window that reaches into a zero-weight region counts zero.
 */
export function windowWeights(weights: tf.Tensor4D, window = SSIM_WINDOW): tf.Tensor4D {
  return tf.tidy(() => tf.neg(tf.maxPool(tf.neg(weights) as tf.Tensor4D, window, 1, 'valid')) as tf.Tensor4D);
}

/** (1 - SSIM) / 2, the mean over windows and channels (weighted by `weights` [N, H, W, 1] when given). */
export function dssim(pred: tf.Tensor4D, target: tf.Tensor4D, window = SSIM_WINDOW, weights?: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const d = tf.div(tf.sub(1, ssimMap(pred, target, window)), 2) as tf.Tensor4D;
    if (!weights) return tf.mean(d) as tf.Scalar;
    const w = windowWeights(weights, window);
    return tf.div(tf.sum(tf.mul(d, w)), tf.add(tf.mul(tf.sum(w), pred.shape[3]), 1e-8)) as tf.Scalar;
  });
}

export function reconstructionLoss(pred: tf.Tensor4D, target: tf.Tensor4D, s: LossSettings = {}): tf.Scalar {
  return tf.tidy(() => {
    const err = tf.abs(tf.sub(pred, target));
    let w = s.weights;
    if (!w && s.mask && (s.maskWeight ?? 0) > 0) w = tf.add(1, tf.mul(s.mask, s.maskWeight!)) as tf.Tensor4D;
    const loss = w ? (tf.div(tf.sum(tf.mul(err, w)), tf.add(tf.mul(tf.sum(w), pred.shape[3]), 1e-8)) as tf.Scalar) : (tf.mean(err) as tf.Scalar);
    return s.dssim ? (tf.add(loss, dssim(pred, target, SSIM_WINDOW, w)) as tf.Scalar) : loss;
  });
}
