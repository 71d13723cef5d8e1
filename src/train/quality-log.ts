/**
 * Quality measured while training: what a probe reports every few minutes (identity share of the
 * swap, median distance to the target, Mask-SSIM, reconstruction SSIM), kept in the model
 * folder's quality.jsonl beside loss.jsonl, validated when read back.
 *
 *   await appendQuality('weights/demo', entries);        // rewrites quality.jsonl atomically
 *   readQualityLog('weights/demo', 900)                  // entries up to iteration 900
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write.ts';
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

export function readQualityLog(out: string, upTo = Infinity): QualityEntry[] {
  const p = qualityLogPath(out);
  if (!existsSync(p)) return [];
  return readJsonLines(p, QualityEntry, { what: 'quality log entry', hint: 'delete quality.jsonl (it is rebuilt by the next probe) or restore it' }).filter((e) => e.iteration <= upTo);
}

export async function appendQuality(out: string, entries: readonly QualityEntry[]): Promise<void> {
  await writeFileAtomic(qualityLogPath(out), entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
}
