/**
 * Stage `perturb`: a video with DeeperForensics-1.0's real-world perturbations, one after
 * another (src/media/perturb.ts), seeded: the benchmark gives a real video and every fake made
 * from it the same perturbations and seed. Its spec is in registry.ts; this file loads when the stage runs.
 *
 *   - name: perturb-real-anna-01
 *     kind: perturb
 *     params: { perturbations: [{ type: CS, level: 3 }, { type: GB, level: 2 }], seed: 7 }
 *     inputs: { video: "@ladder-real-anna-01.c0" }
 *     outputs: { video: perturbed/real/anna-01.mp4 }
 */
import type { StageImplementation } from '../dag/stage-kind.ts';
import { perturbVideo } from '../media/perturb.ts';
import type { PerturbParams } from './registry.ts';

export const perturbStage: StageImplementation<PerturbParams> = {
  async run(ctx) {
    await perturbVideo(ctx.inputs.video!, ctx.outputs.video!, ctx.params.perturbations, ctx.params.seed);
  },
};
