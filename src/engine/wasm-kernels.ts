/**
 * Kernels the tfjs wasm backend lacks for training, built from its fast primitives.
 *
 *   registerWasmTrainingKernels();   // after tf.setBackend('wasm'); returns the kernel names added
 *
 * `Conv2DBackpropFilter` (the filter gradient of conv2d, and of conv2dTranspose) is written as
 * one ordinary XNNPACK convolution: the input transposed to [Ci, H, W, N] (channels as batch,
 * batch as channels) is convolved with dy transposed to [OH, OW, N, Co] as the filter, with
 * dilation = stride and the forward padding; the [Ci, k, k, Co] result (cropped to k × k) is
 * transposed to [k, k, Ci, Co]. Tests compare it with the cpu backend.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from './tf.ts';

type Backend = { disposeData(id: object): boolean | void };

function wasmKernel(name: string): KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`the wasm backend has no "${name}" kernel (is @tensorflow/tfjs-backend-wasm 4.22.0 loaded?)`);
  return k.kernelFunc;
}

function call(name: string, inputs: Record<string, TensorInfo>, backend: unknown, attrs: NamedAttrMap): TensorInfo {
  return wasmKernel(name)({ inputs, backend: backend as never, attrs }) as TensorInfo;
}

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export const conv2DBackpropFilterWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as BackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm: expected dataFormat NHWC, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, padInfo } = info;
  const b = backend as Backend;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  try {
    const xT = keep(call('Transpose', { x }, backend, { perm: [3, 1, 2, 0] })); // [Ci, H, W, N]
    const dyT = keep(call('Transpose', { x: dy }, backend, { perm: [1, 2, 0, 3] })); // [OH, OW, N, Co]
    const explicit = [
      [0, 0],
      [padInfo.top, padInfo.bottom],
      [padInfo.left, padInfo.right],
      [0, 0],
    ];
    let g = keep(
      call('Conv2D', { x: xT, filter: dyT }, backend, {
        strides: [1, 1],
        pad: explicit as unknown as NamedAttrMap[string],
        dataFormat: 'NHWC',
        dilations: [sh, sw],
        dimRoundingMode: null as unknown as NamedAttrMap[string],
      }),
    ); // [Ci, >=kh, >=kw, Co]
    if (g.shape[1] !== kh || g.shape[2] !== kw) {
      g = keep(call('Slice', { x: g }, backend, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] }));
    }
    return call('Transpose', { x: g }, backend, { perm: [1, 2, 0, 3] }); // [kh, kw, Ci, Co]
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
};

const KERNELS: KernelConfig[] = [{ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm }];

/** Register the missing training kernels on wasm (once); returns the names Janus provides. */
export function registerWasmTrainingKernels(): string[] {
  for (const k of KERNELS) {
    if (!tf.getKernel(k.kernelName, k.backendName)) tf.registerKernel(k);
  }
  return KERNELS.map((k) => k.kernelName);
}
