/**
 * Shot changes, for the extractor's face following: a frame is summarised by the mean luma of a
 * coarse grid of blocks, and two consecutive frames belong to different shots when their
 * summaries differ by more than `SHOT_CHANGE_LEVEL` levels on average. A cut makes faces jump
 * (or vanish) between two frames, so the extractor runs the detector there instead of
 * following the previous frame's faces by their landmarks.
 *
 *   const sig = frameSignature(frame);
 *   if (previousSig && isShotChange(previousSig, sig)) ...   // detect on this frame
 */
import type { RgbImage } from '../util/geometry.ts';

const GRID_W = 32;
const GRID_H = 18;
/**
 * Mean absolute difference of the block lumas (0-255) above which two frames are different
 * shots. Measured on the sample clips (moving camera and face, no cut): consecutive frames
 * differ by 2-4 levels at most; a cut from one to the other by 59. A false alarm only costs a
 * detection, a missed cut a few frames followed wrongly (until the faces jump or the next
 * detection frame): the level sits low.
 */
export const SHOT_CHANGE_LEVEL = 10;

/** Mean luma (BT.601) of each block of a 32x18 grid over the frame (sampled every 4th pixel and row). */
export function frameSignature(img: RgbImage): Float32Array {
  const { width: w, height: h, data } = img;
  const sum = new Float64Array(GRID_W * GRID_H);
  const count = new Uint32Array(GRID_W * GRID_H);
  const column = Int32Array.from({ length: w }, (_, x) => Math.min(GRID_W - 1, Math.floor((x * GRID_W) / w)));
  for (let y = 0; y < h; y += 4) {
    const row = Math.min(GRID_H - 1, Math.floor((y * GRID_H) / h)) * GRID_W;
    for (let x = 0, o = y * w * 3; x < w; x += 4, o += 12) {
      const g = row + column[x]!;
      sum[g]! += 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
      count[g]!++;
    }
  }
  const out = new Float32Array(GRID_W * GRID_H);
  for (let g = 0; g < out.length; g++) out[g] = count[g] ? sum[g]! / count[g]! : 0;
  return out;
}

/** The mean absolute difference of two signatures, in luma levels. */
export function signatureDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`signatureDistance: expected two signatures of one size, got ${a.length} and ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - b[i]!);
  return d / a.length;
}

export function isShotChange(a: Float32Array, b: Float32Array): boolean {
  return signatureDistance(a, b) > SHOT_CHANGE_LEVEL;
}
