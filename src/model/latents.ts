/**
 * The encoder's bottleneck (the `enc_latent` dense layer): the vector an autoencoder reduces a
 * face to. Used as features, e.g. for the benchmark's baseline detector.
 *
 *   const enc = latentEncoder(ae);                 // dispose() when done
 *   const vectors = await enc.encode(crops);       // Float32Array per face
 */
import { tf } from '../engine/tf.ts';
import type { RgbImage } from '../util/geometry.ts';
import type { Autoencoder } from './autoencoder.ts';
import { inputBatch } from './input.ts';

export interface LatentEncoder {
  dims: number;
  encode(crops: readonly RgbImage[], batchSize?: number): Promise<Float32Array[]>;
  dispose(): void;
}

/** `coverage`: what the model was trained on (model/checkpoint.ts checkpointCoverage). */
export function latentEncoder(ae: Autoencoder, coverage = 1): LatentEncoder {
  const layer = ae.encoder.getLayer('enc_latent');
  const model = tf.model({ inputs: ae.encoder.inputs, outputs: layer.output as tf.SymbolicTensor });
  const s = ae.arch.inputSize;
  const dims = ae.arch.latent;
  return {
    dims,
    async encode(crops, batchSize = 32) {
      const out: Float32Array[] = [];
      for (let i = 0; i < crops.length; i += batchSize) {
        const group = crops.slice(i, i + batchSize);
        const x = await inputBatch(group, s, coverage);
        const y = tf.tidy(() => model.predict(x) as tf.Tensor2D);
        x.dispose();
        const data = (await y.data()) as Float32Array;
        y.dispose();
        for (let k = 0; k < group.length; k++) out.push(data.slice(k * dims, (k + 1) * dims));
      }
      return out;
    },
    dispose() {
      // the sub-model shares the encoder's layers and weights: nothing of its own to free
    },
  };
}
