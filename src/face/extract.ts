/**
 * Extraction in two passes. Pass 1, per frame (the DAG's items): detect faces, 68 landmarks and
 * recognition descriptors, one small JSON per frame. Pass 2, once all frames are in: choose the
 * target identity, apply the quality filters, smooth the landmarks over time, align, and write
 * the aligned faces, their masks and the alignments file.
 *
 *   const dets = await detectFrame(fa, frame, cfg);               // pass 1, one frame
 *   const doc = await finishExtraction({ video, detections, cfg, out, reference });   // pass 2
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { ExtractConfig } from '../config/extract.ts';
import { decodeFrames } from '../media/decode.ts';
import { readImage, writeGrayPng, writeImage } from '../media/image.ts';
import { rationalValue, type VideoInfo } from '../media/probe.ts';
import { UserError } from '../util/errors.ts';
import { alignFace } from './align.ts';
import { ALIGNMENTS_SCHEMA, describeClustering, writeAlignments, type AlignedFaceRecord, type AlignmentsDoc, type ClusteringRecord } from './alignments-file.ts';
import type { FrameDetections } from './detections-file.ts';
import { describeFace, descriptorDistance, detectFaces, followFaces, landmarkBounds, type DetectedFace, type FaceApi } from './face-api.ts';
import { clusterTracks, pickTarget, type Clustering } from './identity.ts';
import { extendedMask } from './mask.ts';
import { laplacianVariance } from './quality.ts';
import { jitter, smoothLandmarks } from './smoothing.ts';
import { buildTracks } from './tracks.ts';
import { transformPoints } from './umeyama.ts';
import type { Point, RgbImage } from '../util/geometry.ts';
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

/**
 * A followed face whose landmarks moved by more than 40% of its width, or grew or shrank by more
 * than 30%, in one frame: no face moves so between two frames of a shot, so the landmark net
 * was fitting something else (the face turned away, was covered, or the shot changed).
 */
export function jumped(before: Pick<DetectedFace, 'landmarks'>, after: Pick<DetectedFace, 'landmarks'>): boolean {
  const a = landmarkBounds(before.landmarks);
  const b = landmarkBounds(after.landmarks);
  const scale = b.width / Math.max(1e-6, a.width);
  const moved = Math.hypot(b.x + b.width / 2 - (a.x + a.width / 2), b.y + b.height / 2 - (a.y + a.height / 2)) / Math.max(1e-6, a.width);
  return moved > 0.4 || scale > 1.3 || scale < 1 / 1.3;
}

/**
 * smoothLandmarks over each run of frames that one face track holds without a jump: a change
 * of track (another person, another place) or landmarks that jumped (a cut to the same person
 * in the same place keeps the track) starts a new run, so two shots are never averaged.
 */
