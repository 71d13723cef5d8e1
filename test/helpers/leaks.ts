/**
 * The leak check of the engine tests: `run` once (kernels, caches and optimizer slots made on
 * first use), then `times` more, and neither the engine's tensors nor the backend's buffers
 * may have grown.
 *
 *   await assertNoLeaks(() => tf.dispose(tf.conv2dTranspose(dy, f, shape, 2, 'same')));
 */
import * as assert from 'uvu/assert';
import { tf } from '../../src/engine/tf.ts';

export async function assertNoLeaks(run: () => unknown, times = 3): Promise<void> {
  await run();
  const tensors = tf.memory().numTensors;
  const buffers = tf.backend().numDataIds();
  for (let i = 0; i < times; i++) await run();
  assert.is(tf.memory().numTensors, tensors, 'tensors');
  assert.is(tf.backend().numDataIds(), buffers, 'backend buffers');
}
