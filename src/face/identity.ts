/**
 * The identity filter: which face is the person we want. The target is a reference photo's
 * descriptor, or else the most frequent identity in the video (greedy clustering of the
 * 128-d face-recognition descriptors, joined under `threshold`).
 *
 *   const target = mostFrequentIdentity(allDescriptors, 0.6);   // { centroid, size, clusters }
 *   const pick = pickTarget(faces, target.centroid, 0.6);       // per frame: index kept, or null
 */
import { descriptorDistance } from './face-api.ts';

export interface IdentityCluster {
  centroid: number[];
  size: number;
}

export function clusterDescriptors(descriptors: readonly (readonly number[])[], threshold: number): IdentityCluster[] {
  const clusters: Array<{ sum: number[]; size: number }> = [];
  for (const d of descriptors) {
    let best = -1;
    let bestDist = Infinity;
    clusters.forEach((c, i) => {
      const dist = descriptorDistance(d, c.sum.map((v) => v / c.size));
      if (dist < bestDist) {
        bestDist = dist;
        best = i;
      }
    });
    if (best >= 0 && bestDist < threshold) {
      const c = clusters[best]!;
      d.forEach((v, i) => (c.sum[i]! += v));
      c.size++;
    } else clusters.push({ sum: [...d], size: 1 });
  }
  return clusters.map((c) => ({ centroid: c.sum.map((v) => v / c.size), size: c.size })).sort((a, b) => b.size - a.size);
}

export function mostFrequentIdentity(descriptors: readonly (readonly number[])[], threshold: number): { centroid: number[]; size: number; clusters: number } | null {
  const clusters = clusterDescriptors(descriptors, threshold);
  const top = clusters[0];
  return top ? { ...top, clusters: clusters.length } : null;
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
