/**
 * A TensorFlow.js IO handler on the file system, for every backend (tfjs-node's `file://`
 * exists only on the native backend): `model.json` (topology + weights manifest) and one
 * `weights.bin`, each written atomically.
 *
 *   await model.save(fileIOHandler('weights/x/encoder'));
 *   const m = await tf.loadLayersModel(fileIOHandler('weights/x/encoder'));
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../engine/tf.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';

export function fileIOHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = artifacts.weightData ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)) : new Uint8Array(0);
      await writeFileAtomic(join(dir, 'weights.bin'), weights);
      await writeJsonAtomic(join(dir, 'model.json'), {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: 'janus',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const file = join(dir, 'model.json');
      if (!existsSync(file)) throw new Error(`no model.json in ${dir}`);
      const json = JSON.parse(readFileSync(file, 'utf8')) as { modelTopology: object; format?: string; generatedBy?: string; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> };
      const bin = readFileSync(join(dir, 'weights.bin'));
      const specs = json.weightsManifest.flatMap((g) => g.weights);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        weightSpecs: specs,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      };
    },
  };
}
