/**
 * Training settings: the one place their defaults live (`janus train`, the `train` stage).
 *
 *   TrainConfig.parse({})   // { preset: 'small', upsample: 'transpose', iterations: 1000, batchSize: 16, learningRate: 5e-5, … }
 */
import { z } from 'zod';
import { PRESETS, UPSAMPLES } from './model.ts';

export const TrainConfig = z
  .object({
    /** Model size (see src/config/model.ts). */
    preset: z.enum(PRESETS).default('small'),
    /** How the decoders upscale. */
    upsample: z.enum(UPSAMPLES).default('transpose'),
    /** Total iterations; a resumed run continues up to this number. */
    iterations: z.number().int().min(1).default(1000),
    /** Stop after this many minutes (a checkpoint is saved). */
    minutes: z.number().positive().optional(),
    /** Stop once both losses are below this. */
    targetLoss: z.number().positive().optional(),
    /** Faces per identity per iteration. */
    batchSize: z.number().int().min(1).max(256).default(16),
    /** Adam learning rate. */
    learningRate: z.number().positive().default(5e-5),
    /** Checkpoint (and preview) every N iterations. */
    saveEvery: z.number().int().min(1).default(100),
    /** Checkpoints kept. */
    keep: z.number().int().min(1).default(3),
    /** Add DSSIM (structural dissimilarity) to the MAE loss. */
    dssim: z.boolean().default(false),
    /** Weight of the face mask in the loss, 0 = off (needs the masks/ folder beside each faces/). */
    maskWeight: z.number().min(0).default(0),
    /** Seed of the initial weights, batches and augmentation. */
    seed: z.number().int().default(1),
  })
  .strict();
export type TrainConfig = z.infer<typeof TrainConfig>;
