/**
 * Face tracks: the faces of consecutive frames that follow each other (boxes overlapping from
 * one frame to the next, one face to one face), so that identity is decided per track, not per
 * frame. Extraction detects every few frames and follows faces by their landmarks in between;
 * a followed face carries the descriptor of its last detection. So a track is cut where a new
 * detection's descriptor jumps away from the track's (a cut to another person at the same
 * place). Followed faces count only once a later detection of the same face confirms them:
 * where a track ends before the video does (a cut, the face lost, turned away or left the frame),
 * its followed faces since its last detection are `uncertain` (the landmarks may sit on someone
 * else, or on nothing) — unless a fresh detection that the filters dropped (a low score, say)
 * shows the same face there, which ends the track without contradicting them. Extraction then
 * checks each uncertain face against the track it was followed from with a descriptor of its
 * own, and keeps it when it is the same person.
 *
 *   const { tracks, uncertain } = buildTracks(detections, (t, k) => ok[t][k], { breakDistance: 0.6 });
 *   tracks[0].faces      // [{ t: 0, k: 1 }, { t: 1, k: 1 }, …]: frame position and face index
 *   tracks[0].descriptors // the descriptors of its detected (not followed) faces
 */
import { descriptorDistance, type DetectedFace } from './face-api.ts';
import type { Box } from '../util/geometry.ts';

export interface FaceRef {
  /** Position of the frame in the detections list. */
  t: number;
  /** Index of the face within the frame. */
  k: number;
}

/** A followed face cut from the end of its track, with the track it was followed from (null: one with no detected face). */
export interface UncertainFace extends FaceRef {
  track: number | null;
}

export interface FaceTrack {
  id: number;
  faces: FaceRef[];
  /** Descriptors of the track's detected faces (a followed face's is a copy); at least one. */
  descriptors: number[][];
}

export interface TrackFrame {
  index: number;
  faces: readonly Pick<DetectedFace, 'box' | 'descriptor' | 'tracked'>[];
}

export interface TrackOptions {
  /** A detection this far (descriptor distance) from its track's last detection starts a new track. */
  breakDistance: number;
  /** Boxes overlapping at least this much (intersection over union) follow each other. */
  minIou?: number;
}

function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

interface Open {
  faces: FaceRef[];
  descriptors: number[][];
  /** Descriptor of the last detected face (or the copy the first face carried). */
  last: number[] | null;
  /** Number of faces up to and including the last detected one. */
  confirmed: number;
}

/**
 * Link the `eligible` faces of consecutive frames into tracks. Faces not eligible belong to no
 * track; `uncertain` lists the followed faces that the next detection contradicted (they are
 * in no track either).
 */
export function buildTracks(frames: readonly TrackFrame[], eligible: (t: number, k: number) => boolean, o: TrackOptions): { tracks: FaceTrack[]; uncertain: UncertainFace[] } {
  const minIou = o.minIou ?? 0.3;
  const tracks: FaceTrack[] = [];
  const cut: Array<{ face: FaceRef; track: FaceTrack | null }> = [];
  let open: Open[] = [];
  const close = (tr: Open, contradicted: boolean) => {
    const keep = contradicted ? tr.confirmed : tr.faces.length;
    const track = keep === 0 ? null : { id: tracks.length, faces: tr.faces.slice(0, keep), descriptors: tr.descriptors.length ? tr.descriptors : [tr.last!] };
    for (const f of tr.faces.slice(keep)) cut.push({ face: f, track });
    if (track) tracks.push(track);
  };
  frames.forEach((frame, t) => {
    const consecutive = t > 0 && frame.index === frames[t - 1]!.index + 1;
    if (!consecutive) {
      for (const tr of open) close(tr, false);
      open = [];
    }
    const candidates = frame.faces.map((_, k) => k).filter((k) => eligible(t, k) && frame.faces[k]!.descriptor);
    // greedy one-to-one matching by overlap, best first
    const pairs: Array<{ v: number; i: number; k: number }> = [];
    open.forEach((tr, i) => {
      const prev = tr.faces[tr.faces.length - 1]!;
      const box = frames[prev.t]!.faces[prev.k]!.box;
      for (const k of candidates) {
        const v = iou(box, frame.faces[k]!.box);
        if (v >= minIou) pairs.push({ v, i, k });
      }
    });
    pairs.sort((a, b) => b.v - a.v || a.i - b.i || a.k - b.k);
    const taken = new Set<number>();
    const next: Open[] = [];
    const continued = new Set<number>();
    for (const { i, k } of pairs) {
      if (continued.has(i) || taken.has(k)) continue;
      const tr = open[i]!;
      const f = frame.faces[k]!;
      if (!f.tracked && tr.last && descriptorDistance(f.descriptor!, tr.last) >= o.breakDistance) continue; // someone else here now
      continued.add(i);
      taken.add(k);
      tr.faces.push({ t, k });
      if (!f.tracked) {
        tr.descriptors.push(f.descriptor!);
        tr.last = f.descriptor!;
        tr.confirmed = tr.faces.length;
      }
      next.push(tr);
    }
    open.forEach((tr, i) => {
      if (continued.has(i)) return;
      // a fresh detection of the same face that the filters dropped (score, size, blur) ends the
      // track without contradicting its followed faces: they were on that face
      const prev = tr.faces[tr.faces.length - 1]!;
      const box = frames[prev.t]!.faces[prev.k]!.box;
      const same = frame.faces.some((f) => !f.tracked && f.descriptor && tr.last && iou(box, f.box) >= minIou && descriptorDistance(f.descriptor, tr.last) < o.breakDistance);
      close(tr, !same);
    });
    for (const k of candidates) {
      if (taken.has(k)) continue;
      const f = frame.faces[k]!;
      next.push({ faces: [{ t, k }], descriptors: f.tracked ? [] : [f.descriptor!], last: f.descriptor!, confirmed: f.tracked ? 0 : 1 });
    }
    open = next;
  });
  for (const tr of open) close(tr, false); // the video ended: nothing contradicts them
  tracks.sort((a, b) => a.faces[0]!.t - b.faces[0]!.t || a.faces[0]!.k - b.faces[0]!.k);
  tracks.forEach((tr, i) => (tr.id = i));
  return { tracks, uncertain: cut.map(({ face, track }) => ({ ...face, track: track?.id ?? null })) };
}
