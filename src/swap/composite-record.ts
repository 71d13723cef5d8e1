/**
 * What the composite stage records: `composite.json` (frames swapped and passed through, which
 * ones, its settings), read back by the metrics stage, the benchmark's assembly and its baseline
 * detector; and one small stats file per segment (its first frame, frames, swapped frames), read
 * back when the segments are joined. Both validated against the schemas they were written with.
 *
 *   await writeCompositeRecord('runs/x/composite.json', { schema: COMPOSITE_SCHEMA, frames, swappedFrames, segments: 2, params });
 *   readCompositeRecord('runs/x/composite.json').swappedFrames   // [0, 1, 2, …]
 */
import { z } from 'zod';
import { CompositeConfig } from '../config/swap.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { readJsonFile } from '../util/read-json.ts';

export const COMPOSITE_SCHEMA = 'janus.composite/1';

const Frame = z.number().int().min(0);

export const CompositeRecord = z
  .object({
    schema: z.literal(COMPOSITE_SCHEMA),
    frames: z.object({ total: z.number().int().min(0), swapped: z.number().int().min(0), skipped: z.number().int().min(0) }).strict(),
    /** Indices of the frames that had a face swapped, ascending. */
    swappedFrames: z.array(Frame),
    /** Segments joined (those with frames). */
    segments: z.number().int().min(0),
    /** A partial composite (params.partial): the inclusive frame ranges [start, end] it swapped in; absent when every frame could be. */
    partialFrames: z.array(z.tuple([Frame, Frame])).optional(),
    params: CompositeConfig,
  })
  .strict();
export type CompositeRecord = z.infer<typeof CompositeRecord>;

/** One segment's stats (`segments/NNNNNN.json`). */
export const SegmentStats = z
  .object({
    first: Frame,
    frames: z.number().int().min(0),
    swapped: z.array(Frame),
  })
  .strict();
export type SegmentStats = z.infer<typeof SegmentStats>;

const HINT = 'run the composite stage again to write it (janus run PIPELINE --force composite)';

export async function writeCompositeRecord(file: string, record: CompositeRecord): Promise<void> {
  await writeJsonAtomic(file, CompositeRecord.parse(record));
}

export function readCompositeRecord(file: string): CompositeRecord {
  return readJsonFile(file, CompositeRecord, { what: `${COMPOSITE_SCHEMA} file`, hint: HINT });
}

export async function writeSegmentStats(file: string, stats: SegmentStats): Promise<void> {
  await writeJsonAtomic(file, SegmentStats.parse(stats));
}

export function readSegmentStats(file: string): SegmentStats {
  return readJsonFile(file, SegmentStats, { what: 'composite segment stats file', hint: `delete it so that its segment is made again, or ${HINT}` });
}
