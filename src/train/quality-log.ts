/**
 * Quality measured while training: what a probe reports every few minutes (identity share of the
 * swap, median distance to the target, Mask-SSIM, reconstruction SSIM), kept in the model
 * folder's quality.jsonl beside loss.jsonl, validated when read back.
 *
 *   await writeQualityLog('weights/demo', entries);      // rewrites quality.jsonl atomically
 *   readQualityLog('weights/demo', 900)                  // entries up to iteration 900
 */
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonLinesAtomic } from '../util/atomic-write.ts';
import type { Autoencoder } from '../model/autoencoder.ts';
import { readJsonLines } from '../util/read-json.ts';

export const QualityEntry = z
  .object({
    iteration: z.number().int().min(0),
    /** Minutes of training when measured. */
    minutes: z.number().min(0),
    /** Share of held-out source faces whose swap is closer to the target identity than to the source. */
    identityShare: z.number().min(0).max(1),
    /** Median descriptor distance of the swapped faces to the target identity (face-api; < 0.6 reads as the person). */
    medianToTarget: z.number(),
    /** Median distance of the swapped faces to the source identity. */
    medianToSource: z.number(),
    /** Celeb-DF's Mask-SSIM: SSIM of the swapped face and the source face inside the face mask. */
    maskSsim: z.number(),
    /** SSIM of held-out faces through their own decoder (both identities, mean). */
    reconstructionSsim: z.number(),
    /** Held-out faces the numbers are over (source, target). */
    faces: z.object({ source: z.number().int(), target: z.number().int() }).strict(),
  })
  .strict();
export type QualityEntry = z.infer<typeof QualityEntry>;

/** Measures a model mid-training; must not train anything (or change the random stream). */
export type QualityProbe = (ae: Autoencoder, at: { iteration: number; minutes: number }) => Promise<QualityEntry>;

export const qualityLogPath = (out: string) => join(out, 'quality.jsonl');

/** The probes logged up to iteration `upTo` (none when the folder has no log yet). */
export function readQualityLog(out: string, upTo = Infinity): QualityEntry[] {
  return readJsonLines(qualityLogPath(out), QualityEntry, { what: 'quality log entry', hint: 'delete quality.jsonl (it is rebuilt by the next probe) or restore it' }, { optional: true }).filter((e) => e.iteration <= upTo);
}

/** Rewrite quality.jsonl atomically with every probe logged so far. */
export async function writeQualityLog(out: string, entries: readonly QualityEntry[]): Promise<void> {
  await writeJsonLinesAtomic(qualityLogPath(out), entries);
}
