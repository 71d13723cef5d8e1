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
import { z } from 'zod';
import { tf } from '../engine/tf.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { readJsonFile } from '../util/read-json.ts';

/** One tensor's entry in a weights manifest (tfjs's format: further fields of tfjs are kept). */
const WeightSpec = z.object({ name: z.string(), shape: z.array(z.number().int().min(0)), dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']) }).loose();
export const WeightSpecs = z.array(WeightSpec);

/** `model.json`: the layers topology (tfjs's, not checked further) and the weights manifest. */
export const ModelJson = z
  .object({
    format: z.string().optional(),
    generatedBy: z.string().optional(),
    convertedBy: z.string().optional(),
    modelTopology: z.record(z.string(), z.unknown()),
    weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: WeightSpecs }).strict()),
  })
  .strict();

/** Read `model.json` of a saved network, validated. */
function readModelJson(file: string): z.infer<typeof ModelJson> {
  return readJsonFile(file, ModelJson, { what: 'model file (model.json)', hint: 'the checkpoint is damaged or from another version: train again, or use another checkpoint' });
}

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
      const json = readModelJson(file);
      const bin = readFileSync(join(dir, 'weights.bin'));
      const specs: tf.io.WeightsManifestEntry[] = json.weightsManifest.flatMap((g) => g.weights);
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
