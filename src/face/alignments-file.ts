/**
 * The alignments file: one JSON per video (versioned schema, written atomically) with, per
 * frame, its index and time, and per face its box, score, 68 landmarks (as detected and as
 * smoothed), forward matrix (frame -> aligned crop), identity distance, sharpness, and whether
 * it was kept (or why it was dropped).
 *
 *   const doc = readAlignments('runs/x/alignments.json');   // validated
 *   summarise(doc)   // { frames: 125, framesWithoutFace: 0, multiFaceFrames: 40, kept: 125, dropped: { 'not the target identity': 40 } }
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ExtractConfig } from '../config/extract.ts';
import { UserError } from '../util/errors.ts';

export const ALIGNMENTS_SCHEMA = 'janus.alignments/1';

const Pt = z.tuple([z.number(), z.number()]);
const Matrix = z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]);

export const DROP_REASONS = ['not the target identity', 'score below minimum', 'face too small', 'too blurred'] as const;

export const AlignedFaceRecord = z
  .object({
    box: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }).strict(),
    score: z.number(),
    landmarks: z.array(Pt).length(68),
    /** Landmarks after temporal smoothing (kept faces only; what the matrix was fitted on). */
    smoothed: z.array(Pt).length(68).nullable(),
    /** Forward matrix frame -> aligned crop [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f. */
    matrix: Matrix.nullable(),
    identityDistance: z.number().nullable(),
    blur: z.number().nullable(),
    kept: z.boolean(),
    reason: z.enum(DROP_REASONS).nullable(),
    /** Aligned face and mask PNGs, relative to the alignments file (kept faces). */
    face: z.string().nullable(),
    mask: z.string().nullable(),
  })
  .strict();
export type AlignedFaceRecord = z.infer<typeof AlignedFaceRecord>;

export const AlignmentsDoc = z
  .object({
    schema: z.literal(ALIGNMENTS_SCHEMA),
    video: z.object({ file: z.string(), width: z.number().int(), height: z.number().int(), fps: z.object({ num: z.number(), den: z.number() }), frameCount: z.number().int() }).strict(),
    settings: ExtractConfig,
    target: z.object({ source: z.enum(['reference', 'most-frequent', 'none']), reference: z.string().nullable(), clusterSize: z.number().int().nullable(), clusters: z.number().int().nullable() }).strict(),
    jitter: z.object({ unit: z.literal('px in the aligned crop'), before: z.number().nullable(), after: z.number().nullable() }).strict(),
    warnings: z.array(z.string()),
    frames: z.array(z.object({ index: z.number().int(), time: z.number(), faces: z.array(AlignedFaceRecord) }).strict()),
  })
  .strict();
export type AlignmentsDoc = z.infer<typeof AlignmentsDoc>;

export function readAlignments(file: string): AlignmentsDoc {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read alignments file "${file}": ${(err as Error).message}`, 'pass the alignments.json that `janus extract` wrote');
  }
  const r = AlignmentsDoc.safeParse(raw);
  if (!r.success) {
    const iss = r.error.issues[0]!;
    throw new UserError(`"${file}" is not a valid ${ALIGNMENTS_SCHEMA} file: ${iss.path.join('.')}: ${iss.message}`, 're-run the extraction to write it again');
  }
  return r.data;
}

export interface AlignmentsSummary {
  frames: number;
  framesWithoutFace: number;
  multiFaceFrames: number;
  faces: number;
  kept: number;
  dropped: Record<string, number>;
  jitterBefore: number | null;
  jitterAfter: number | null;
}

export function summarise(doc: AlignmentsDoc): AlignmentsSummary {
  const dropped: Record<string, number> = {};
  let faces = 0;
  let kept = 0;
  for (const f of doc.frames) {
    for (const face of f.faces) {
      faces++;
      if (face.kept) kept++;
      else dropped[face.reason ?? 'unknown'] = (dropped[face.reason ?? 'unknown'] ?? 0) + 1;
    }
  }
  return {
    frames: doc.frames.length,
    framesWithoutFace: doc.frames.filter((f) => f.faces.length === 0).length,
    multiFaceFrames: doc.frames.filter((f) => f.faces.length > 1).length,
    faces,
    kept,
    dropped,
    jitterBefore: doc.jitter.before,
    jitterAfter: doc.jitter.after,
  };
}
