/**
 * A benchmark dataset's metadata.json, in DFDC's form (`{ "<file>": { label, original, split, … } }`):
 * the schema, the writer (the assembly) and the reader (the baseline detector) in one place.
 *
 *   await writeMetadata('out/bench', metadata);
 *   readMetadata('out/bench')['anna-01__ben.mp4'].files.c23   // 'fake/c23/anna-01__ben.mp4'
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LEVELS, SPLITS } from '../config/benchmark.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { UserError } from '../util/errors.ts';
import { readJsonFile } from '../util/read-json.ts';
import { datasetFiles } from './layout.ts';

export const MetadataEntry = z
  .object({
    label: z.enum(['REAL', 'FAKE']),
    /** For a fake: the real video it was made from (a key of the same file). */
    original: z.string().nullable(),
    split: z.enum(SPLITS),
    source: z.string(),
    target: z.string().nullable(),
    method: z.string().nullable(),
    model: z.string().nullable(),
    frames: z.number().int(),
    framesSwapped: z.number().int(),
    /** The video at each compression level. */
    files: z.record(z.enum(LEVELS), z.string()),
    mask: z.string().nullable(),
    provenance: z.string().nullable(),
    /** A fake: the training seed of its pair's model (with `model`, its fingerprint: what recomputes it). Absent in datasets of Janus before verify. */
    seed: z.number().int().nullable().optional(),
    /** A fake: the stages of the benchmark folder that made it, for `janus verify DIR --stage …` (absent in older datasets). */
    stages: z.array(z.string()).optional(),
    /**
     * A fake's quality (its metrics.json; absent in older datasets): the share of swapped faces
     * closer to the target than to the source, the margin (median distance to the source minus
     * to the target: > 0 reads as the target), the median distance to the target, and the
     * flicker ratio inside the mask against the source's (1 = as stable; null when unmeasured).
     */
    quality: z
      .object({
        identityShare: z.number().min(0).max(1).nullable(),
        identityMargin: z.number().nullable(),
        targetDistance: z.number().min(0).nullable(),
        flicker: z.number().min(0).nullable(),
        /** Celeb-DF's Mask-SSIM: SSIM of the fake and its original over the replaced region (null when unmeasured; absent in older datasets). */
        maskSsim: z.number().min(-1).max(1).nullable().optional(),
        /** Frames swapped over the frames that could be (a partial fake: those inside its spans). */
        swappedShare: z.number().min(0).max(1).nullable().optional(),
      })
      .strict()
      .optional(),
    /** A temporally partial fake (ForgeryNet's kind): the spans it swapped, inclusive frame ranges [start, end] and the same in seconds [start, end); null: a whole-video fake or a real video. Absent in older datasets. */
    partial: z
      .object({ frames: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])), seconds: z.array(z.tuple([z.number().min(0), z.number().min(0)])) })
      .strict()
      .nullable()
      .optional(),
    /** Its perturbed copy (DeeperForensics-1.0): the file and the perturbations applied, as `TYPE:LEVEL` (shared with its original or its fakes); null: none. */
    perturbed: z
      .object({ file: z.string(), perturbations: z.array(z.string().regex(/^[A-Z]+:[1-5]$/)) })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();
export type MetadataEntry = z.infer<typeof MetadataEntry>;
export const BenchmarkMetadata = z.record(z.string(), MetadataEntry);
export type BenchmarkMetadata = z.infer<typeof BenchmarkMetadata>;

export const metadataPath = (out: string) => join(out, datasetFiles.metadata);

export async function writeMetadata(out: string, metadata: BenchmarkMetadata): Promise<void> {
  await writeJsonAtomic(metadataPath(out), BenchmarkMetadata.parse(metadata));
}

/** A dataset's metadata.json, validated; a folder without one is not a benchmark dataset. */
export function readMetadata(out: string): BenchmarkMetadata {
  const file = metadataPath(out);
  if (!existsSync(file)) throw new UserError(`${out} has no metadata.json`, 'run janus benchmark MANIFEST --out DIR first');
  return readJsonFile(file, BenchmarkMetadata, { what: "Janus benchmark's metadata.json", hint: 'run janus benchmark MANIFEST --out DIR again to write it' });
}
