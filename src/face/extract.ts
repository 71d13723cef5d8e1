/**
 * Extraction in two passes. Pass 1, per frame (the DAG's items): detect faces, 68 landmarks and
 * recognition descriptors, one small JSON per frame. Pass 2, once all frames are in: choose the
 * target identity, apply the quality filters, smooth the landmarks over time, align, and write
 * the aligned faces, their masks and the alignments file, reading the detections a frame at a
 * time (its memory does not grow with the video's length).
 *
 *   const det = await detectFrame(fa, frame, cfg);                // pass 1, one frame (the stage writes each to a file)
 *   const { header, kept } = await finishExtraction({ video, info, detections: detectionList(allFrames), cfg, alignmentsFile, facesDir, masksDir });   // pass 2
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { ExtractConfig } from '../config/extract.ts';
import { decodeFrames, type Frame } from '../media/decode.ts';
import { readImage, writeGrayPng, writeImage } from '../media/image.ts';
import { rationalValue, type VideoInfo } from '../media/probe.ts';
import { UserError } from '../util/errors.ts';
import { alignFace } from './align.ts';
import { ALIGNMENTS_SCHEMA, describeClustering, writeAlignmentsFrames, type AlignedFaceRecord, type AlignedFrame, type AlignmentsDoc, type AlignmentsHeader, type ClusteringRecord } from './alignments-file.ts';
import type { FrameDetections } from './detections-file.ts';
import { describeFace, descriptorDistance, detectFaces, followFaces, type DetectedFace, type FaceApi } from './face-api.ts';
import { clusterTracks, pickTarget, type Clustering } from './identity.ts';
import { extendedMask } from './mask.ts';
import { laplacianVariance } from './quality.ts';
import { JitterSum } from './smoothing.ts';
import { jumped, runsOf, TrackSmoother } from './track-smoothing.ts';
import { buildTracks } from './tracks.ts';
import { transformPoints } from './umeyama.ts';
import type { Box, Point, RgbImage } from '../util/geometry.ts';
import { faultPoint } from '../util/fault-point.ts';
import { settledAll } from '../util/settled-all.ts';

export type { FrameDetections };

/** Detections are made below the score filter so that dropped faces keep their reason. */
function detectionFloor(cfg: ExtractConfig): number {
  return Math.min(0.3, cfg.minScore);
}

/**
 * Faces of one frame: detected on every `detectEvery`-th frame, whenever there is nothing to
 * follow, at a shot change (`cut`: the caller compares frameSignature()s), and when a followed
 * face that counts is lost (see `anyLost`); else followed from
 * `previous` by their landmarks. The choice depends only on the frames since the last
 * `detectEvery`-th one, so a resumed run (which restarts there) computes exactly what an
 * uninterrupted one did.
 */
export async function detectFrame(fa: FaceApi, frame: RgbImage & { index: number; time: number }, cfg: ExtractConfig, previous: DetectedFace[] | null = null, cut = false): Promise<FrameDetections> {
  const detect = () => detectFaces(fa, frame, { detector: cfg.detector, minScore: detectionFloor(cfg), tinyInputSize: cfg.tinyInputSize, descriptors: true });
  if (previous === null || frame.index % cfg.detectEvery === 0 || cut) return { index: frame.index, time: frame.time, faces: await detect() };
  const followed = await followFaces(fa, frame, previous);
  return { index: frame.index, time: frame.time, faces: anyLost(previous, followed, cfg) ? await detect() : followed.filter((f) => f !== null) };
}

/**
 * Whether following lost a face that counts: one that passes the score and size filters and
 * left the frame (null) or jumped. Faces the filters drop anyway may come and go without a
 * detection (else a face the landmark net keeps losing, at the frame's edge, would make every
 * frame a detection frame).
 */
