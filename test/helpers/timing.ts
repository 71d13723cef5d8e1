/**
 * Timing for the benchmarks: seconds per run of a step, waiting on the tensor it returns (one
 * value of it read asynchronously: webgpu has no synchronous read in Node; a whole read would be
 * timed too, and on wasm's threaded build reading a large tensor out of its shared heap costs up
 * to 18 ns a value, as much as a 13-million-value filter gradient itself). No dependencies beyond
 * tfjs, so the GPU check can use it with a pruned node_modules.
 *
 *   const secs = await timeIt(() => (step(), weight), 5000, 2);   // at least 5 s and 2 runs
 *   const ms = await medianMs(() => tf.matMul(a, b), 7);           // median of 7 runs after one warm-up
 */
import { tf, type Tensor } from '../../src/engine/tf.ts';

/** Waits until `t` is computed: reads its first value (the whole tensor is done when one value can be read). */
export async function settle(t: Tensor): Promise<void> {
  const one = tf.tidy(() => t.reshape([-1]).slice(0, 1));
  try {
    await one.data();
  } finally {
    one.dispose();
  }
}

export async function timeIt(f: () => Tensor | void, atLeastMs: number, minRuns: number): Promise<number> {
  const t0 = performance.now();
  let runs = 0;
  while (runs < minRuns || performance.now() - t0 < atLeastMs) {
    const t = f();
    if (t) await settle(t);
    runs++;
  }
  return (performance.now() - t0) / 1000 / runs;
}

/**
 * Milliseconds of one run of `f`, the median of `reps` runs after a warm-up run; a tensor `f`
 * returns is settled (one value read, asynchronously) inside the timing, then disposed.
 */
export async function medianMs(f: () => Tensor | void, reps = 5): Promise<number> {
  const once = async () => {
    const t = f();
    if (t) {
      await settle(t);
      t.dispose();
    }
  };
  await once();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await once();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}
