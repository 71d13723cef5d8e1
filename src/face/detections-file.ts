/**
 * The extraction's per-frame detection files (`detections/NNNNNN.json`, one per frame: the
 * faces found or followed, with box, score, 68 landmarks and descriptor), written by pass 1 and
 * read back, validated, by pass 2 (src/face/extract.ts).
 *
 *   await writeFrameDetections('runs/x/a/detections/000012.json', det);
 *   readFrameDetections('runs/x/a/detections/000012.json').faces.length
 */
import { z } from 'zod';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { readJsonFile } from '../util/read-json.ts';
import type { DetectedFace } from './face-api.ts';

/** A point and a box as files record them (also alignments.json's). */
export const Pt = z.tuple([z.number(), z.number()]);
export const BoxRecord = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }).strict();

const DetectedFaceRecord = z
  .object({
    box: BoxRecord,
    score: z.number(),
    landmarks: z.array(Pt),
    descriptor: z.array(z.number()).nullable(),
    /** True when the face was followed from the previous frame by its landmarks, not detected. */
    tracked: z.boolean().optional(),
    /** A followed face's detection box relative to its landmarks' bounds (what tracking keeps the box by). */
    boxFromLandmarks: z.array(z.number()).length(4).optional(),
  })
  .strict();

export const FrameDetections = z
  .object({
    index: z.number().int().min(0),
    time: z.number().min(0),
    faces: z.array(DetectedFaceRecord),
  })
  .strict();
export type FrameDetections = z.infer<typeof FrameDetections>;

// face-api's faces must fit the record, and the record must be usable as face-api's faces (a compile error names the field)
const fits: { record: z.input<typeof DetectedFaceRecord>; face: DetectedFace } = {} as { record: DetectedFace; face: z.output<typeof DetectedFaceRecord> };
void fits;

export async function writeFrameDetections(file: string, det: FrameDetections): Promise<void> {
  await writeJsonAtomic(file, FrameDetections.parse(det));
}

export function readFrameDetections(file: string): FrameDetections {
  return readJsonFile(file, FrameDetections, { what: 'detections file', hint: 'delete it so that its frame is detected again, or re-run the extraction (janus run PIPELINE --force STAGE)' });
}
