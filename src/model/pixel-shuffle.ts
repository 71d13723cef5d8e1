/**
 * A pixel-shuffle (depth-to-space, block 2) layer: [N, H, W, 4C] -> [N, 2H, 2W, C]. Written
 * with reshape and transpose, which have gradients on every backend (tfjs's DepthToSpace has
 * none), with the same element order as tf.depthToSpace.
 *
 *   const y = new PixelShuffle({}).apply(x);   // registered for model save/load
 */
import { tf } from '../engine/tf.ts';

export class PixelShuffle extends tf.layers.Layer {
  static className = 'JanusPixelShuffle';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w, c] = inputShape as tf.Shape;
    if (c === null || c === undefined || c % 4 !== 0) throw new Error(`PixelShuffle: expected channels divisible by 4, got ${c}`);
    return [n ?? null, h == null ? null : h * 2, w == null ? null : w * 2, c / 4];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      const r = tf.reshape(x, [n, h, w, 2, 2, c / 4]);
      const t = tf.transpose(r, [0, 1, 3, 2, 4, 5]);
      return tf.reshape(t, [n, h * 2, w * 2, c / 4]);
    });
  }
}
tf.serialization.registerClass(PixelShuffle);
