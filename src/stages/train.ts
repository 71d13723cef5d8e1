/**
 * Stage `train`: the shared-encoder autoencoder on two face sets, in the `gpu` resource class.
 * Its `model` output holds the checkpoints and is `persist`: a failed or interrupted run keeps
 * them, and the next run resumes from the newest good one.
 *
 *   - name: train
 *     kind: train
 *     resource: gpu
 *     params: { preset: tiny, iterations: 200, minutes: 5 }
 *     inputs: { a: "@extract-a.faces", b: "@extract-b.faces" }
 *     outputs: { model: model }
 *     persist: [model]
 */
import { TrainConfig } from '../config/train.ts';
import { modelArchitecture } from '../config/model.ts';
import type { StageKind } from '../dag/stage-kind.ts';
import { ensureEngine } from './engine.ts';
import { loadFaceSet } from '../train/face-set.ts';
import { train } from '../train/trainer.ts';

type P = ReturnType<typeof TrainConfig.parse>;

export const trainStage: StageKind<P> = {
  kind: 'train',
  version: '1',
  description: 'train the shared encoder and decoders A and B on two face sets (resumes from its checkpoints)',
  params: TrainConfig,
  inputs: ['a', 'b'],
  outputs: ['model'],
  async run(ctx) {
    await ensureEngine();
    const p = ctx.params;
    const arch = modelArchitecture(p.preset, p.upsample);
    const a = await loadFaceSet(ctx.inputs.a!, arch.inputSize, { masks: p.maskWeight > 0 });
    const b = await loadFaceSet(ctx.inputs.b!, arch.inputSize, { masks: p.maskWeight > 0 });
    ctx.log(`training ${p.preset}/${p.upsample} on ${a.faces.length} + ${b.faces.length} faces`);
    const r = await train({ a, b, arch, out: ctx.outputs.model!, iterations: p.iterations, minutes: p.minutes, targetLoss: p.targetLoss, batchSize: p.batchSize, learningRate: p.learningRate, saveEvery: p.saveEvery, keep: p.keep, seed: p.seed, dssim: p.dssim, maskWeight: p.maskWeight, signal: ctx.signal, log: ctx.log });
    if (r.stoppedBy === 'nan') throw new Error(r.message);
  },
};