export function smoothByTrack(track: readonly (Point[] | null)[], trackOf: readonly number[], cfg: ExtractConfig, fps: number): (Point[] | null)[] {
  const out: (Point[] | null)[] = track.map(() => null);
  for (let t = 0; t < track.length; ) {
    if (!track[t]) {
      t++;
      continue;
    }
    let end = t + 1;
    while (end < track.length && track[end] && trackOf[end] === trackOf[t] && !jumped({ landmarks: track[end - 1]! }, { landmarks: track[end]! })) end++;
    smoothLandmarks(track.slice(t, end), cfg, fps).forEach((p, k) => (out[t + k] = p));
    t = end;
  }
  return out;
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

export interface FinishOptions {
  video: string;
  info: VideoInfo;
  /** One entry per frame, in frame order. */
  detections: FrameDetections[];
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

export async function finishExtraction(o: FinishOptions): Promise<AlignmentsDoc> {
  const { cfg, detections } = o;
  const log = o.log ?? (() => undefined);
  const warnings: string[] = [];
  const records = initialRecords(detections, cfg);
  const id = identify(o, records, log);
  const track: (Point[] | null)[] = detections.map(() => null);
  /** The face track each kept face belongs to (-1: none): smoothing never mixes two tracks (a cut, another place). */
  const trackOf = detections.map(() => -1);
  detections.forEach((d, t) => {
    const kept = id.keptIndex[t]!;
    d.faces.forEach((_, k) => {
      const r = records[t]![k]!;
      if (r.reason === null && k !== kept) r.reason = 'not the target identity';
      if (k === kept && id.verify.has(`${t}:${k}`)) r.reason = null; // for now: the aligned crop decides
    });
    if (kept !== null) {
      track[t] = d.faces[kept]!.landmarks;
      trackOf[t] = records[t]![kept]!.track ?? id.verify.get(`${t}:${kept}`) ?? -1;
    }
  });
  if (!id.candidates) warnings.push(`no faces found in "${o.video}" (${detections.length} frames searched)`);
  else if (o.reference && track.every((x) => x === null)) warnings.push(`the reference identity "${o.reference.file}" was not found in "${o.video}"`);
  // 3. smoothing
  const smoothed = smoothByTrack(track, trackOf, cfg, rationalValue(o.info.fps));
  const faceWidth = cfg.size / cfg.coverage;
  const jit = { unit: 'px in the aligned crop' as const, before: jitter(track, faceWidth), after: jitter(smoothed, faceWidth) };
  // 4. align, blur filter, write (second decoding pass: only frames with a kept face)
  await alignAndWrite(o, records, id, smoothed);
  if (o.signal?.aborted) throw new Error('extraction interrupted');
  const doc: AlignmentsDoc = {
    schema: ALIGNMENTS_SCHEMA,
    video: { file: o.video, width: o.info.width, height: o.info.height, fps: o.info.fps, frameCount: o.info.frameCount },
    settings: { ...cfg, identity: o.reference?.file },
    target: id.target,
    clustering: id.clusteringDoc,
    jitter: jit,
    warnings,
    frames: detections.map((d, t) => ({ index: d.index, time: d.time, faces: records[t]! })),
  };
  for (const w of warnings) log(`warning: ${w}`);
  await writeAlignments(o.alignmentsFile, doc);
  return doc;
}

/** A record per detected face, with step 1 done: the score and size filters. */
function initialRecords(detections: FrameDetections[], cfg: ExtractConfig): AlignedFaceRecord[][] {
  return detections.map((d) =>
    d.faces.map((f) => ({
      box: f.box,
      score: f.score,
      landmarks: f.landmarks,
      smoothed: null,
      matrix: null,
      identityDistance: null,
      blur: null,
      kept: false,
      reason: f.score < cfg.minScore ? 'score below minimum' : Math.min(f.box.width, f.box.height) < cfg.minSize ? 'face too small' : null,
      face: null,
      mask: null,
      track: null,
      cluster: null,
    })),
  );
}

/** Step 2, identity: tracks, clusters of tracks, the target (a reference photo's person or cluster N). */
function identify(o: FinishOptions, records: AlignedFaceRecord[][], log: (line: string) => void): Identification {
  const { cfg, detections } = o;
  const tracking = buildTracks(detections, (t, k) => records[t]![k]!.reason === null, { breakDistance: cfg.identityThreshold });
  // followed faces after a track's last detection: checked below with a descriptor of their own
  // (when face-api is at hand), against the track they were followed from
  const verify = new Map<string, number>();
  for (const { t, k, track } of tracking.uncertain) {
    records[t]![k]!.reason = 'identity uncertain';
    if (o.fa && track !== null) verify.set(`${t}:${k}`, track);
  }
  const clustering = clusterTracks(tracking.tracks, { threshold: cfg.clusterThreshold, range: cfg.clusterThresholdRange });
  const clusterOfTrack = new Map<number, number>();
  for (const c of clustering.clusters) for (const id of c.tracks) clusterOfTrack.set(id, c.rank);
  for (const tr of tracking.tracks) {
    for (const { t, k } of tr.faces) {
      records[t]![k]!.track = tr.id;
      records[t]![k]!.cluster = clusterOfTrack.get(tr.id)!;
    }
  }
  const trackMean = new Map(tracking.tracks.map((tr) => [tr.id, tr.descriptors[0]!.map((_, i) => tr.descriptors.reduce((acc, d) => acc + d[i]!, 0) / tr.descriptors.length)]));
  const candidates = detections.reduce((n, d, t) => n + d.faces.filter((_, k) => records[t]![k]!.reason === null).length, 0);
  const clusteringDoc = clusteringRecord(clustering, tracking.tracks.length);
  log(describeClustering(clusteringDoc));
  const keptIndex: (number | null)[] = detections.map(() => null);
  const distanceTo = (centroid: readonly number[]) =>
    detections.forEach((d, t) => d.faces.forEach((f, k) => (records[t]![k]!.identityDistance = f.descriptor ? descriptorDistance(f.descriptor, centroid) : null)));
  const found = { clusteringDoc, keptIndex, verify, trackMean, clusterOfTrack, candidates };
  if (o.reference) {
    distanceTo(o.reference.descriptor);
    detections.forEach((d, t) => {
      const eligible = d.faces.map((f, k) => (records[t]![k]!.reason === null ? f : { descriptor: null }));
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
    detections.forEach((d, t) => d.faces.forEach((_, k) => records[t]![k]!.reason === null && records[t]![k]!.cluster === chosen.rank && (keptIndex[t] = k)));
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

/** Step 4, the second decoding pass: align each kept face, check followed ones and blur, write face and mask. */
async function alignAndWrite(o: FinishOptions, records: AlignedFaceRecord[][], id: Identification, smoothed: (Point[] | null)[]): Promise<void> {
  const { cfg, detections } = o;
  for (const dir of [o.facesDir, o.masksDir]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const wanted = new Set(id.keptIndex.flatMap((k, t) => (k === null ? [] : [detections[t]!.index])));
  if (!wanted.size) return;
  const byIndex = new Map(detections.map((d, t) => [d.index, t]));
  // the PNG encodes run off the main thread while the next frames are aligned, a few at a time
  const writes: Array<Promise<unknown>> = [];
  const write = async (p: Promise<unknown>) => {
    p.catch(() => undefined); // awaited in its turn
    writes.push(p);
    if (writes.length >= 4) await writes.shift();
  };
  try {
    for await (const frame of decodeFrames(o.video, { info: o.info, thread: true })) {
      if (o.signal?.aborted) break;
      const t = byIndex.get(frame.index);
      if (t === undefined || !wanted.has(frame.index)) continue;
      const k = id.keptIndex[t]!;
      const r = records[t]![k]!;
      const pts = smoothed[t]!;
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
          continue;
        }
        r.track = trackId;
        r.cluster = id.clusterOfTrack.get(trackId)!;
        r.identityDistance ??= dist;
      }
      r.blur = laplacianVariance(aligned.image, mask);
      if (cfg.minBlur > 0 && r.blur < cfg.minBlur) {
        r.reason = 'too blurred';
        continue;
      }
      const name = `${String(frame.index).padStart(6, '0')}_${k}.png`;
      await write(settledAll([writeImage(join(o.facesDir, name), aligned.image), writeGrayPng(join(o.masksDir, name), mask)]));
      faultPoint('extract.pass2');
      r.kept = true;
      r.face = relative(dirname(o.alignmentsFile), join(o.facesDir, name));
      r.mask = relative(dirname(o.alignmentsFile), join(o.masksDir, name));
    }
  } finally {
    await Promise.allSettled(writes); // none left running behind the caller's back
  }
  for (const p of writes) await p; // a failed write fails the pass
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

