/**
 * Starting from a pretrained model (DeepFaceLab's pretrain idea): the encoder of a model folder
 * trained on many faces (`janus pretrain`), and its generic decoder (decoder A) copied into both
 * identity decoders. The architecture must match; the coverage it was trained at is checked too.
 *
 *   const init = await pretrainedInit('weights/pretrain-tiny', arch, 0.75);
 *   await init(ae);   // ae's weights now the pretrained ones
 */
import type { Architecture } from '../config/model.ts';
import { tf } from '../engine/tf.ts';
import { UserError } from '../util/errors.ts';
import type { Autoencoder } from './autoencoder.ts';
import { architectureDifference, checkpointCoverage, loadTrainedModel } from './checkpoint.ts';

function copyWeights(from: tf.LayersModel, to: tf.LayersModel): void {
  const w = from.getWeights();
  to.setWeights(w);
}

export async function pretrainedInit(dir: string, arch: Architecture, coverage?: number): Promise<(ae: Autoencoder) => void> {
  const m = await loadTrainedModel(dir);
  const diff = architectureDifference(m.state.arch, arch);
  if (diff) {
    m.ae.dispose();
    throw new UserError(`the pretrained model in ${dir} is of another architecture (${diff})`, `pretrain with --preset ${arch.preset} --upsample ${arch.upsample}, or train with the pretrained model's preset (${m.state.arch.preset})`);
  }
  if (coverage !== undefined && Math.abs(checkpointCoverage(m.state) - coverage) > 1e-9) {
    m.ae.dispose();
    throw new UserError(`the pretrained model in ${dir} saw coverage ${checkpointCoverage(m.state)} of the crop, this run asks for ${coverage}`, `train with --coverage ${checkpointCoverage(m.state)}, or pretrain at ${coverage}`);
  }
  return (ae) => {
    try {
      copyWeights(m.ae.encoder, ae.encoder);
      // decoders share a layer layout but not names: copy by position
      ae.decoderA.setWeights(m.ae.decoderA.getWeights());
      ae.decoderB.setWeights(m.ae.decoderA.getWeights());
    } finally {
      m.ae.dispose();
    }
  };
}
