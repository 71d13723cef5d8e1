/**
 * `metrics.json`, what the swap-metrics stage writes: one schema, validated where it is read
 * (the benchmark's quality gate, the report), as `alignments.json` is. Version 2 added `flicker`;
 * `maskSsim` came later within version 2, optional, so that files written before it still read.
 *
 *   await writeMetrics('runs/x/metrics.json', metrics);   // validated before it is written
 *   readMetrics('runs/x/metrics.json').identity.swapped?.toTarget?.median
 */
import { z } from 'zod';
import { DIRECTIONS } from '../config/swap.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { readJsonFile } from '../util/read-json.ts';

export const METRICS_SCHEMA = 'janus.metrics/2';

const Distances = z.object({ faces: z.number().int(), mean: z.number(), median: z.number(), min: z.number(), max: z.number() }).strict();
const Identity = z
  .object({
    toSource: Distances.nullable(),
    toTarget: Distances.nullable(),
    /** Share of faces closer to the target identity than to the source. */
    closerToTarget: z.number().min(0).max(1).nullable(),
  })
  .strict();
const Reconstruction = z.object({ faces: z.number().int(), psnr: z.number(), ssim: z.number() }).strict().nullable();
const Who = z.enum(['a', 'b']);

export const SwapMetrics = z
  .object({
    schema: z.literal(METRICS_SCHEMA),
    direction: z.enum(DIRECTIONS),
    identities: z.object({ source: Who, target: Who }).strict(),
    model: z.object({ iteration: z.number().int(), fingerprint: z.string(), preset: z.string() }).strict(),
    identity: z
      .object({
        what: z.string(),
        /** face-api's same-person distance. */
        threshold: z.number(),
        swapped: Identity.nullable(),
        originals: Identity.nullable(),
        /** At least half the swapped faces are closer to the target than to the source. */
        identityChanged: z.boolean().nullable(),
      })
      .strict(),
    reconstruction: z.object({ what: z.string(), a: Reconstruction.optional(), b: Reconstruction.optional() }).strict(),
    frames: z.object({ total: z.number().int(), swapped: z.number().int(), skipped: z.number().int() }).strict(),
    sample: z.object({ source: z.number().int(), target: z.number().int() }).strict(),
    /**
     * Temporal stability of the output (src/swap/flicker.ts): its frame-to-frame change inside
     * the replaced-pixel mask against the source's (ratio 1 = as stable as the source); null when
     * the stage was not given the source, output and mask videos.
     */
    flicker: z
      .object({ what: z.string(), output: z.number().min(0), source: z.number().min(0), ratio: z.number().min(0).nullable(), pairs: z.number().int().min(1) })
      .strict()
      .nullable(),
    /**
     * Celeb-DF's Mask-SSIM (src/swap/mask-ssim.ts): the output's SSIM against the source inside
     * the replaced-pixel mask, the mean over the frames measured (1 = unchanged; SSIM's range is
     * -1..1, 0..1 in practice); null when the stage was not given the three videos or no frame
     * had a replaced region; absent in files written before it.
     */
    maskSsim: z
      .object({ what: z.string(), mean: z.number().min(-1).max(1), frames: z.number().int().min(1) })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();
export type SwapMetrics = z.infer<typeof SwapMetrics>;

export async function writeMetrics(file: string, metrics: SwapMetrics): Promise<void> {
  await writeJsonAtomic(file, SwapMetrics.parse(metrics));
}

export function readMetrics(file: string): SwapMetrics {
  return readJsonFile(file, SwapMetrics, { what: `${METRICS_SCHEMA} file`, hint: 'run the swap-metrics stage again to write it (janus run PIPELINE --force metrics)' });
}
