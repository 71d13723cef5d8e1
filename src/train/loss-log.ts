/**
 * The loss log: one JSON line per training step in the model folder's `loss.jsonl` (iteration,
 * both losses, seconds, learning rate, warp), rewritten atomically at each checkpoint and
 * validated line by line when read back (resuming a run, the report).
 *
 *   await writeLossLog('weights/demo', losses);
 *   readLossLog('weights/demo', 900)        // entries up to iteration 900
 *   readLossLog('weights/demo').at(-1)      // the last step logged
 */
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonLinesAtomic } from '../util/atomic-write.ts';
import { readJsonLines } from '../util/read-json.ts';

export const LossEntry = z
  .object({
    iteration: z.number().int().min(0),
    lossA: z.number(),
    lossB: z.number(),
    /** Seconds of training (over all runs) at this step. */
    seconds: z.number().min(0),
    /** Learning rate of the step. */
    lr: z.number().optional(),
    /** Whether the step's inputs were randomly warped. */
    warp: z.boolean().optional(),
    /** What happened before this step, e.g. a NaN loss undone (the run went back to a checkpoint and halved the learning rate). */
    note: z.string().optional(),
  })
  .strict();
export type LossEntry = z.infer<typeof LossEntry>;

export const lossLogPath = (out: string) => join(out, 'loss.jsonl');

/** The logged steps up to iteration `upTo` (none when the folder has no log yet). */
export function readLossLog(out: string, upTo = Infinity): LossEntry[] {
  const p = lossLogPath(out);
  return readJsonLines(p, LossEntry, { what: 'loss log entry', hint: `delete ${p} (the loss curve starts again) or restore it` }, { optional: true }).filter((e) => e.iteration <= upTo);
}

/** Rewrite loss.jsonl atomically with every step logged so far. */
export async function writeLossLog(out: string, losses: readonly LossEntry[]): Promise<void> {
  await writeJsonLinesAtomic(lossLogPath(out), losses);
}
