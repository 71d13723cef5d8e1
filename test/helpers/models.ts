/**
 * Small models for checks that compare backends, where a slow backend (tfjs's cpu, SwiftShader)
 * pays by the pixel and channel: the tiny preset's layout (its layers, upsampling and mask
 * head) at 32 px with fewer channels, about a sixth of a tiny step.
 *
 *   const arch = smallTiny('transpose');        // with the learned mask
 *   const ae = buildAutoencoder(arch, seed);
 */
import { Architecture, modelArchitecture, type Upsample } from '../../src/config/model.ts';

export function smallTiny(upsample: Upsample = 'transpose', learnMask = true): Architecture {
  return Architecture.parse({ ...modelArchitecture('tiny', upsample, learnMask), inputSize: 32, encoderFilters: [8, 16, 32], latent: 32, bottleneckChannels: 32, encoderUpChannels: 16, decoderFilters: [8, 4] });
}
