/**
 * `swap.json`, written beside the swapped faces: how they were made (direction, the swap's
 * settings, the alignments, the exact checkpoint and its fingerprint). Compositing, metrics and
 * provenance read it back from here.
 *
 *   await writeSwapRecord('runs/x/swapped', record);
 *   readSwapRecord('runs/x/swapped').model.checkpoint
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Direction, SwapConfig } from '../config/swap.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';

export interface SwapRecord {
  schema: 'janus.swap/1';
  direction: Direction;
  params: SwapConfig;
  alignments: string;
  faces: number;
  model: { folder: string; checkpoint: string; iteration: number; arch: unknown; fingerprint: string };
  /** The subfolder of the target decoder's learned masks, one PNG per face (models with learnMask), else null/absent. */
  learnedMasks?: string | null;
}

/** Where the swap stage writes the learned masks, inside its faces folder. */
export const LEARNED_MASKS = 'learned-masks';

const file = (dir: string) => join(dir, 'swap.json');

export async function writeSwapRecord(dir: string, record: SwapRecord): Promise<void> {
  await writeJsonAtomic(file(dir), record);
}

export function readSwapRecord(dir: string): SwapRecord {
  if (!existsSync(file(dir))) throw new Error(`${file(dir)} is missing: the swap stage did not finish`);
  return JSON.parse(readFileSync(file(dir), 'utf8')) as SwapRecord;
}
