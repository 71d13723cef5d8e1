/**
 * Benchmark generation settings (`janus benchmark`, issue 8): the one place their defaults
 * live. A manifest file may carry them under `settings:`; command-line options override it.
 *
 *   BenchmarkConfig.parse({})   // { seed: 1, pairs: 'all', directions: 'both', preset: 'tiny', … }
 */
import { z } from 'zod';
import { UserError } from '../util/errors.ts';
import { PRESETS } from './model.ts';
import { PERTURBATION_LEVEL_NUMBERS, PERTURBATION_TYPES } from './perturbation.ts';

export const SPLITS = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

/** `--splits 0.72,0.14,0.14` as the schema's `{ train, val, test }`. */
function splitsFromText(text: string): { train: number; val: number; test: number } {
  const parts = text.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)));
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x))) throw new UserError(`expected --splits to be three numbers train,val,test (e.g. 0.72,0.14,0.14), got "${text}"`);
  return { train: parts[0]!, val: parts[1]!, test: parts[2]! };
}

export const BenchmarkConfig = z
  .object({
    /** Seed of the split assignment, the pair sample and every pair's own seed. */
    seed: z.number().int().default(1).meta({ cli: { help: "seed of the splits, the pair sample and every pair's training", value: 'n' } }),
    /** Which ordered identity pairs (within each split): all of them, or this many sampled. */
    pairs: z.union([z.literal('all'), z.number().int().min(1)]).default('all').meta({ cli: { help: 'ordered identity pairs per split: all, or this many sampled with the seed', value: 'n|all' } }),
    /** Swap both ways (A's video with B's face and B's with A's), or only source -> target. */
    directions: z.enum(['both', 'one']).default('both').meta({ cli: { help: "both: A's videos with B's face and B's with A's; one: one direction per pair", value: 'which' } }),
    /** Model preset trained for each pair. */
    preset: z.enum(PRESETS).default('tiny').meta({ cli: { help: 'model preset trained per pair', value: 'name' } }),
    /** Training budget per pair: iterations, and optionally minutes. */
    iterations: z.number().int().min(1).default(2000).meta({ cli: { help: 'training iterations per pair', value: 'n' } }),
    minutes: z.number().positive().optional().meta({ cli: { help: 'at most this many minutes of training per pair', value: 'm' } }),
    /** Fractions of identities per split (identity-disjoint); they must sum to 1. */
    splits: z
      .object({ train: z.number().min(0).max(1), val: z.number().min(0).max(1), test: z.number().min(0).max(1) })
      .strict()
      .refine((s) => Math.abs(s.train + s.val + s.test - 1) < 1e-6, 'train + val + test must be 1')
      .default({ train: 0.72, val: 0.14, test: 0.14 }) // FaceForensics++'s 720/140/140 videos
      .meta({ cli: { help: 'fractions of identities per split (identity-disjoint), summing to 1', value: 'train,val,test', fromText: splitsFromText, toText: (v) => Object.values(v as object).join(',') } }),
    /** Extraction: aligned face size and detector. */
    size: z.number().int().min(64).max(512).default(256).meta({ cli: { help: 'aligned face size', value: 'px' } }),
    detector: z.enum(['ssd', 'tiny']).default('ssd').meta({ cli: { help: 'face detector', value: 'name' } }),
    /** Reuse trained models: a folder holding one model folder per pair, named source__target (sorted names), as a previous benchmark's work/models/. */
    weights: z.string().optional().meta({ cli: { help: "reuse trained models: DIR/<a>__<b> per pair (a previous benchmark's work/models)", value: 'dir' } }),
    /** A fake whose swapped faces sit closer to the source than to the target, or that swapped fewer than this share of frames, is dropped. */
    minSwappedShare: z.number().min(0).max(1).default(0.5).meta({ cli: { help: 'drop a fake that swapped fewer than this share of its frames (0-1)', value: 'x' } }),
    /** Drop fakes whose swapped faces do not read as the target (the three rules below; off: keep them, e.g. for hard negatives). */
    identityGate: z.boolean().default(true).meta({ cli: { help: 'keep fakes whose swapped faces do not read as the target (none of the identity rules apply)' } }),
    /**
     * Drop fakes whose swapped faces' median descriptor distance to the target identity (its mean
     * descriptor) is not below this. 0.6 is face-api's same-person threshold: a blur the model
     * makes before it has learnt either face sits nearer one identity than the other, but near neither.
     */
    maxTargetDistance: z.number().min(0).max(2).default(0.6).meta({ cli: { help: "drop a fake whose swapped faces' median descriptor distance to the target is not below d (0.6: face-api's same person)", value: 'd' } }),
    /**
     * Drop fakes where fewer than this share of the swapped faces are closer to the target than
     * to the source. 0.5 (at least half) is the rule by which metrics.json says `identityChanged`
     * and the report says the swap moved the faces towards the target: the gate keeps what the
     * report calls a swap, no more, no less.
     */
    minIdentityShare: z.number().min(0).max(1).default(0.5).meta({ cli: { help: 'drop a fake where fewer than this share of swapped faces are closer to the target than to the source (0-1)', value: 'x' } }),
    /** The dataset's folder layout: Janus's (real/, fake/, masks/ by compression level) or FaceForensics++'s exactly (original_sequences/, manipulated_sequences/Deepfakes/, NNN numbering). */
    layout: z.enum(['janus', 'ffpp']).default('janus').meta({ cli: { help: "folder layout: janus (real/, fake/, masks/) or ffpp (FaceForensics++'s original_sequences/ and manipulated_sequences/ with NNN names)", value: 'name' } }),
    /** Share of fakes that swap only some spans of their video (ForgeryNet's temporally partial fakes); the rest of their frames stay real. */
    partialShare: z.number().min(0).max(1).default(0).meta({ cli: { help: 'share of fakes that swap only one or more spans of the video (0-1)', value: 'x' } }),
    /** A partial fake's spans: 1 to this many, covering 20-60% of the video together. */
    partialSpans: z.number().int().min(1).max(4).default(2).meta({ cli: { help: 'at most this many swapped spans per partial fake', value: 'n' } }),
    /** Share of real videos that get a perturbed copy (DeeperForensics-1.0's real-world degradations); every fake made from such a video gets the same perturbations. */
    perturbShare: z.number().min(0).max(1).default(0).meta({ cli: { help: 'share of real videos perturbed, with the fakes made from them (0-1)', value: 'x' } }),
    /** The perturbation types drawn from (DeeperForensics' seven). */
    perturbTypes: z
      .array(z.enum(PERTURBATION_TYPES))
      .min(1)
      .default([...PERTURBATION_TYPES])
      .meta({ cli: { flag: 'perturb-type', help: `a perturbation type drawn from, one of ${PERTURBATION_TYPES.join('|')} (default: all)`, value: 'type', shownDefault: PERTURBATION_TYPES.join(',') } }),
    /** The levels drawn from (1 mildest .. 5 strongest). */
    perturbLevels: z
      .array(z.coerce.number().int().min(1).max(5))
      .min(1)
      .default([...PERTURBATION_LEVEL_NUMBERS])
      .meta({ cli: { flag: 'perturb-level', help: 'a perturbation level drawn from, 1 (mildest) to 5 (default: all)', value: 'n', shownDefault: PERTURBATION_LEVEL_NUMBERS.join(',') } }),
    /** Share of perturbed videos that get a mixture of 2-4 types (DeeperForensics' mixed perturbations) instead of one. */
    perturbMix: z.number().min(0).max(1).default(0.25).meta({ cli: { help: 'share of perturbed videos given a mixture of 2-4 types rather than one (0-1)', value: 'x' } }),
  })
  .strict();
