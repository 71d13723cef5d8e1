/**
 * Training augmentation for the face-swap autoencoder (faceswap's recipe): the target is the
 * face after a random flip, small rotation/scale/shift and lightness/colour jitter; the input is
 * that same face seen through a random grid warp, so the network must learn the face, not copy
 * pixels.
 *
 *   const { input, target } = augmentFace(face, 64, rng);   // Float32Arrays, HWC, 0..1
 */
import type { Rng } from './rng.ts';

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

/** Bilinear sample of channel `c` of an HWC float image with `ch` channels at (x, y), edge pixels repeated. */
function sample(img: Float32Array, size: number, ch: number, x: number, y: number, c: number): number {
  const xc = x < 0 ? 0 : x > size - 1 ? size - 1 : x;
  const yc = y < 0 ? 0 : y > size - 1 ? size - 1 : y;
  const x0 = Math.floor(xc);
  const y0 = Math.floor(yc);
  const x1 = Math.min(x0 + 1, size - 1);
  const y1 = Math.min(y0 + 1, size - 1);
  const fx = xc - x0;
  const fy = yc - y0;
  const p = (xx: number, yy: number) => img[(yy * size + xx) * ch + c]!;
  return (1 - fy) * ((1 - fx) * p(x0, y0) + fx * p(x1, y0)) + fy * ((1 - fx) * p(x0, y1) + fx * p(x1, y1));
}

/** Resample through a map: out(u, v) = img(mapX(u, v), mapY(u, v)); `ch` channels (3 for faces, 1 for masks). */
function remap(img: Float32Array, size: number, mapX: Float32Array, mapY: Float32Array, ch = 3): Float32Array {
  const out = new Float32Array(size * size * ch);
  for (let i = 0; i < size * size; i++) for (let c = 0; c < ch; c++) out[i * ch + c] = sample(img, size, ch, mapX[i]!, mapY[i]!, c);
  return out;
}

/**
 * `mask` (one channel, 0..1), when given, follows the target's geometry and comes back as
 * `targetMask`, for mask-weighted losses.
 */
export function augmentFace(face: Float32Array, size: number, rng: Rng, s: AugmentSettings = DEFAULT_AUGMENT, mask?: Float32Array): { input: Float32Array; target: Float32Array; targetMask?: Float32Array } {
  if (face.length !== size * size * 3) throw new Error(`expected a ${size}x${size} RGB face (${size * size * 3} floats), got ${face.length}`);
  // 1. the geometric jitter, as an inverse map about the centre
  const angle = (rng.uniform(-s.rotation, s.rotation) * Math.PI) / 180;
  const scale = 1 + rng.uniform(-s.zoom, s.zoom);
  const tx = rng.uniform(-s.shift, s.shift) * size;
  const ty = rng.uniform(-s.shift, s.shift) * size;
  const flip = rng.next() < s.flip;
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  const h = (size - 1) / 2;
  const mapX = new Float32Array(size * size);
  const mapY = new Float32Array(size * size);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const du = (flip ? size - 1 - u : u) - h - tx;
      const dv = v - h - ty;
      mapX[v * size + u] = h + cos * du + sin * dv;
      mapY[v * size + u] = h - sin * du + cos * dv;
    }
  }
  const target = remap(face, size, mapX, mapY);
  const targetMask = mask ? remap(mask, size, mapX, mapY, 1) : undefined;
  // 2. light and colour
  const light = rng.uniform(-s.lightness, s.lightness);
  const gains = [0, 1, 2].map(() => 1 + rng.uniform(-s.colour, s.colour));
  for (let i = 0; i < target.length; i++) target[i] = Math.min(1, Math.max(0, target[i]! * gains[i % 3]! + light));
  // 3. the random warp: a 5x5 grid of control points moved at random, interpolated to a dense map
  const G = 5;
  const off = Array.from({ length: G * G * 2 }, () => rng.normal() * s.warp * size);
  const wx = new Float32Array(size * size);
  const wy = new Float32Array(size * size);
  for (let v = 0; v < size; v++) {
    const gy = (v / (size - 1)) * (G - 1);
    const j0 = Math.min(Math.floor(gy), G - 2);
    const fy = gy - j0;
    for (let u = 0; u < size; u++) {
      const gx = (u / (size - 1)) * (G - 1);
      const i0 = Math.min(Math.floor(gx), G - 2);
      const fx = gx - i0;
      const at = (i: number, j: number, k: number) => off[(j * G + i) * 2 + k]!;
      const bil = (k: number) => (1 - fy) * ((1 - fx) * at(i0, j0, k) + fx * at(i0 + 1, j0, k)) + fy * ((1 - fx) * at(i0, j0 + 1, k) + fx * at(i0 + 1, j0 + 1, k));
      wx[v * size + u] = u + bil(0);
      wy[v * size + u] = v + bil(1);
    }
  }
  const input = remap(target, size, wx, wy);
  return { input, target, targetMask };
}
