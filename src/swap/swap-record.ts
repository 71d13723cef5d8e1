/**
 * `swap.json`, written beside the swapped faces: how they were made (direction, the swap's
 * settings, the alignments, the exact checkpoint and its fingerprint). Compositing, metrics and
 * provenance read it back from here, validated against the schema it was written with.
 *
 *   await writeSwapRecord('runs/x/swapped', record);
 *   readSwapRecord('runs/x/swapped').model.checkpoint
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Architecture } from '../config/model.ts';
import { DIRECTIONS, SwapConfig } from '../config/swap.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { readJsonFile } from '../util/read-json.ts';

const SWAP_SCHEMA = 'janus.swap/1';

export const SwapRecord = z
  .object({
    schema: z.literal(SWAP_SCHEMA),
    direction: z.enum(DIRECTIONS),
    params: SwapConfig,
    /** The alignments file of the faces that were swapped. */
    alignments: z.string(),
    faces: z.number().int().min(0),
    /** The model folder, the exact checkpoint folder used, its iteration, architecture and fingerprint (weights and training state, not the clock: modelFingerprint in model/checkpoint.ts). */
    model: z.object({ folder: z.string(), checkpoint: z.string(), iteration: z.number().int().min(0), arch: Architecture, fingerprint: z.string() }).strict(),
    /** The subfolder of the target decoder's learned masks, one PNG per face (models with learnMask), else null/absent. */
    learnedMasks: z.string().nullable().optional(),
  })
  .strict();
export type SwapRecord = z.infer<typeof SwapRecord>;

/** Where the swap stage writes the learned masks, inside its faces folder. */
export const LEARNED_MASKS = 'learned-masks';

const file = (dir: string) => join(dir, 'swap.json');

export async function writeSwapRecord(dir: string, record: SwapRecord): Promise<void> {
  await writeJsonAtomic(file(dir), SwapRecord.parse(record));
}

export function readSwapRecord(dir: string): SwapRecord {
  if (!existsSync(file(dir))) throw new Error(`${file(dir)} is missing: the swap stage did not finish`);
  return readJsonFile(file(dir), SwapRecord, { what: `${SWAP_SCHEMA} file`, hint: 'run the swap stage again to write it (janus run PIPELINE --force swap)' });
}
