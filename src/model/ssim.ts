/**
 * The one SSIM of the project (Wang et al. 2004): local means, variances and covariance over
 * 7x7 windows (a box filter, 'valid' padding), C1 = 0.01², C2 = 0.03² for values in 0..1, per
 * RGB channel, then the mean over windows and channels; with per-pixel weights, each window
 * counts its smallest pixel weight (a window that reaches outside a mask counts zero). The
 * training loss (model/losses.ts DSSIM = (1 - SSIM) / 2) and metrics.json / the quality probe
 * (swap/metrics.ts ssim, maskSsim) are both built from these three functions, so the metric
 * measures what the loss optimises.
 *
 *   const map = ssimMap(pred, target);                     // [N, H-6, W-6, C]
 *   const s = weightedWindowMean(map, windowWeights(mask)); // a scalar: Mask-SSIM
 *   weightedWindowMeans(map, null)                          // [N]: each image's SSIM
 */
import { tf } from '../engine/tf.ts';

export const SSIM_WINDOW = 7;

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

/** SSIM per window and channel: [N, H, W, C] twice -> [N, H - window + 1, W - window + 1, C]. */
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
 * Per-window weights for a per-pixel weight map [N, H, W, 1]: each window takes its smallest
 * pixel weight, so a window that reaches into a zero-weight region counts zero.
 */
export function windowWeights(weights: tf.Tensor4D, window = SSIM_WINDOW): tf.Tensor4D {
  return tf.tidy(() => tf.neg(tf.maxPool(tf.neg(weights) as tf.Tensor4D, window, 1, 'valid')) as tf.Tensor4D);
}

/** The (weighted) window mean over `axes` (all when absent); see weightedWindowMean. */
function windowMean(map: tf.Tensor4D, weights: tf.Tensor4D | null, axes?: number[]): tf.Tensor {
  return tf.tidy(() => (weights ? tf.div(tf.sum(tf.mul(map, weights), axes), tf.add(tf.mul(tf.sum(weights, axes), map.shape[3]), 1e-8)) : tf.mean(map, axes)));
}

/**
 * The mean of a per-window map [N, h, w, C] over windows and channels; with window weights
 * [N, h, w, 1] the weighted mean (0 when every weight is 0).
 */
export function weightedWindowMean(map: tf.Tensor4D, weights: tf.Tensor4D | null): tf.Scalar {
  return windowMean(map, weights) as tf.Scalar;
}

/** weightedWindowMean of each image of the batch on its own: [N]. */
export function weightedWindowMeans(map: tf.Tensor4D, weights: tf.Tensor4D | null): tf.Tensor1D {
  return windowMean(map, weights, [1, 2, 3]) as tf.Tensor1D;
}
