/**
 * The plain data types that geometry and pixels travel in, declared once for every folder:
 * points and boxes in pixel coordinates, affine matrices, and RGB / grey images as raw bytes
 * (the same layout as decoded video frames, so faces, frames, crops and masks share them).
 *
 *   const p: Point = [12.5, 40];
 *   const box: Box = { x: 10, y: 20, width: 64, height: 64 };
 *   const m: Affine = [1, 0, 5, 0, 1, -3];            // (x, y) -> (x + 5, y - 3)
 *   const img: RgbImage = { width: 2, height: 1, data: new Uint8Array(6) };
 *   const mask: GrayImage = { width: 2, height: 1, data: Uint8Array.of(0, 255) };
 */

/** A point (x, y) in pixels; pixel (i, j) sits at coordinate (i, j). */
export type Point = [number, number];

/** An axis-aligned box in pixels: top-left corner and size. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** `[a, b, c, d, e, f]` maps a point (x, y) to (a·x + b·y + c, d·x + e·y + f) (media/warp-affine.ts). */
export type Affine = readonly [number, number, number, number, number, number];

export interface RgbImage {
  width: number;
  height: number;
  /** RGB24, row-major, width*height*3 bytes. */
  data: Uint8Array;
}

/** One byte a pixel (a mask: 255 inside, 0 outside), row-major, width*height bytes. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}