export type BenchmarkConfig = z.infer<typeof BenchmarkConfig>;

/** Compression levels of the benchmark's videos (the FaceForensics++ ladder; src/media/compress.ts makes them). */
export const LEVELS = ['c0', 'c23', 'c40'] as const;

/** The baseline detector (`janus detect-baseline`, src/benchmark/detect-baseline.ts). */
export const DetectBaselineConfig = z
  .object({
    /** The level of the headline train/val/test scores; its detectors also score the perturbed copies (encoded as c23). */
    level: z.enum(LEVELS).default('c23').meta({ cli: { help: 'the level of the headline scores, whose detectors also score the perturbed copies (every level gets its own detectors)', value: 'c' } }),
    /** Faces sampled from each video (fakes: from swapped frames). */
    facesPerVideo: z.number().int().min(1).default(8).meta({ cli: { help: 'faces sampled from each video (fakes: from swapped frames)', value: 'n' } }),
    /** The model whose encoder gives the features; absent: a train-split pair's model. */
    model: z.string().optional().meta({ cli: { help: "model whose encoder gives the features (default: a train-split pair's model)", value: 'dir' } }),
    /** The second baseline: a small CNN on face crops, trained per compression level. */
    cnn: z.boolean().default(true).meta({ cli: { help: 'skip the second baseline (a small CNN on face crops)' } }),
    /** Passes of the CNN over the training crops. */
    cnnEpochs: z.number().int().min(1).default(8).meta({ cli: { help: "the CNN's passes over the training crops", value: 'n' } }),
    /** Seed of the CNN's weights, shuffle and flips. */
    seed: z.number().int().default(1).meta({ cli: { help: "seed of the CNN's weights, shuffle and flips", value: 'n' } }),
  })
  .strict();
export type DetectBaselineConfig = z.infer<typeof DetectBaselineConfig>;
