/**
 * The alignments file: one JSON per video (versioned schema, written atomically) with, per
 * frame, its index and time, and per face its box, score, 68 landmarks (as detected and as
 * smoothed), forward matrix (frame -> aligned crop), identity distance, sharpness, and whether
 * it was kept (or why it was dropped), and the identity clusters of face tracks (schema 2; a
 * schema-1 file still reads, as a schema-2 document without tracks and clusters). Written with
 * a frame a line; read whatever its layout, a file too large for one string included.
 *
 *   const doc = readAlignments('runs/x/alignments.json');   // validated
 *   await writeAlignments('runs/x/alignments.json', doc);   // atomic, streamed a batch of frames at a time
 *   summarise(doc)   // { frames: 125, framesWithoutFace: 0, multiFaceFrames: 40, kept: 125, dropped: { 'not the target identity': 40 } }
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { withAtomicPath } from '../util/atomic-write.ts';
import { ExtractConfig } from '../config/extract.ts';
import { JsonPositionError, jsonArrayElements, jsonObjectMembers, parseJsonBuffer, parseJsonRange } from '../util/json-buffer.ts';
import { validateJson, validateJsonAt, withJsonFile } from '../util/read-json.ts';
import { BoxRecord, Pt } from './detections-file.ts';

export const ALIGNMENTS_SCHEMA = 'janus.alignments/2';
/** The schemas `readAlignments` reads: the first has no tracks and clusters. */
const ALIGNMENTS_SCHEMAS = ['janus.alignments/1', ALIGNMENTS_SCHEMA] as const;

const Matrix = z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]);

const DROP_REASONS = ['not the target identity', 'score below minimum', 'face too small', 'too blurred', 'identity uncertain'] as const;

