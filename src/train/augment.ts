/**
 * Training augmentation for the face-swap autoencoder (faceswap's recipe): the target is the
 * face after a random flip, small rotation/scale/shift and lightness/colour jitter; the input is
 * that same face seen through a random grid warp, so the network must learn the face, not copy
 * pixels.
 *
 *   const { input, target } = augmentFace(face, 64, rng);   // Float32Arrays, HWC, 0..1
 */
import { bilinearAt, newTap, sampleBilinear } from '../media/bilinear.ts';
import type { Rng } from '../util/rng.ts';

export interface AugmentSettings {
  /** Rotation range in degrees (±). */
  rotation: number;
  /** Scale range (±, fraction). */
  zoom: number;
  /** Shift range (±, fraction of the size). */
  shift: number;
  /** Probability of a horizontal flip. */
  flip: number;
  /** Lightness jitter (±, added to every channel). */
  lightness: number;
  /** Per-channel colour jitter (±, multiplicative). */
  colour: number;
  /** Random-warp strength: std of the 5x5 grid's control-point offsets, as a fraction of the size. */
  warp: number;
}

export const DEFAULT_AUGMENT: Readonly<AugmentSettings> = Object.freeze({ rotation: 10, zoom: 0.05, shift: 0.05, flip: 0.5, lightness: 0.05, colour: 0.05, warp: 0.025 });

/**
 * Bilinear sample of all `ch` channels of an HWC float image at (x, y), edge pixels repeated,
 * into out[o..o+ch), each channel as v * gain[c] + add clamped to 0..1 (gain null: as is).
 */
const tap = newTap();
function sampleInto(img: Float32Array, size: number, ch: number, x: number, y: number, out: Float32Array, o: number, gain: readonly number[] | null, add: number): void {
  bilinearAt(x, y, size, size, tap);
  for (let c = 0; c < ch; c++) {
    const v = sampleBilinear(img, ch, tap, c);
    if (gain) {
      const g = v * gain[c]! + add;
      out[o + c] = g < 0 ? 0 : g > 1 ? 1 : g;
    } else out[o + c] = v;
  }
}

/**
 * `mask` (one or more channels, 0..1), when given, follows the target's geometry and comes back
 * as `targetMask`, for mask-weighted losses. The input is sampled from the face once, through
 * the jitter and the warp together (not resampled from the target: no double blur).
 */
export function augmentFace(face: Float32Array, size: number, rng: Rng, s: AugmentSettings = DEFAULT_AUGMENT, mask?: Float32Array): { input: Float32Array; target: Float32Array; targetMask?: Float32Array } {
  if (face.length !== size * size * 3) throw new Error(`expected a ${size}x${size} RGB face (${size * size * 3} floats), got ${face.length}`);
  const mch = mask ? mask.length / (size * size) : 0;
  if (mask && !Number.isInteger(mch)) throw new Error(`expected a ${size}x${size} mask with whole channels, got ${mask.length} floats`);
  // 1. the geometric jitter, as an inverse affine map about the centre: (u, v) -> (x, y) in the face
  const angle = (rng.uniform(-s.rotation, s.rotation) * Math.PI) / 180;
  const scale = 1 + rng.uniform(-s.zoom, s.zoom);
  const tx = rng.uniform(-s.shift, s.shift) * size;
  const ty = rng.uniform(-s.shift, s.shift) * size;
  const flip = rng.next() < s.flip;
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  const h = (size - 1) / 2;
  const fu = flip ? -1 : 1;
  const ou = flip ? size - 1 : 0;
  // x = h + cos*du + sin*dv, y = h - sin*du + cos*dv with du = (flip ? size-1-u : u) - h - tx, dv = v - h - ty
  const mapX = (u: number, v: number) => h + cos * (ou + fu * u - h - tx) + sin * (v - h - ty);
  const mapY = (u: number, v: number) => h - sin * (ou + fu * u - h - tx) + cos * (v - h - ty);
  // 2. light and colour (the same for input and target)
  const light = rng.uniform(-s.lightness, s.lightness);
  const gains = [0, 1, 2].map(() => 1 + rng.uniform(-s.colour, s.colour));
  const target = new Float32Array(size * size * 3);
  const targetMask = mask ? new Float32Array(size * size * mch) : undefined;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const x = mapX(u, v);
      const y = mapY(u, v);
      const i = v * size + u;
      sampleInto(face, size, 3, x, y, target, i * 3, gains, light);
      if (mask) sampleInto(mask, size, mch, x, y, targetMask!, i * mch, null, 0);
    }
  }
  if (s.warp <= 0) return { input: target.slice(), target, targetMask };
  // 3. the random warp: a 5x5 grid of control points moved at random, interpolated to a dense
  //    map in the target's coordinates, then through the jitter into the face
  const G = 5;
  const off = Array.from({ length: G * G * 2 }, () => rng.normal() * s.warp * size);
  const input = new Float32Array(size * size * 3);
  for (let v = 0; v < size; v++) {
    const gy = (v / (size - 1)) * (G - 1);
    const j0 = Math.min(Math.floor(gy), G - 2);
    const fy = gy - j0;
    for (let u = 0; u < size; u++) {
      const gx = (u / (size - 1)) * (G - 1);
      const i0 = Math.min(Math.floor(gx), G - 2);
      const fx = gx - i0;
      const a = (j0 * G + i0) * 2;
      const b = (j0 * G + i0 + 1) * 2;
      const c = ((j0 + 1) * G + i0) * 2;
      const d = ((j0 + 1) * G + i0 + 1) * 2;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      let wu = u + w00 * off[a]! + w10 * off[b]! + w01 * off[c]! + w11 * off[d]!;
      let wv = v + w00 * off[a + 1]! + w10 * off[b + 1]! + w01 * off[c + 1]! + w11 * off[d + 1]!;
      wu = wu < 0 ? 0 : wu > size - 1 ? size - 1 : wu;
      wv = wv < 0 ? 0 : wv > size - 1 ? size - 1 : wv;
      sampleInto(face, size, 3, mapX(wu, wv), mapY(wu, wv), input, (v * size + u) * 3, gains, light);
    }
  }
  return { input, target, targetMask };
}
