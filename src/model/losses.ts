/**
 * Reconstruction losses: MAE (default), DSSIM (structural dissimilarity, SSIM over 7x7 local
 * windows), and mask weighting (pixels inside the face mask count `1 + maskWeight` times).
 *
 *   const l = reconstructionLoss(pred, target, { dssim: true, mask, maskWeight: 3 });   // a scalar tensor
 */
import { tf } from '../engine/tf.ts';

export interface LossSettings {
  /** Add DSSIM to MAE (each weighted 1). */
  dssim?: boolean;
  /** [N, H, W, 1] in 0..1; with maskWeight > 0 the face counts more than the background. */
  mask?: tf.Tensor4D;
  maskWeight?: number;
}

/** (1 - SSIM) / 2, SSIM from local means, variances and covariance over 7x7 windows, per channel. */
export function dssim(pred: tf.Tensor4D, target: tf.Tensor4D, window = 7): tf.Scalar {
  return tf.tidy(() => {
    const C1 = 0.01 ** 2;
    const C2 = 0.03 ** 2;
    const pool = (t: tf.Tensor4D) => tf.avgPool(t, window, 1, 'valid');
    const mx = pool(pred);
    const my = pool(target);
    const sxx = tf.sub(pool(tf.mul(pred, pred) as tf.Tensor4D), tf.mul(mx, mx));
    const syy = tf.sub(pool(tf.mul(target, target) as tf.Tensor4D), tf.mul(my, my));
    const sxy = tf.sub(pool(tf.mul(pred, target) as tf.Tensor4D), tf.mul(mx, my));
    const num = tf.mul(tf.add(tf.mul(tf.mul(mx, my), 2), C1), tf.add(tf.mul(sxy, 2), C2));
    const den = tf.mul(tf.add(tf.add(tf.mul(mx, mx), tf.mul(my, my)), C1), tf.add(tf.add(sxx, syy), C2));
    return tf.div(tf.sub(1, tf.mean(tf.div(num, den))), 2) as tf.Scalar;
  });
}

export function reconstructionLoss(pred: tf.Tensor4D, target: tf.Tensor4D, s: LossSettings = {}): tf.Scalar {
  return tf.tidy(() => {
    const err = tf.abs(tf.sub(pred, target));
    let loss: tf.Scalar;
    if (s.mask && (s.maskWeight ?? 0) > 0) {
      const w = tf.add(1, tf.mul(s.mask, s.maskWeight!)); // [N, H, W, 1] broadcast over channels
      loss = tf.div(tf.sum(tf.mul(err, w)), tf.mul(tf.sum(w), 3)) as tf.Scalar;
    } else loss = tf.mean(err) as tf.Scalar;
    return s.dssim ? (tf.add(loss, dssim(pred, target)) as tf.Scalar) : loss;
  });
}
