/**
 * Benchmark generation settings (`janus benchmark`, issue 8): the one place their defaults
 * live. A manifest file may carry them under `settings:`; command-line options override it.
 *
 *   BenchmarkConfig.parse({})   // { seed: 1, pairs: 'all', directions: 'both', preset: 'tiny', … }
 */
import { z } from 'zod';
import { PRESETS } from './model.ts';

export const SPLITS = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

export const BenchmarkConfig = z
  .object({
    /** Seed of the split assignment, the pair sample and every pair's own seed. */
    seed: z.number().int().default(1),
    /** Which ordered identity pairs (within each split): all of them, or this many sampled. */
    pairs: z.union([z.literal('all'), z.number().int().min(1)]).default('all'),
    /** Swap both ways (A's video with B's face and B's with A's), or only source -> target. */
    directions: z.enum(['both', 'one']).default('both'),
    /** Model preset trained for each pair. */
    preset: z.enum(PRESETS).default('tiny'),
    /** Training budget per pair: iterations, and optionally minutes. */
    iterations: z.number().int().min(1).default(2000),
    minutes: z.number().positive().optional(),
    /** Fractions of identities per split (identity-disjoint); they must sum to 1. */
    splits: z
      .object({ train: z.number().min(0).max(1), val: z.number().min(0).max(1), test: z.number().min(0).max(1) })
      .strict()
      .refine((s) => Math.abs(s.train + s.val + s.test - 1) < 1e-6, 'train + val + test must be 1')
      .default({ train: 0.7, val: 0.15, test: 0.15 }),
    /** Extraction: aligned face size and detector. */
    size: z.number().int().min(64).max(512).default(256),
    detector: z.enum(['ssd', 'tiny']).default('ssd'),
    /** Reuse trained models: a folder holding one model folder per pair, named source__target (sorted names), as a previous benchmark's work/models/. */
    weights: z.string().optional(),
    /** A fake whose swapped faces sit closer to the source than to the target, or that swapped fewer than this share of frames, is dropped. */
    minSwappedShare: z.number().min(0).max(1).default(0.5),
    /** Drop fakes whose swapped faces do not read as the target (the three rules below; off: keep them, e.g. for hard negatives). */
    identityGate: z.boolean().default(true),
    /**
     * Drop fakes whose swapped faces' median descriptor distance to the target identity (its mean
     * descriptor) is not below this. 0.6 is face-api's same-person threshold: a blur the model
     * makes before it has learnt either face sits nearer one identity than the other, but near neither.
     */
    maxTargetDistance: z.number().min(0).max(2).default(0.6),
    /**
     * Drop fakes where fewer than this share of the swapped faces are closer to the target than
     * to the source. 0.5 (at least half) is the rule by which metrics.json says `identityChanged`
     * and the report says the swap moved the faces towards the target: the gate keeps what the
     * report calls a swap, no more, no less.
     */
    minIdentityShare: z.number().min(0).max(1).default(0.5),
  })
  .strict();
export type BenchmarkConfig = z.infer<typeof BenchmarkConfig>;