export function anyLost(previous: readonly DetectedFace[], followed: readonly (DetectedFace | null)[], cfg: Pick<ExtractConfig, 'minScore' | 'minSize'>): boolean {
  return previous.some((p, i) => {
    if (p.score < cfg.minScore || Math.min(p.box.width, p.box.height) < cfg.minSize) return false;
    const f = followed[i];
    return !f || jumped(p, f);
  });
}

/** The frame a resumed run must restart from to rebuild the tracking state for `index`. */
export function trackingStart(index: number, cfg: ExtractConfig): number {
  return index - (index % cfg.detectEvery);
}

/** The descriptor of the largest face in a reference photo. */
export async function referenceDescriptor(fa: FaceApi, file: string, cfg: ExtractConfig): Promise<number[]> {
  const img = await readImage(file);
  const faces = await detectFaces(fa, img, { detector: cfg.detector, minScore: cfg.minScore, tinyInputSize: cfg.tinyInputSize, descriptors: true });
  if (!faces.length) throw new UserError(`no face found in the identity reference "${file}"`, 'pass a photo where the person\'s face is clearly visible (frontal, at least 80 px)');
  const largest = faces.reduce((a, b) => (b.box.width * b.box.height > a.box.width * a.box.height ? b : a));
  return largest.descriptor!;
}

/** A video's detections, a frame at a time (the stage reads its per-frame files; finishing reads each a few times and never holds them all). */
export interface DetectionSource {
  readonly count: number;
  /** Frame `t`'s detections, in frame order from 0. */
  read(t: number): FrameDetections;
}

/** Detections held in an array, as a source. */
export function detectionList(list: readonly FrameDetections[]): DetectionSource {
  return { count: list.length, read: (t) => list[t]! };
}

/**
 * `src` with its last `size` reads kept (by position): a frame read again soon after is not
 * parsed again. A few frames, never the video's.
 */
function recentReads(src: DetectionSource, size: number): DetectionSource {
  const held = new Map<number, FrameDetections>();
  return {
    count: src.count,
    read: (t) => {
      let d = held.get(t);
      if (!d) {
        d = src.read(t);
        held.set(t, d);
        if (held.size > size) held.delete(held.keys().next().value!);
      }
      return d;
    },
  };
}

/**
 * The kept face's landmarks of a frame, read from its detections; the last `size` frames' kept
 * compactly (smoothing reads the frames around each one). Whole frames are not kept: a parsed
 * frame is ten times its landmarks, and the garbage collector promotes what survives.
 */
function keptLandmarks(src: DetectionSource, keptIndex: readonly (number | null)[], size: number): (t: number) => Point[] | null {
  const held = new Map<number, Float64Array>();
  return (t) => {
    const k = keptIndex[t];
    if (k === null || k === undefined) return null;
    const flat = held.get(t);
    if (flat) return Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!] as Point);
    const pts = src.read(t).faces[k]!.landmarks;
    held.set(t, Float64Array.from(pts.flat()));
    if (held.size > size) held.delete(held.keys().next().value!);
    return pts;
  };
}

