/**
 * `make bench` (kernels part): the three ways Janus's wasm Conv2DBackpropInput computes a
 * strided input gradient (col2im, phases, sub-pixel; src/engine/wasm-kernels.ts), timed on
 * every stride-2 shape of the `small` and `original` nets at batch 16 (the encoder's 5x5
 * convolutions' input gradients and the decoders' 3x3 transposed convolutions), with a fresh
 * filter each call as in training, and the path inputGradientPath picks. What its thresholds
 * come from; medians of 5.
 *
 *   npx tsx test/bench/conv-paths-bench.ts            # BENCH_PRESETS=small for one net
 */
import { selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { inputGradientPath, inputGradientPathOverride, type InputGradientPath } from '../../src/engine/wasm-kernels.ts';

await selectBackend('wasm');
const only = process.env.BENCH_PRESETS?.split(',');

/** [dy shape, kernel, dx channels] per net (dx = [n, 2 OH, 2 OW, ci]). */
const SHAPES: Record<string, Array<[[number, number, number, number], number, number]>> = {
  small: [
    [[16, 16, 16, 64], 5, 32],
    [[16, 8, 8, 128], 5, 64],
    [[16, 4, 4, 256], 5, 128],
    [[16, 32, 32, 32], 5, 3],
    [[16, 4, 4, 256], 3, 128],
    [[16, 8, 8, 128], 3, 64],
    [[16, 16, 16, 64], 3, 32],
    [[16, 32, 32, 32], 3, 16],
  ],
  original: [
    [[16, 16, 16, 256], 5, 128],
    [[16, 8, 8, 512], 5, 256],
    [[16, 32, 32, 128], 5, 3],
    [[16, 8, 8, 512], 3, 256],
    [[16, 16, 16, 256], 3, 128],
    [[16, 32, 32, 128], 3, 64],
  ],
};

function median(f: () => void, reps = 5): number {
  f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  return ts.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

const results: Record<string, unknown>[] = [];
for (const [net, shapes] of Object.entries(SHAPES)) {
  if (only && !only.includes(net)) continue;
  for (const [dyShape, k, ci] of shapes) {
    const [n, oh, ow, co] = dyShape;
    const dy = tf.randomNormal(dyShape) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, ci, co]) as tf.Tensor4D;
    const inShape: [number, number, number, number] = [n, 2 * oh, 2 * ow, ci];
    const gflop = (2 * n * oh * ow * co * k * k * ci) / 1e9;
    const row: Record<string, number> = {};
    for (const path of ['col2im', 'phases', 'subpixel'] as InputGradientPath[]) {
      inputGradientPathOverride.path = path;
      // a fresh filter each call (its copy timed with it, the same for every path): XNNPACK
      // packs a filter it has not seen, as in training
      row[path] = median(() => {
        const fresh = tf.add(w, 0) as tf.Tensor4D;
        tf.conv2dTranspose(dy, fresh, inShape, 2, 'same').dispose();
        fresh.dispose();
      });
    }
    inputGradientPathOverride.path = null;
    const picked = inputGradientPath(oh * ow, ci, Math.ceil(k / 2), Math.ceil(k / 2));
    const best = (Object.entries(row) as Array<[InputGradientPath, number]>).sort((a, b) => a[1] - b[1])[0]![0];
    console.log(
      `${net} input gradient dy [${dyShape.join(',')}] ${k}x${k} -> ${ci} ch: ${Object.entries(row)
        .map(([p, ms]) => `${p} ${ms.toFixed(1)} ms (${(gflop / (ms / 1000)).toFixed(1)} GFLOP/s)`)
        .join(', ')}; picked ${picked}${picked === best ? '' : `, fastest here ${best}`}`,
    );
    results.push({ net, dy: dyShape, k, ci, ms: row, picked, fastest: best });
    tf.dispose([dy, w]);
  }
}
console.log(JSON.stringify({ bench: 'conv-paths', results }));
