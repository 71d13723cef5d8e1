/**
 * The one TensorFlow.js import of Janus. Every module takes `tf` from here, so there is one
 * engine instance and one place that decides which packages make it up.
 *
 *   import { tf } from '../engine/tf.ts';
 *   const y = tf.tidy(() => tf.add(x, 1));
 */
import * as tf from '@tensorflow/tfjs';

// Janus explains its backend choice itself (`janus doctor`); silence tfjs's console advice.
tf.env().set('PROD', true);

export { tf };
export type Tensor = tf.Tensor;
