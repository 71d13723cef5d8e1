/**
 * Training settings: the one place their defaults live (`janus train`, the `train` stage).
 *
 *   TrainConfig.parse({})   // { preset: 'small', upsample: 'transpose', iterations: 1000, batchSize: 16, learningRate: 5e-5, … }
 */
import { z } from 'zod';
import { PRESETS, UPSAMPLES } from './model.ts';

// chosen by measurement (README, "Training recipe"): make bench-quality
const COVERAGE_DEFAULT = 0.75;
const DSSIM_DEFAULT = true;
const MASK_WEIGHT_DEFAULT = 3;
const EYE_MOUTH_WEIGHT_DEFAULT = 0;
const BACKGROUND_WEIGHT_DEFAULT = 1;
const LEARNING_RATE_DEFAULT = 5e-4;
// the schedule (warm-up 100, cosine to 0.1x, warp off for the last 20%) cost identity at the demo's budget: off by default
const WARP_SHARE_DEFAULT = 1;
const WARMUP_DEFAULT = 0;
const DECAY_DEFAULT: 'cosine' | 'none' = 'none';

export const TrainConfig = z
  .object({
    /** Model size (see src/config/model.ts). */
    preset: z.enum(PRESETS).default('small'),
    /** How the decoders upscale. */
    upsample: z.enum(UPSAMPLES).default('transpose'),
    /** Each decoder also learns the face mask (a 4th output channel, faceswap's learn-mask) for composite's `--mask learned` (off: measured slower, no identity gain). */
    learnMask: z.boolean().default(false),
    /** Total iterations; a resumed run continues up to this number. */
    iterations: z.number().int().min(1).default(1000),
    /** Stop after this many minutes (a checkpoint is saved). */
    minutes: z.number().positive().optional(),
    /** Stop once both losses are below this. */
    targetLoss: z.number().positive().optional(),
    /** Faces per identity per iteration. */
    batchSize: z.number().int().min(1).max(256).default(16),
    /** Adam learning rate (peak, after warm-up). */
    learningRate: z.number().positive().default(LEARNING_RATE_DEFAULT),
    /** Checkpoint (and preview) every N iterations (and at the end). */
    saveEvery: z.number().int().min(1).default(1000),
    /** Also checkpoint every N minutes of training, whatever the iteration (0 = off). */
    saveMinutes: z.number().min(0).default(5),
    /** Checkpoints kept. */
    keep: z.number().int().min(1).default(3),
    /**
     * Share of the aligned crop's width the model sees, centred (faceswap's coverage): the face,
     * not the hair and background around it. Training, swap and composite use the same square.
     */
    coverage: z.number().gt(0).max(1).default(COVERAGE_DEFAULT),
    /** Add DSSIM (structural dissimilarity, the SSIM metrics.json reports) to the MAE loss. */
    dssim: z.boolean().default(DSSIM_DEFAULT),
    /** Extra weight of the face mask in the loss: face pixels count 1 + maskWeight, background 1; 0 = off (needs the masks/ folder beside each faces/). */
    maskWeight: z.number().min(0).default(MASK_WEIGHT_DEFAULT),
    /** Weight of the background pixels (outside the mask) in the loss, face pixels count 1 + maskWeight; 0 ignores the background. */
    backgroundWeight: z.number().min(0).max(1).default(BACKGROUND_WEIGHT_DEFAULT),
    /** Extra weight of the eyes and mouth (from the landmark template) on top of the face's: 0 = off. */
    eyeMouthWeight: z.number().min(0).default(EYE_MOUTH_WEIGHT_DEFAULT),
    /** Share of the budget (iterations or minutes) trained with random warp; the rest without (faceswap's "no warp" finish). */
    warpShare: z.number().min(0).max(1).default(WARP_SHARE_DEFAULT),
    /** Learning-rate warm-up: iterations of linear ramp from 0 at the start of a run. */
    warmup: z.number().int().min(0).default(WARMUP_DEFAULT),
    /** Learning-rate decay over the budget: cosine down to minLrShare of learningRate at the end, or none. */
    decay: z.enum(['cosine', 'none']).default(DECAY_DEFAULT),
    /** The learning rate at the end of a cosine decay, as a share of learningRate. */
    minLrShare: z.number().min(0).max(1).default(0.1),
    /** Colour augmentation: ± per-channel gain and lightness applied to the target faces (0 = off). */
    colourJitter: z.number().min(0).max(0.5).default(0.05),
    /** Measure the swap's quality on held-out faces every N minutes of training (quality.jsonl; 0 = off). */
    qualityMinutes: z.number().min(0).default(2),
    /** Share of each identity's faces held out of training for the quality probe (the last ones: a separate stretch of video). */
    holdout: z.number().min(0).max(0.5).default(0.1),
    /** At most this many held-out faces per identity per probe. */
    qualitySample: z.number().int().min(1).max(1000).default(24),
    /** Which swap the probe measures. */
    qualityDirection: z.enum(['a-to-b', 'b-to-a']).default('a-to-b'),
    /** Stop once this share of held-out swaps is closer to the target than to the source, in two probes in a row. */
    stopAtQuality: z.number().min(0).max(1).optional(),
    /** Start from a pretrained model folder (janus pretrain --out): its encoder (and generic decoder for both decoders). */
    init: z.string().optional(),
    /** Seed of the initial weights, batches and augmentation. */
    seed: z.number().int().default(1),
  })
  .strict();
export type TrainConfig = z.infer<typeof TrainConfig>;