const FaceRecordV1 = z
  .object({
    box: BoxRecord,
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

export const AlignedFaceRecord = FaceRecordV1.extend({
  /** The face track it belongs to (faces of consecutive frames that follow each other), or null. */
  track: z.number().int().nullable(),
  /** Rank of its track's identity cluster (1 = the largest), or null. */
  cluster: z.number().int().nullable(),
}).strict();
export type AlignedFaceRecord = z.infer<typeof AlignedFaceRecord>;

/** How the tracks were clustered into identities (`src/face/identity.ts`). */
export const ClusteringRecord = z
  .object({
    /** Average-linkage distance under which clusters merged. */
    threshold: z.number(),
    /** otsu: adapted to the video's distances; fixed: configured; default: too few tracks to adapt. */
    source: z.enum(['otsu', 'fixed', 'default']),
    /** Otsu's value before clamping to `range`. */
    otsu: z.number().nullable(),
    range: z.tuple([z.number(), z.number()]),
    /** Distances it was computed from: face to its track's mean, and between track means. */
    within: z.number().int(),
    between: z.number().int(),
    tracks: z.number().int(),
    /** By rank: 1 = the most faces. */
    clusters: z.array(z.object({ rank: z.number().int(), faces: z.number().int(), tracks: z.number().int(), frames: z.number().int() }).strict()),
  })
  .strict();
export type ClusteringRecord = z.infer<typeof ClusteringRecord>;

/** One line: how many identities, and the merge threshold with where it came from. */
export function describeClustering(c: ClusteringRecord): string {
  const how = c.source === 'otsu' ? `adaptive: Otsu ${c.otsu!.toFixed(3)} clamped to [${c.range[0]}, ${c.range[1]}]` : c.source === 'fixed' ? 'fixed' : 'too few tracks to adapt';
  return `identity clusters: ${c.clusters.length} from ${c.tracks} face track${c.tracks === 1 ? '' : 's'}, merge threshold ${c.threshold.toFixed(3)} (${how})`;
}


const Video = z.object({ file: z.string(), width: z.number().int(), height: z.number().int(), fps: z.object({ num: z.number(), den: z.number() }), frameCount: z.number().int() }).strict();
const Jitter = z.object({ unit: z.literal('px in the aligned crop'), before: z.number().nullable(), after: z.number().nullable() }).strict();

const AlignmentsDocV1 = z
  .object({
    schema: z.literal(ALIGNMENTS_SCHEMAS[0]),
    video: Video,
    settings: ExtractConfig,
    target: z.object({ source: z.enum(['reference', 'most-frequent', 'none']), reference: z.string().nullable(), clusterSize: z.number().int().nullable(), clusters: z.number().int().nullable() }).strict(),
    jitter: Jitter,
    warnings: z.array(z.string()),
    frames: z.array(z.object({ index: z.number().int(), time: z.number(), faces: z.array(FaceRecordV1) }).strict()),
  })
  .strict();

export const AlignmentsDoc = z
  .object({
    schema: z.literal(ALIGNMENTS_SCHEMA),
    video: Video,
    settings: ExtractConfig,
    /**
     * Who was kept: the reference photo's person, or identity cluster `cluster` (its faces in
     * `clusterSize`, of `clusters` clusters); `most-frequent` only in files read from schema 1.
     */
    target: z
      .object({
        source: z.enum(['reference', 'cluster', 'most-frequent', 'none']),
        reference: z.string().nullable(),
        cluster: z.number().int().nullable(),
        clusterSize: z.number().int().nullable(),
        clusters: z.number().int().nullable(),
      })
      .strict(),
    /** Null in files read from schema 1. */
    clustering: ClusteringRecord.nullable(),
    jitter: Jitter,
    warnings: z.array(z.string()),
    frames: z.array(z.object({ index: z.number().int(), time: z.number(), faces: z.array(AlignedFaceRecord) }).strict()),
  })
  .strict();
export type AlignmentsDoc = z.infer<typeof AlignmentsDoc>;

const FrameV1 = AlignmentsDocV1.shape.frames.element;
const Frame = AlignmentsDoc.shape.frames.element;
export type AlignedFrame = z.infer<typeof Frame>;
/** An alignments document without its frames (readAlignmentsEach hands those over one at a time). */
export type AlignmentsHeader = Omit<AlignmentsDoc, 'frames'>;

/** A schema-1 frame as schema 2: its faces without tracks and clusters. */
function upgradeFrameV1(f: z.infer<typeof FrameV1>): AlignedFrame {
  return { ...f, faces: f.faces.map((x) => ({ ...x, track: null, cluster: null })) };
}

/**
 * Read and validate an alignments file a frame at a time: the header is returned, each frame
 * goes to `onFrame` in file order, validated (schema 1 upgraded), and is not kept: a reader that
 * keeps a little of each frame (the composite stage: the kept faces' matrices) holds that and a
 * chunk of the file (read a chunk at a time: one scan finds the top level's members, a second
 * walks the frames), never the file's bytes or the whole document as objects. Any layout of the
 * JSON reads (keys in any order); problems name the field (`frames.41.faces.0.box.x: …`) or the line and column.
 */
export function readAlignmentsEach(file: string, onFrame: (frame: AlignedFrame, index: number) => void): AlignmentsHeader {
  const hint = 'pass the alignments.json that `janus extract` wrote, or re-run the extraction to write it again';
  const kind = { what: 'alignments file', hint };
  return withJsonFile(file, kind, (buf) => {
    let members: ReturnType<typeof jsonObjectMembers>;
    try {
      members = jsonObjectMembers(buf);
    } catch (err) {
      // not an object at all: what the whole file is, as the other readers say it
      if (err instanceof JsonPositionError && /Expected an object/.test(err.message)) validateJson(parseJsonBuffer(buf), AlignmentsDoc, `"${file}"`, { ...kind, what: `alignments file (schema ${ALIGNMENTS_SCHEMAS.join('|')})` });
      throw err;
    }
    const head: Record<string, unknown> = {};
    let frames: { start: number; end: number } | null = null;
    for (const m of members) {
      if (m.key === 'frames') {
        // a repeated key: the last one counts, as JSON.parse has it, but every one must be JSON
        if (frames) parseJsonRange(buf, frames.start, frames.end);
        frames = m;
      } else Object.defineProperty(head, m.key, { value: parseJsonRange(buf, m.start, m.end), enumerable: true, writable: true, configurable: true });
    }
    const schema = head.schema;
    const v1 = schema === ALIGNMENTS_SCHEMAS[0];
    const what = v1 || schema === ALIGNMENTS_SCHEMA ? `${schema} file` : `alignments file (schema ${ALIGNMENTS_SCHEMAS.join('|')})`;
    const k = { what, hint };
    // the header checked with the frames still to come (an array there, else the file's own value)
    const frameless = frames ? { ...head, frames: buf.at(frames.start) === 0x5b ? [] : parseJsonRange(buf, frames.start, frames.end) } : head;
    const header = v1 ? validateJson(frameless, AlignmentsDocV1, `"${file}"`, k) : validateJson(frameless, AlignmentsDoc, `"${file}"`, k);
    let i = 0;
    for (const e of jsonArrayElements(buf, frames!.start, frames!.end)) {
      const raw = parseJsonRange(buf, e.start, e.end);
      onFrame(v1 ? upgradeFrameV1(validateJsonAt(raw, FrameV1, `"${file}"`, k, ['frames', i])) : validateJsonAt(raw, Frame, `"${file}"`, k, ['frames', i]), i);
      i++;
    }
    const { frames: _, ...rest } = header;
    return v1 ? { ...(rest as Omit<z.infer<typeof AlignmentsDocV1>, 'frames'>), schema: ALIGNMENTS_SCHEMA, target: { ...header.target, cluster: null }, clustering: null } : (rest as AlignmentsHeader);
  });
}

export function readAlignments(file: string): AlignmentsDoc {
  const frames: AlignedFrame[] = [];
  const header = readAlignmentsEach(file, (f) => frames.push(f));
  return { ...header, frames };
}

/**
 * Write an alignments document atomically: its header indented as JSON files are, its frames
 * one compact line each (half the bytes of indented JSON: 68 landmarks twice a face), written a
 * batch at a time, so no string of the whole file is built (a string tops out near 2^29
 * characters: the alignments of half an hour of video). readAlignments reads either form.
 */
export async function writeAlignments(file: string, doc: AlignmentsDoc): Promise<void> {
  const { frames, ...head } = doc;
  await writeAlignmentsFrames(file, head, frames);
}

/**
 * writeAlignments with the frames from an iterable, taken one at a time as it makes them
 * (extraction's second pass yields each frame as it reaches it: the document is never held
 * whole). The file appears only when the last frame is in; an error from the frames leaves
 * nothing behind.
 */
export async function writeAlignmentsFrames(file: string, head: AlignmentsHeader, frames: Iterable<AlignedFrame> | AsyncIterable<AlignedFrame>): Promise<void> {
  const header = JSON.stringify({ ...head, frames: [] }, null, 2);
  const tail = '"frames": []\n}';
  if (!header.endsWith(tail)) throw new Error(`writeAlignmentsFrames: expected the header to end with the frames, got …${header.slice(-40)}`);
  await mkdir(dirname(file), { recursive: true });
  await withAtomicPath(file, async (tmp) => {
    const fh = await open(tmp, 'w');
    try {
      let batch = `${header.slice(0, -tail.length)}"frames": [`;
      let count = 0;
      for await (const frame of frames) {
        batch += `${count++ ? ',' : ''}\n    ${JSON.stringify(frame)}`;
        if (batch.length > 1 << 20) {
          await fh.writeFile(batch);
          batch = '';
        }
      }
      await fh.writeFile(`${batch}${count ? '\n  ' : ''}]\n}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
  });
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
  const t = tally();
  for (const f of doc.frames) t.add(f);
  return t.summary(doc);
}

/** summarise an alignments file read a frame at a time (a long video's document is never held as objects), with its header. */
export function summariseFile(file: string): { header: AlignmentsHeader; summary: AlignmentsSummary } {
  const t = tally();
  const header = readAlignmentsEach(file, t.add);
  return { header, summary: t.summary(header) };
}

/** The counts of summarise, a frame at a time. */
function tally(): { add: (f: AlignedFrame) => void; summary: (h: Pick<AlignmentsHeader, 'jitter'>) => AlignmentsSummary } {
  const dropped: Record<string, number> = {};
  let frames = 0;
  let framesWithoutFace = 0;
  let multiFaceFrames = 0;
  let faces = 0;
  let kept = 0;
  return {
    add(f) {
      frames++;
      if (f.faces.length === 0) framesWithoutFace++;
      if (f.faces.length > 1) multiFaceFrames++;
      for (const face of f.faces) {
        faces++;
        if (face.kept) kept++;
        else dropped[face.reason ?? 'unknown'] = (dropped[face.reason ?? 'unknown'] ?? 0) + 1;
      }
    },
    summary: (h) => ({ frames, framesWithoutFace, multiFaceFrames, faces, kept, dropped, jitterBefore: h.jitter.before, jitterAfter: h.jitter.after }),
  };
}
