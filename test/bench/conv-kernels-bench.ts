/**
 * `make bench` (kernels part): every convolution of the `small` and `original` nets at batch
 * 16 on the selected backend, its forward pass, input gradient and filter gradient timed alone
 * (medians of 5 with the result read, a fresh filter each call as in training, so XNNPACK packs it each time), in
 * ms and GFLOP/s: where a training step's time goes and how far each kernel is from the
 * backend's matmul ceiling (train-bench prints it).
 *
 *   npx tsx test/bench/conv-kernels-bench.ts            # BENCH_PRESETS=small for one net
 */
import { modelArchitecture, type PresetName } from '../../src/config/model.ts';
import { resolveBackendChoice, selectBackend } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { buildAutoencoder } from '../../src/model/autoencoder.ts';
import { medianMs } from '../helpers/timing.ts';

const { choice } = resolveBackendChoice();
const { backend } = await selectBackend(choice);
const only = process.env.BENCH_PRESETS?.split(',');
const BATCH = 16;

interface ConvLayer {
  name: string;
  transpose: boolean;
  /** Filter [k, k, in, out] (conv2dTranspose: [k, k, out, in]). */
  filter: [number, number, number, number];
  stride: number;
  input: [number, number, number, number];
  output: [number, number, number, number];
}

/** The convolutions of the encoder and one decoder, with their shapes at batch 16. */
function convLayers(preset: PresetName): ConvLayer[] {
  const ae = buildAutoencoder(modelArchitecture(preset), 1);
  try {
    const out: ConvLayer[] = [];
    for (const model of [ae.encoder, ae.decoderA]) {
      for (const layer of model.layers) {
        const cls = layer.getClassName();
        if (cls !== 'Conv2D' && cls !== 'Conv2DTranspose') continue;
        const cfg = layer.getConfig() as { strides: number[] | number };
        const stride = Array.isArray(cfg.strides) ? cfg.strides[0]! : cfg.strides;
        const batch = (s: unknown) => [BATCH, ...(s as number[]).slice(1)] as [number, number, number, number];
        out.push({ name: layer.name, transpose: cls === 'Conv2DTranspose', filter: layer.getWeights()[0]!.shape as ConvLayer['filter'], stride, input: batch((layer.input as tf.SymbolicTensor).shape), output: batch(layer.outputShape) });
      }
    }
    return out;
  } finally {
    ae.dispose();
  }
}

const inputGrad = (dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: number[], stride: number) =>
  tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: [stride, stride], pad: 'same', dataFormat: 'NHWC', inputShape } as never) as tf.Tensor;
const filterGrad = (x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], stride: number) =>
  tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [stride, stride], pad: 'same', dataFormat: 'NHWC', filterShape } as never) as tf.Tensor;

const results: Record<string, unknown>[] = [];
for (const preset of ['small', 'original'] as const) {
  if (only && !only.includes(preset)) continue;
  for (const l of convLayers(preset)) {
    const [k, , a, b] = l.filter;
    // multiply-adds x 2: per output pixel for conv2d, per input pixel for conv2dTranspose
    const pixels = l.transpose ? l.input[0] * l.input[1] * l.input[2] : l.output[0] * l.output[1] * l.output[2];
    const gflop = (2 * pixels * k * k * a * b) / 1e9;
    const x = tf.randomNormal(l.input) as tf.Tensor4D;
    const dy = tf.randomNormal(l.output) as tf.Tensor4D;
    const w = tf.randomNormal(l.filter) as tf.Tensor4D;
    const fresh = (f: (filter: tf.Tensor4D) => tf.Tensor) => () => {
      const filter = tf.add(w, 0) as tf.Tensor4D;
      const y = f(filter);
      filter.dispose();
      return y;
    };
    const ms = l.transpose
      ? {
          forward: await medianMs(fresh((f) => inputGrad(x, f, l.output, l.stride))),
          inputGradient: await medianMs(fresh((f) => tf.conv2d(dy, f, l.stride, 'same'))),
          filterGradient: await medianMs(() => filterGrad(dy, x, l.filter, l.stride)),
        }
      : {
          forward: await medianMs(fresh((f) => tf.conv2d(x, f, l.stride, 'same'))),
          inputGradient: await medianMs(fresh((f) => inputGrad(dy, f, l.input, l.stride))),
          filterGradient: await medianMs(() => filterGrad(x, dy, l.filter, l.stride)),
        };
    tf.dispose([x, dy, w]);
    const fmt = (t: number) => `${t.toFixed(1)} ms (${(gflop / (t / 1000)).toFixed(1)} GFLOP/s)`;
    console.log(`${preset} ${l.name} [${l.input.join(',')}] -> [${l.output.join(',')}] ${k}x${k}/${l.stride} ${backend}: forward ${fmt(ms.forward)}, input gradient ${fmt(ms.inputGradient)}, filter gradient ${fmt(ms.filterGradient)}`);
    results.push({ preset, layer: l.name, input: l.input, output: l.output, k, stride: l.stride, gflop: +gflop.toFixed(3), ms });
  }
}
console.log(JSON.stringify({ bench: 'conv-kernels', backend, results }));
