/**
 * The identity filter: which face is the person we want. With a reference photo, the face
 * closest to its descriptor (`pickTarget`). Without one, the video's people are found by
 * clustering face tracks (`clusterTracks`): each track is one person for as long as it lasts,
 * represented by the mean of its 128-d recognition descriptors; clusters of tracks merge by
 * average linkage while their distance is under a threshold, and never when two of their
 * tracks share a frame (two faces in one frame are two people: cannot-link). The threshold
 * adapts to the video: Otsu's split between the distances within tracks (one person) and the
 * distances between tracks, clamped to a range around face-api's usual 0.6.
 *
 *   const c = clusterTracks(tracks, { threshold: 'auto', range: [0.45, 0.7] });
 *   c.threshold          // 0.52 (c.source: 'otsu')
 *   c.clusters[0]        // the largest: { rank: 1, centroid, tracks: [0, 3], faces: 42, frames: 42 }
 *   const pick = pickTarget(faces, referenceDescriptor, 0.6);   // per frame: index kept, or null
 */
import { descriptorDistance } from './face-api.ts';
import type { FaceTrack } from './tracks.ts';

export interface IdentityCluster {
  /** 1 = the largest (most faces; ties: most frames, then earliest). */
  rank: number;
  /** Mean descriptor of the cluster's faces. */
  centroid: number[];
  /** Ids of its tracks. */
  tracks: number[];
  faces: number;
  frames: number;
}

export interface ThresholdChoice {
  threshold: number;
  /** `otsu`: adapted to the distances; `fixed`: as configured; `default`: too few tracks to adapt (the range's midpoint). */
  source: 'otsu' | 'fixed' | 'default';
  /** Otsu's value before clamping (null unless adapted). */
  otsu: number | null;
  range: readonly [number, number];
  /** How many distances it was computed from. */
  within: number;
  between: number;
}

export interface Clustering extends ThresholdChoice {
  clusters: IdentityCluster[];
}

export interface ClusterOptions {
  threshold: 'auto' | number;
  range: readonly [number, number];
}

function mean(vs: readonly (readonly number[])[]): number[] {
  const out = new Array<number>(vs[0]!.length).fill(0);
  for (const v of vs) for (let i = 0; i < v.length; i++) out[i]! += v[i]!;
  return out.map((x) => x / vs.length);
}

/**
 * Otsu's threshold of two weighted samples pooled: each sample weighs 1 in all (so thousands of
 * within-track distances do not drown a handful of between-track ones). Returns the cut that
 * maximises the between-class variance over a histogram of `bins` steps on [0, max].
 */
export function otsuThreshold(samples: readonly (readonly number[])[], bins = 200, max = 2): number | null {
  const hist = new Array<number>(bins).fill(0);
  let total = 0;
  for (const s of samples) {
    if (!s.length) continue;
    for (const v of s) hist[Math.min(bins - 1, Math.max(0, Math.floor((v / max) * bins)))]! += 1 / s.length;
    total += 1;
  }
  if (!total) return null;
  const centre = (i: number) => ((i + 0.5) * max) / bins;
  const sumAll = hist.reduce((a, w, i) => a + w * centre(i), 0);
  let w0 = 0;
  let sum0 = 0;
  let best = -1;
  let bestLo = -1;
  let bestHi = -1;
  for (let i = 0; i < bins - 1; i++) {
    w0 += hist[i]!;
    sum0 += hist[i]! * centre(i);
    const w1 = total - w0;
    if (w0 <= 0 || w1 <= 1e-12) continue;
    const between = w0 * w1 * (sum0 / w0 - (sumAll - sum0) / w1) ** 2;
    if (between > best + 1e-12) {
      best = between;
      bestLo = bestHi = i;
    } else if (Math.abs(between - best) <= 1e-12) bestHi = i; // a flat top: an empty gap between the classes
  }
  if (best < 0) return null;
  // the cut lies after bin i: the middle of the best run of bins (the middle of the valley)
  return ((bestLo + bestHi) / 2 + 1) * (max / bins);
}