export interface FinishOptions {
  video: string;
  info: VideoInfo;
  /** One entry per frame, in frame order. */
  detections: DetectionSource;
  cfg: ExtractConfig;
  /** Folder of the alignments file; faces/ and masks/ go beside it unless given. */
  alignmentsFile: string;
  facesDir: string;
  masksDir: string;
  reference?: { file: string; descriptor: number[] };
  /** Face-api, to check followed faces at the end of a track with a descriptor of their own (without it they are dropped). */
  fa?: FaceApi;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** What finishing wrote: the alignments file's header, and how many frames and kept faces its frames hold. */
export interface FinishResult {
  header: AlignmentsHeader;
  frames: number;
  kept: number;
}

/**
 * What finishing holds of a detected face between its passes over the detections (its landmarks
 * stay in the files), with what steps 1 and 2 decided: the filters' reason, identity, track.
 */
interface FaceState {
  box: Box;
  tracked?: boolean;
  /** A followed face's descriptor is its detection's: one array for both. */
  descriptor: number[] | null;
  reason: AlignedFaceRecord['reason'];
  identityDistance: number | null;
  track: number | null;
  cluster: number | null;
}

interface FrameState {
  index: number;
  faces: FaceState[];
}

/** What identification decided: the target, the face kept per frame, and followed faces still to check. */
interface Identification {
  target: AlignmentsDoc['target'];
  clusteringDoc: ClusteringRecord;
  /** Per frame: the index of the kept face, or null. */
  keptIndex: (number | null)[];
  /** `t:k` -> the track a followed face came from: checked with a descriptor of its own when aligned. */
  verify: Map<string, number>;
  trackMean: Map<number, number[]>;
  clusterOfTrack: Map<number, number>;
  /** Faces that passed the score and size filters. */
  candidates: number;
}

/**
 * Pass 2: identity, filters, smoothing, the second decoding (aligned faces and masks), the
 * alignments file. With the default smoothing (`window`, or none) memory does not grow with the
 * video's length beyond a few numbers a face: the detections are read again where their
 * landmarks are needed (each file two to five times), the smoothed landmarks are computed a
 * frame at a time, and the alignments file is written a frame at a time as the second decoding
 * reaches it. `kalman` and `one-euro` smooth a run (one face track's frames in a row) at a
 * time and hold that run's landmarks: about 7 KB a frame while it lasts. The second decoding
 * starts first, its ffmpeg and thread starting up while steps 1-3 run.
 */
export async function finishExtraction(o: FinishOptions): Promise<FinishResult> {
  // step 4's decoding started first: ffmpeg's start-up (a third of a second to the first frame)
  // runs on its thread while steps 1-3 run here
  const decoding = startDecoding(o);
  try {
    return await finishWith(o, decoding);
  } finally {
    await decoding.decoder.return(undefined); // whatever happened (a no-op once step 4 ended it)
  }
}

async function finishWith(o: FinishOptions, decoding: Decoding): Promise<FinishResult> {
  const { cfg } = o;
  const src = o.detections;
  const n = src.count;
  const log = o.log ?? (() => undefined);
  const warnings: string[] = [];
  const frames = filtered(src, cfg);
  const id = identify(o, frames, log);
  for (const fr of frames) for (const f of fr.faces) f.descriptor = null; // identity is decided: what is left of a face is a few numbers
  /** The face track each kept face belongs to (-1: none): smoothing never mixes two tracks (a cut, another place). */
  const trackOf = new Int32Array(n).fill(-1);
  frames.forEach((fr, t) => {
    const kept = id.keptIndex[t] ?? null;
    fr.faces.forEach((f, k) => {
      if (f.reason === null && k !== kept) f.reason = 'not the target identity';
      if (k === kept && id.verify.has(`${t}:${k}`)) f.reason = null; // for now: the aligned crop decides
    });
    if (kept !== null) trackOf[t] = fr.faces[kept]!.track ?? id.verify.get(`${t}:${kept}`) ?? -1;
  });
  if (!id.candidates) warnings.push(`no faces found in "${o.video}" (${n} frames searched)`);
  else if (o.reference && id.keptIndex.every((k) => k === null)) warnings.push(`the reference identity "${o.reference.file}" was not found in "${o.video}"`);
  // 3. smoothing: the kept face's landmarks, read again from the detections (step 4 reads each
  // frame soon after smoothing has read ahead to it: the last few reads are kept for it)
  const recent = recentReads(src, cfg.smoothWindow + 2);
  const raw = keptLandmarks(recent, id.keptIndex, cfg.smoothWindow + 2);
  const runOf = runsOf(n, raw, trackOf);
  const smoother = new TrackSmoother(n, raw, runOf, cfg, rationalValue(o.info.fps));
  const faceWidth = cfg.size / cfg.coverage;
  const before = new JitterSum(faceWidth);
  const after = new JitterSum(faceWidth);
  for (let t = 0; t < n; t++) {
    before.add(raw(t));
    after.add(smoother.at(t));
  }
  const header: AlignmentsHeader = {
    schema: ALIGNMENTS_SCHEMA,
    video: { file: o.video, width: o.info.width, height: o.info.height, fps: o.info.fps, frameCount: o.info.frameCount },
    settings: { ...cfg, identity: o.reference?.file },
    target: id.target,
    clustering: id.clusteringDoc,
    jitter: { unit: 'px in the aligned crop' as const, before: before.value(), after: after.value() },
    warnings,
  };
  // 4. align, blur filter, write (second decoding pass: only frames with a kept face), the alignments file a frame at a time
  const result = { header, frames: n, kept: 0 };
  await writeAlignmentsFrames(o.alignmentsFile, header, alignAndWrite(o, recent, frames, id, smoother, decoding, () => result.kept++));
  for (const w of warnings) log(`warning: ${w}`);
  return result;
}

/** Step 4's decoder, its first frame asked for (the thread and ffmpeg start at once). */
interface Decoding {
  decoder: AsyncGenerator<Frame>;
  first: Promise<IteratorResult<Frame>>;
}

function startDecoding(o: FinishOptions): Decoding {
  const decoder = decodeFrames(o.video, { info: o.info, thread: true, recycle: true });
  const first = decoder.next();
  first.catch(() => undefined); // awaited in step 4 (or never: the decoder is then stopped)
  return { decoder, first };
}

/** Step 1, the score and size filters, with what identity needs of each face (one pass over the detections). */
function filtered(src: DetectionSource, cfg: ExtractConfig): FrameState[] {
  const frames: FrameState[] = [];
  let previous: readonly FaceState[] = [];
  for (let t = 0; t < src.count; t++) {
    const d = src.read(t);
    const faces = d.faces.map((f): FaceState => {
      const same = f.descriptor && previous.find((p) => p.descriptor && sameNumbers(p.descriptor, f.descriptor!));
      return {
        box: { x: f.box.x, y: f.box.y, width: f.box.width, height: f.box.height },
        tracked: f.tracked,
        descriptor: same ? same.descriptor : f.descriptor,
        reason: f.score < cfg.minScore ? 'score below minimum' : Math.min(f.box.width, f.box.height) < cfg.minSize ? 'face too small' : null,
        identityDistance: null,
        track: null,
        cluster: null,
      };
    });
    frames.push({ index: d.index, faces });
    previous = faces;
  }
  return frames;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Step 2, identity: tracks, clusters of tracks, the target (a reference photo's person or cluster N). */
function identify(o: FinishOptions, frames: FrameState[], log: (line: string) => void): Identification {
  const { cfg } = o;
  const tracking = buildTracks(frames, (t, k) => frames[t]!.faces[k]!.reason === null, { breakDistance: cfg.identityThreshold });
  // followed faces after a track's last detection: checked below with a descriptor of their own
  // (when face-api is at hand), against the track they were followed from
  const verify = new Map<string, number>();
  for (const { t, k, track } of tracking.uncertain) {
    frames[t]!.faces[k]!.reason = 'identity uncertain';
    if (o.fa && track !== null) verify.set(`${t}:${k}`, track);
  }
  const clustering = clusterTracks(tracking.tracks, { threshold: cfg.clusterThreshold, range: cfg.clusterThresholdRange });
  const clusterOfTrack = new Map<number, number>();
  for (const c of clustering.clusters) for (const id of c.tracks) clusterOfTrack.set(id, c.rank);
  for (const tr of tracking.tracks) {
    for (const { t, k } of tr.faces) {
      frames[t]!.faces[k]!.track = tr.id;
      frames[t]!.faces[k]!.cluster = clusterOfTrack.get(tr.id)!;
    }
  }
  const trackMean = new Map(tracking.tracks.map((tr) => [tr.id, tr.descriptors[0]!.map((_, i) => tr.descriptors.reduce((acc, d) => acc + d[i]!, 0) / tr.descriptors.length)]));
  const candidates = frames.reduce((n, fr) => n + fr.faces.filter((f) => f.reason === null).length, 0);
  const clusteringDoc = clusteringRecord(clustering, tracking.tracks.length);
  log(describeClustering(clusteringDoc));
  const keptIndex: (number | null)[] = frames.map(() => null);
  const distanceTo = (centroid: readonly number[]) => frames.forEach((fr) => fr.faces.forEach((f) => (f.identityDistance = f.descriptor ? descriptorDistance(f.descriptor, centroid) : null)));
  const found = { clusteringDoc, keptIndex, verify, trackMean, clusterOfTrack, candidates };
  if (o.reference) {
    distanceTo(o.reference.descriptor);
    frames.forEach((fr, t) => {
      const eligible = fr.faces.map((f) => (f.reason === null ? f : { descriptor: null }));
      keptIndex[t] = pickTarget(eligible, o.reference!.descriptor, cfg.identityThreshold).kept;
    });
    verify.clear();
    return { ...found, target: { source: 'reference', reference: o.reference.file, cluster: null, clusterSize: null, clusters: clustering.clusters.length } };
  }
  const n = clustering.clusters.length;
  if (cfg.cluster > Math.max(1, n)) {
    const none = n ? '' : ' (no face passed the score and size filters)';
    throw new UserError(
      `expected --identity cluster:N with N from 1 to ${n} (1 = the largest): "${o.video}" has ${n} identity cluster${n === 1 ? '' : 's'}${none}, got cluster:${cfg.cluster}`,
      'extract with the default target (the largest cluster), then list every cluster with janus alignments OUT/alignments.json --clusters',
    );
  }
  const chosen = clustering.clusters[cfg.cluster - 1] ?? null;
  if (chosen) {
    distanceTo(chosen.centroid);
    // cannot-link: a cluster holds at most one face per frame
    frames.forEach((fr, t) => fr.faces.forEach((f, k) => f.reason === null && f.cluster === chosen.rank && (keptIndex[t] = k)));
    // an uncertain face of a chosen track, where its frame has no other: a candidate, checked when aligned
    for (const [key, trackId] of verify) {
      const [t, k] = key.split(':').map(Number) as [number, number];
      if (clusterOfTrack.get(trackId) === chosen.rank && keptIndex[t] === null) keptIndex[t] = k;
      else verify.delete(key);
    }
    log(`target: identity cluster ${chosen.rank} of ${n} (${chosen.faces} faces in ${chosen.tracks.length} track${chosen.tracks.length === 1 ? '' : 's'})`);
  }
  return { ...found, target: { source: chosen ? 'cluster' : 'none', reference: null, cluster: chosen?.rank ?? null, clusterSize: chosen?.faces ?? null, clusters: n } };
}

/**
 * Step 4, the second decoding pass, a frame of the alignments file at a time: each frame's
 * records from its detections read again and what steps 1-3 decided; each kept face aligned,
 * followed ones checked, blur filtered, face and mask written (`onKept` counts them).
 */
async function* alignAndWrite(o: FinishOptions, src: DetectionSource, frames: readonly FrameState[], id: Identification, smoother: TrackSmoother, decoding: Decoding, onKept: () => void): AsyncGenerator<AlignedFrame> {
  const { cfg } = o;
  for (const dir of [o.facesDir, o.masksDir]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const decoder = decoding.decoder;
  let first: Promise<IteratorResult<Frame>> | null = decoding.first;
  let decoded = null as Frame | null;
  let ended = false;
  const stopIfAborted = () => {
    if (o.signal?.aborted) throw new Error('extraction interrupted');
  };
  /** The decoded frame `index` (null: the video has no such frame); frames before it are passed over. */
  const frameAt = async (index: number): Promise<Frame | null> => {
    while (!ended && (decoded === null || decoded.index < index)) {
      stopIfAborted();
      const r = await (first ?? decoder.next());
      first = null;
      if (r.done) ended = true;
      else decoded = r.value;
    }
    return decoded?.index === index ? decoded : null;
  };
  // the PNG encodes run off the main thread while the next frames are aligned, a few at a time
  const writes: Array<Promise<unknown>> = [];
  const write = async (p: Promise<unknown>) => {
    p.catch(() => undefined); // awaited in its turn
    writes.push(p);
    if (writes.length >= 4) await writes.shift();
  };
  try {
    for (let t = 0; t < src.count; t++) {
      stopIfAborted();
      const d = src.read(t);
      const held = frames[t]!;
      if (d.index !== held.index || d.faces.length !== held.faces.length) {
        throw new Error(`frame ${t}'s detections changed while the extraction was finishing (frame ${held.index} with ${held.faces.length} faces, now frame ${d.index} with ${d.faces.length}): re-run the extraction`);
      }
      const records = d.faces.map((f, k): AlignedFaceRecord => {
        const s = held.faces[k]!;
        return { box: f.box, score: f.score, landmarks: f.landmarks, smoothed: null, matrix: null, identityDistance: s.identityDistance, blur: null, kept: false, reason: s.reason, face: null, mask: null, track: s.track, cluster: s.cluster };
      });
      const k = id.keptIndex[t] ?? null;
      const frame = k === null ? null : await frameAt(d.index);
      if (k !== null && frame) await alignOne(frame, t, k, records[k]!);
      yield { index: d.index, time: d.time, faces: records };
    }
    for (const p of writes) await p; // a failed write fails the pass
    stopIfAborted(); // not a file for an interrupted pass
  } finally {
    try {
      await Promise.allSettled(writes); // none left running behind the caller's back
    } finally {
      await decoder.return(undefined);
    }
  }

  async function alignOne(frame: Frame, t: number, k: number, r: AlignedFaceRecord): Promise<void> {
    const pts = smoother.at(t)!;
    const aligned = alignFace(frame, pts, cfg);
    const mask = extendedMask(aligned.landmarks, cfg.size);
    r.smoothed = pts;
    r.matrix = [...aligned.matrix] as AlignedFaceRecord['matrix'];
    const trackId = id.verify.get(`${t}:${k}`);
    if (trackId !== undefined) {
      const d = await describeFace(o.fa!, aligned.image, aligned.landmarks);
      const dist = descriptorDistance(d, id.trackMean.get(trackId)!);
      if (dist >= cfg.identityThreshold) {
        r.reason = 'identity uncertain';
        return;
      }
      r.track = trackId;
      r.cluster = id.clusterOfTrack.get(trackId)!;
      r.identityDistance ??= dist;
    }
    r.blur = laplacianVariance(aligned.image, mask);
    if (cfg.minBlur > 0 && r.blur < cfg.minBlur) {
      r.reason = 'too blurred';
      return;
    }
    const name = `${String(frame.index).padStart(6, '0')}_${k}.png`;
    await write(settledAll([writeImage(join(o.facesDir, name), aligned.image), writeGrayPng(join(o.masksDir, name), mask)]));
    faultPoint('extract.pass2');
    r.kept = true;
    r.face = relative(dirname(o.alignmentsFile), join(o.facesDir, name));
    r.mask = relative(dirname(o.alignmentsFile), join(o.masksDir, name));
    onKept();
  }
}

function clusteringRecord(c: Clustering, tracks: number): ClusteringRecord {
  return {
    threshold: c.threshold,
    source: c.source,
    otsu: c.otsu,
    range: [c.range[0], c.range[1]],
    within: c.within,
    between: c.between,
    tracks,
    clusters: c.clusters.map((x) => ({ rank: x.rank, faces: x.faces, tracks: x.tracks.length, frames: x.frames })),
  };
}

/** Landmarks in crop pixels for a stored record (what the aligned PNG shows). */
export function alignedLandmarks(r: AlignedFaceRecord): Point[] | null {
  return r.matrix ? transformPoints(r.matrix, r.smoothed ?? r.landmarks) : null;
}

