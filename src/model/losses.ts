/**
 * Reconstruction losses: MAE and DSSIM (structural dissimilarity, (1 - SSIM) / 2 with the SSIM
 * of model/ssim.ts, the one metrics.json reports), both optionally weighted per pixel (face
 * region up, background down, eyes and mouth up).
 *
 *   const l = reconstructionLoss(pred, target, { dssim: true, weights });   // a scalar tensor
 *   dssim(a, b)                                                           // 0 for a == b
 */
import { tf } from '../engine/tf.ts';
import { SSIM_WINDOW, ssimMap, weightedWindowMean, windowWeights } from './ssim.ts';

export interface LossSettings {
  /** Add DSSIM to MAE (each weighted 1). */
  dssim?: boolean;
  /** Per-pixel weights [N, H, W, 1] (>= 0): MAE and DSSIM become weighted means. */
  weights?: tf.Tensor4D;
  /** [N, H, W, 1] in 0..1; with maskWeight > 0 the face counts 1 + maskWeight, the background 1 (when no `weights`). */
  mask?: tf.Tensor4D;
  maskWeight?: number;
}

/** (1 - SSIM) / 2, the mean over windows and channels (weighted by `weights` [N, H, W, 1] when given). */
export function dssim(pred: tf.Tensor4D, target: tf.Tensor4D, window = SSIM_WINDOW, weights?: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const d = tf.div(tf.sub(1, ssimMap(pred, target, window)), 2) as tf.Tensor4D;
    return weightedWindowMean(d, weights ? windowWeights(weights, window) : null);
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
