/**
 * The loss log of a training run: one JSON line per iteration (loss of A and B, time, learning
 * rate, whether the inputs were warped) in the model folder's loss.jsonl, rewritten atomically
 * with every checkpoint and read back when a run resumes (up to the checkpoint's iteration).
 *
 *   await writeLossLog('weights/demo', losses);
 *   readLossLog('weights/demo', 900)        // entries up to iteration 900
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';

export interface LossEntry {
  iteration: number;
  lossA: number;
  lossB: number;
  seconds: number;
  /** Learning rate of the step. */
  lr?: number;
  /** Whether the step's inputs were randomly warped. */
  warp?: boolean;
}

export const lossLogPath = (out: string) => join(out, 'loss.jsonl');

/** The entries of `out`'s loss.jsonl up to iteration `upTo` ([] when there is none). */
export function readLossLog(out: string, upTo: number): LossEntry[] {
  const p = lossLogPath(out);
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LossEntry)
    .filter((e) => e.iteration <= upTo);
}

export async function writeLossLog(out: string, losses: readonly LossEntry[]): Promise<void> {
  await writeFileAtomic(lossLogPath(out), losses.map((e) => JSON.stringify(e)).join('\n') + (losses.length ? '\n' : ''));
}
