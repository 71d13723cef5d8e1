/**
 * The batch-size check against a WebGPU adapter's buffer limits (engine/webgpu.ts
 * bufferLimitProblem): pure arithmetic on the limits, so it runs everywhere, GPU or not.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bufferLimitProblem } from '../../src/engine/webgpu.ts';

const test = suite('engine/webgpu-limits');

test('a batch too big for the adapter is refused before training, naming the limit and the fix', () => {
  const limits = { maxBufferSize: 2 ** 21, maxStorageBufferBindingSize: 2 ** 20 };
  assert.is(bufferLimitProblem('batch size 2', [[2, 32, 32, 16]], limits), null);
  const p = bufferLimitProblem('batch size 64', [[64, 32, 32, 16], [64, 8, 8, 3]], limits)!;
  assert.match(p, /batch size 64 needs a GPU buffer of 4 MiB \(a float32 tensor \[64, 32, 32, 16\]\) but the adapter binds at most 1 MiB/);
  assert.match(p, /maxStorageBufferBindingSize 1 MiB/);
});

test.run();
