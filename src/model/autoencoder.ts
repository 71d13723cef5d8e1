/**
 * The classic face-swap autoencoder: one encoder shared by two identity decoders, whose
 * upscaling is Conv2DTranspose (or UpSampling2D + conv, or pixel shuffle, to compare).
 *
 *   const ae = buildAutoencoder(modelArchitecture('tiny'));
 *   const z = ae.encoder.apply(faces);          // [N, 8, 8, C]: the shared latent map
 *   const a = ae.decoderA.apply(z);             // [N, 64, 64, 3] in 0..1 (4 channels with arch.learnMask: RGB + mask)
 *   ae.dispose();
 */
import type { Architecture } from '../config/model.ts';
import { tf } from '../engine/tf.ts';
import { PixelShuffle } from './pixel-shuffle.ts';

const ALPHA = 0.1;

/** Seeded Glorot-uniform initialisers, one seed per layer, when a seed is given (reproducible runs). */
function seeder(seed: number | undefined) {
  let n = 0;
  return () => (seed === undefined ? {} : { kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + n++ }) });
}
type Init = ReturnType<typeof seeder>;

function upscale(x: tf.SymbolicTensor, filters: number, how: Architecture['upsample'], name: string, init: Init): tf.SymbolicTensor {
  let y: tf.SymbolicTensor;
  if (how === 'transpose') {
    y = tf.layers.conv2dTranspose({ filters, kernelSize: 3, strides: 2, padding: 'same', name: `${name}_convT`, ...init() }).apply(x) as tf.SymbolicTensor;
  } else if (how === 'upsampling2d') {
    const u = tf.layers.upSampling2d({ size: [2, 2], name: `${name}_up` }).apply(x) as tf.SymbolicTensor;
    y = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', name: `${name}_conv`, ...init() }).apply(u) as tf.SymbolicTensor;
  } else {
    const c = tf.layers.conv2d({ filters: filters * 4, kernelSize: 3, padding: 'same', name: `${name}_conv`, ...init() }).apply(x) as tf.SymbolicTensor;
    y = new PixelShuffle({ name: `${name}_shuffle` }).apply(c) as tf.SymbolicTensor;
  }
  return tf.layers.leakyReLU({ alpha: ALPHA, name: `${name}_act` }).apply(y) as tf.SymbolicTensor;
}

function buildEncoder(arch: Architecture, seed?: number): tf.LayersModel {
  const init = seeder(seed);
  const input = tf.input({ shape: [arch.inputSize, arch.inputSize, 3], name: 'face' });
  let x: tf.SymbolicTensor = input;
  arch.encoderFilters.forEach((f, i) => {
    x = tf.layers.conv2d({ filters: f, kernelSize: 5, strides: 2, padding: 'same', name: `enc_conv${i}`, ...init() }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.leakyReLU({ alpha: ALPHA, name: `enc_act${i}` }).apply(x) as tf.SymbolicTensor;
  });
  const side = arch.inputSize / 2 ** arch.encoderFilters.length;
  if (side !== 4) throw new Error(`architecture ${arch.preset}: the encoder must reach 4x4, reaches ${side}x${side}`);
  x = tf.layers.flatten({ name: 'enc_flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: arch.latent, name: 'enc_latent', ...init() }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 4 * 4 * arch.bottleneckChannels, name: 'enc_expand', ...init() }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [4, 4, arch.bottleneckChannels], name: 'enc_reshape' }).apply(x) as tf.SymbolicTensor;
  x = upscale(x, arch.encoderUpChannels, arch.upsample, 'enc_up', init);
  return tf.model({ inputs: input, outputs: x, name: 'encoder' });
}

function buildDecoder(arch: Architecture, name: 'decoder_a' | 'decoder_b', seed?: number): tf.LayersModel {
  const init = seeder(seed);
  const input = tf.input({ shape: [8, 8, arch.encoderUpChannels], name: `${name}_in` });
  let x: tf.SymbolicTensor = input;
  arch.decoderFilters.forEach((f, i) => (x = upscale(x, f, arch.upsample, `${name}_up${i}`, init)));
  const side = 8 * 2 ** arch.decoderFilters.length;
  if (side !== arch.inputSize) throw new Error(`architecture ${arch.preset}: the decoder reaches ${side}, expected ${arch.inputSize}`);
  const rgb = tf.layers.conv2d({ filters: 3, kernelSize: 5, padding: 'same', activation: 'sigmoid', name: `${name}_rgb`, ...init() }).apply(x) as tf.SymbolicTensor;
  if (!arch.learnMask) return tf.model({ inputs: input, outputs: rgb, name });
  // faceswap's learn-mask: a 4th channel from the same features, trained towards the landmark mask
  const mask = tf.layers.conv2d({ filters: 1, kernelSize: 5, padding: 'same', activation: 'sigmoid', name: `${name}_mask`, ...init() }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.concatenate({ axis: -1, name: `${name}_rgba` }).apply([rgb, mask]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name });
}

export interface Autoencoder {
  arch: Architecture;
  encoder: tf.LayersModel;
  decoderA: tf.LayersModel;
  decoderB: tf.LayersModel;
  /** Faces through the encoder and decoder `which`: RGB [N, s, s, 3] in 0..1. */
  reconstruct(faces: tf.Tensor4D, which: 'a' | 'b'): tf.Tensor4D;
  /** The same, with the decoder's learned mask [N, s, s, 1] (null when the architecture has none). */
  reconstructWithMask(faces: tf.Tensor4D, which: 'a' | 'b'): { rgb: tf.Tensor4D; mask: tf.Tensor4D | null };
  /** Every trainable weight: the encoder's and both decoders'. */
  trainableWeights(): tf.LayerVariable[];
  dispose(): void;
}

/** `seed` makes the initial weights reproducible (each network gets its own seeds). */
export function buildAutoencoder(arch: Architecture, seed?: number): Autoencoder {
  const encoder = buildEncoder(arch, seed);
  const decoderA = buildDecoder(arch, 'decoder_a', seed === undefined ? undefined : seed + 1);
  const decoderB = buildDecoder(arch, 'decoder_b', seed === undefined ? undefined : seed + 2);
  return {
    arch,
    encoder,
    decoderA,
    decoderB,
    reconstruct(faces, which) {
      return tf.tidy(() => {
        const y = (which === 'a' ? decoderA : decoderB).apply(encoder.apply(faces) as tf.Tensor4D) as tf.Tensor4D;
        return arch.learnMask ? (y.slice([0, 0, 0, 0], [-1, -1, -1, 3]) as tf.Tensor4D) : y;
      });
    },
    reconstructWithMask(faces, which) {
      const y = tf.tidy(() => (which === 'a' ? decoderA : decoderB).apply(encoder.apply(faces) as tf.Tensor4D) as tf.Tensor4D);
      if (!arch.learnMask) return { rgb: y, mask: null };
      const [rgb, mask] = tf.split(y, [3, 1], 3) as [tf.Tensor4D, tf.Tensor4D];
      y.dispose();
      return { rgb, mask };
    },
    trainableWeights() {
      return [...encoder.trainableWeights, ...decoderA.trainableWeights, ...decoderB.trainableWeights];
    },
    dispose() {
      encoder.dispose();
      decoderA.dispose();
      decoderB.dispose();
    },
  };
}

/** Number of trainable parameters. */
export function countParams(models: tf.LayersModel[]): number {
  return models.reduce((s, m) => s + m.countParams(), 0);
}
