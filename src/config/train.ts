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
    preset: z.enum(PRESETS).default('small').meta({ cli: { help: 'model size', value: 'name' } }),
    /** How the decoders upscale. */
    upsample: z.enum(UPSAMPLES).default('transpose').meta({ cli: { help: 'decoder upscaling', value: 'how' } }),
    /** Each decoder also learns the face mask (a 4th output channel, faceswap's learn-mask) for composite's `--mask learned` (off: measured slower, no identity gain). */
    learnMask: z.boolean().default(false).meta({ cli: { help: 'decoders also learn the face mask (a 4th channel), for composite --mask learned|intersection' } }),
    /** Total iterations; a resumed run continues up to this number. */
    iterations: z.number().int().min(1).default(1000).meta({ cli: { help: 'total iterations (a resumed run continues up to n)', value: 'n' } }),
    /** Stop after this many minutes (a checkpoint is saved). */
    minutes: z.number().positive().optional().meta({ cli: { help: 'stop after m minutes (a checkpoint is saved)', value: 'm' } }),
    /** Stop once both losses are below this. */
    targetLoss: z.number().positive().optional().meta({ cli: { help: 'stop once both losses are below l', value: 'l' } }),
    /** Faces per identity per iteration. */
    batchSize: z.number().int().min(1).max(256).default(16).meta({ cli: { help: 'faces per identity per iteration', value: 'n' } }),
    /** Adam learning rate (peak, after warm-up). */
    learningRate: z.number().positive().default(LEARNING_RATE_DEFAULT).meta({ cli: { help: 'Adam learning rate (the peak, after warm-up)', value: 'lr' } }),
    /** Checkpoint (and preview) every N iterations (and at the end). */
    saveEvery: z.number().int().min(1).default(1000).meta({ cli: { help: 'checkpoint, preview.png and loss.png every n iterations (and every --save-minutes)', value: 'n' } }),
    /** Also checkpoint every N minutes of training, whatever the iteration (0 = off). */
    saveMinutes: z.number().min(0).default(5).meta({ cli: { help: 'also checkpoint every m minutes (0 = off)', value: 'm' } }),
    /** Checkpoints kept. */
    keep: z.number().int().min(1).default(3),
    /**
     * Share of the aligned crop's width the model sees, centred (faceswap's coverage): the face,
     * not the hair and background around it. Training, swap and composite use the same square.
     */
    coverage: z.number().gt(0).max(1).default(COVERAGE_DEFAULT).meta({ cli: { help: "share of the aligned crop's width the model sees, centred (0-1; swap and composite use the same square)", value: 'share' } }),
    /** Add DSSIM (structural dissimilarity, the SSIM metrics.json reports) to the MAE loss. */
    dssim: z.boolean().default(DSSIM_DEFAULT).meta({ cli: { help: 'MAE alone: without the DSSIM (structural dissimilarity) term, which is on by default' } }),
    /** Extra weight of the face mask in the loss: face pixels count 1 + maskWeight, background 1; 0 = off (needs the masks/ folder beside each faces/). */
    maskWeight: z.number().min(0).default(MASK_WEIGHT_DEFAULT).meta({ cli: { help: 'face pixels count 1 + w in the loss, background pixels backgroundWeight; 0 = off (uses the masks/ folder beside each faces/)', value: 'w' } }),
    /** Weight of the background pixels (outside the mask) in the loss, face pixels count 1 + maskWeight; 0 ignores the background. */
    backgroundWeight: z.number().min(0).max(1).default(BACKGROUND_WEIGHT_DEFAULT).meta({ cli: { help: 'weight of background pixels (outside the face mask) in the loss, 0-1; 0 ignores the background', value: 'w' } }),
    /** Extra weight of the eyes and mouth (from the landmark template) on top of the face's: 0 = off. */
    eyeMouthWeight: z.number().min(0).default(EYE_MOUTH_WEIGHT_DEFAULT).meta({ cli: { help: 'extra loss weight of the eyes and mouth (landmark template), 0 = off', value: 'w' } }),
    /** Share of the budget (iterations or minutes) trained with random warp; the rest without (faceswap's "no warp" finish). */
    warpShare: z.number().min(0).max(1).default(WARP_SHARE_DEFAULT).meta({ cli: { help: 'share of the budget trained with random warp; the rest without (0-1)', value: 'x' } }),
    /** Learning-rate warm-up: iterations of linear ramp from 0 at the start of a run. */
    warmup: z.number().int().min(0).default(WARMUP_DEFAULT).meta({ cli: { help: 'iterations of linear learning-rate warm-up', value: 'n' } }),
    /** Learning-rate decay over the budget: cosine down to minLrShare of learningRate at the end, or none. */
    decay: z.enum(['cosine', 'none']).default(DECAY_DEFAULT).meta({ cli: { help: 'learning-rate decay over the budget', value: 'how' } }),
    /** The learning rate at the end of a cosine decay, as a share of learningRate. */
    minLrShare: z.number().min(0).max(1).default(0.1).meta({ cli: { help: 'learning rate at the end of a cosine decay, as a share of --learning-rate', value: 'x' } }),
    /** Colour augmentation: ± per-channel gain and lightness applied to the target faces (0 = off). */
    colourJitter: z.number().min(0).max(0.5).default(0.05).meta({ cli: { help: 'colour augmentation: ± per-channel gain and lightness of the target faces (0 = off)', value: 'x' } }),
    /** Measure the swap's quality on held-out faces every N minutes of training (quality.jsonl; 0 = off). */
    qualityMinutes: z.number().min(0).default(2).meta({ cli: { help: 'measure the swap on held-out faces every m minutes into quality.jsonl (0 = off)', value: 'm' } }),
    /** Share of each identity's faces held out of training for the quality probe (the last ones: a separate stretch of video). */
    holdout: z.number().min(0).max(0.5).default(0.1).meta({ cli: { help: "share of each identity's faces (the last ones) held out of training for the quality probe", value: 'share' } }),
    /** At most this many held-out faces per identity per probe. */
    qualitySample: z.number().int().min(1).max(1000).default(24).meta({ cli: { help: 'at most n held-out faces per identity per probe', value: 'n' } }),
    /** Which swap the probe measures. */
    qualityDirection: z.enum(['a-to-b', 'b-to-a']).default('a-to-b').meta({ cli: { help: 'which swap the quality probe measures', value: 'd' } }),
    /** Stop once this share of held-out swaps is closer to the target than to the source, in two probes in a row. */
    stopAtQuality: z.number().min(0).max(1).optional().meta({ cli: { help: 'stop once this share of held-out swaps reads closer to the target than to the source, in two probes in a row', value: 'share' } }),
    /** Start from a pretrained model folder (janus pretrain --out): its encoder (and generic decoder for both decoders). */
    init: z.string().optional().meta({ cli: { help: 'start from a pretrained model folder (janus pretrain --out): its encoder, and its generic decoder for both decoders', value: 'dir' } }),
    /**
     * Pinned reruns only (janus verify, a reproduction kit; not an option): checkpoint at exactly
     * these iterations (besides every saveEvery) instead of every saveMinutes: what a recorded run's clock decided.
     */
    saveAt: z.array(z.number().int().min(1)).optional(),
    /** Pinned reruns only: the quality probe at exactly these iterations instead of every qualityMinutes. */
    probeAt: z.array(z.number().int().min(1)).optional(),
    /** Seed of the initial weights, batches and augmentation. */
    seed: z.number().int().default(1).meta({ cli: { help: 'seed of the initial weights, batches and augmentation', value: 'n' } }),
  })
  .strict();
export type TrainConfig = z.infer<typeof TrainConfig>;

/** `janus pretrain`'s settings: training's, without held-out faces, quality probe, target loss or init. */
export const PretrainConfig = TrainConfig.omit({ probeAt: true, targetLoss: true, qualityMinutes: true, holdout: true, qualitySample: true, qualityDirection: true, stopAtQuality: true, init: true });
export type PretrainConfig = z.infer<typeof PretrainConfig>;