/** The merge threshold for these tracks, with where it came from. */
export function trackThreshold(tracks: readonly FaceTrack[], o: ClusterOptions): ThresholdChoice {
  const reps = tracks.map((t) => mean(t.descriptors));
  const within = tracks.flatMap((t, i) => (t.descriptors.length > 1 ? t.descriptors.map((d) => descriptorDistance(d, reps[i]!)) : []));
  const between: number[] = [];
  for (let i = 0; i < reps.length; i++) for (let j = i + 1; j < reps.length; j++) between.push(descriptorDistance(reps[i]!, reps[j]!));
  const base = { range: o.range, within: within.length, between: between.length };
  if (o.threshold !== 'auto') return { threshold: o.threshold, source: 'fixed', otsu: null, ...base };
  const otsu = between.length ? otsuThreshold([within, between]) : null;
  if (otsu === null) return { threshold: (o.range[0] + o.range[1]) / 2, source: 'default', otsu: null, ...base };
  return { threshold: Math.min(o.range[1], Math.max(o.range[0], otsu)), source: 'otsu', otsu, ...base };
}

/**
 * Agglomerative clustering of tracks: average linkage on the distances between track means,
 * merging the closest pair of clusters while it is under the threshold and no track of one
 * shares a frame with a track of the other.
 */
export function clusterTracks(tracks: readonly FaceTrack[], o: ClusterOptions): Clustering {
  const choice = trackThreshold(tracks, o);
  const n = tracks.length;
  const reps = tracks.map((t) => mean(t.descriptors));
  const frameSets = tracks.map((t) => new Set(t.faces.map((f) => f.t)));
  const co = (i: number, j: number) => {
    const [a, b] = frameSets[i]!.size < frameSets[j]!.size ? [frameSets[i]!, frameSets[j]!] : [frameSets[j]!, frameSets[i]!];
    for (const x of a) if (b.has(x)) return true;
    return false;
  };
  // cluster-level state: members, linkage sums (sum of pairwise track distances), cannot-link
  const members: (number[] | null)[] = tracks.map((_, i) => [i]);
  const link: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : descriptorDistance(reps[i]!, reps[j]!))));
  const cannot: boolean[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => i !== j && co(i, j)));
  for (;;) {
    let bi = -1;
    let bj = -1;
    let best = Infinity;
    for (let i = 0; i < n; i++) {
      if (!members[i]) continue;
      for (let j = i + 1; j < n; j++) {
        if (!members[j] || cannot[i]![j]) continue;
        const d = link[i]![j]! / (members[i]!.length * members[j]!.length);
        if (d < best) {
          best = d;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0 || best >= choice.threshold) break;
    // merge bj into bi (Lance-Williams for average linkage: summed distances add up)
    for (let k = 0; k < n; k++) {
      if (!members[k] || k === bi || k === bj) continue;
      link[bi]![k] = link[k]![bi] = link[bi]![k]! + link[bj]![k]!;
      cannot[bi]![k] = cannot[k]![bi] = cannot[bi]![k]! || cannot[bj]![k]!;
    }
    members[bi] = [...members[bi]!, ...members[bj]!];
    members[bj] = null;
  }
  const clusters = members
    .filter((m): m is number[] => m !== null)
    .map((m) => {
      const ids = [...m].sort((a, b) => a - b);
      const descriptors = ids.flatMap((i) => tracks[i]!.descriptors);
      const frames = new Set(ids.flatMap((i) => tracks[i]!.faces.map((f) => f.t)));
      return { rank: 0, centroid: mean(descriptors), tracks: ids, faces: ids.reduce((s, i) => s + tracks[i]!.faces.length, 0), frames: frames.size, first: Math.min(...frames) };
    })
    .sort((a, b) => b.faces - a.faces || b.frames - a.frames || a.first - b.first)
    .map(({ first: _f, ...c }, i) => ({ ...c, rank: i + 1 }));
  return { ...choice, clusters };
}

/** Distance of each face to the target, and which one (if any) is the target: the closest under threshold. */
export function pickTarget(faces: readonly { descriptor: readonly number[] | null }[], target: readonly number[], threshold: number): { distances: (number | null)[]; kept: number | null } {
  const distances = faces.map((f) => (f.descriptor ? descriptorDistance(f.descriptor, target) : null));
  let kept: number | null = null;
  distances.forEach((d, i) => {
    if (d !== null && d < threshold && (kept === null || d < distances[kept]!)) kept = i;
  });
  return { distances, kept };
}
