/**
 * Timing for the benchmarks: seconds per run of a step, waiting on the tensor it returns (read
 * asynchronously: webgpu has no synchronous read in Node). No dependencies beyond tfjs, so the GPU
 * check can use it with a pruned node_modules.
 *
 *   const secs = await timeIt(() => (step(), weight), 5000, 2);   // at least 5 s and 2 runs
 */
import type { Tensor } from '../../src/engine/tf.ts';

export async function timeIt(f: () => Tensor | void, atLeastMs: number, minRuns: number): Promise<number> {
  const t0 = performance.now();
  let runs = 0;
  while (runs < minRuns || performance.now() - t0 < atLeastMs) {
    const t = f();
    if (t) await t.data();
    runs++;
  }
  return (performance.now() - t0) / 1000 / runs;
}
