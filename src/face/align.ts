/**
 * Alignment: the similarity transform that puts a face's landmarks onto the canonical template
 * in an aligned crop, and the crop itself. The forward matrix (frame -> crop) is what the
 * alignments file stores; compositing inverts it exactly.
 *
 *   const a = alignFace(frame, landmarks, { size: 256, coverage: 1.6 });
 *   a.matrix       // frame -> crop
 *   a.image        // 256x256 RGB
 *   a.landmarks    // the 68 points in crop pixels
 */
import { invertAffine, warpAffine } from '../media/warp-affine.ts';
import type { Affine, Point, RgbImage } from '../util/geometry.ts';
import { ALIGN_POINTS, TEMPLATE_68 } from './template.ts';
import { transformPoints, umeyama } from './umeyama.ts';

export interface AlignSettings {
  size: number;
  coverage: number;
}

/** Where the template's points sit in a crop: jaw width = size / coverage, a little forehead room above. */
export function templateInCrop({ size, coverage }: AlignSettings): Point[] {
  const w = size / coverage;
  const cy = size / 2 + 0.06 * w;
  return TEMPLATE_68.map(([x, y]) => [size / 2 + x * w, cy + y * w] as Point);
}

/** The forward matrix frame -> crop fitted on the rigid inner points. */
export function alignmentMatrix(landmarks: readonly Point[], settings: AlignSettings): Affine {
  if (landmarks.length !== 68) throw new Error(`expected 68 landmarks, got ${landmarks.length}`);
  const dst = templateInCrop(settings);
  return umeyama(
    ALIGN_POINTS.map((i) => landmarks[i]!),
    ALIGN_POINTS.map((i) => dst[i]!),
  );
}

export interface AlignedFace {
  matrix: Affine;
  image: RgbImage;
  landmarks: Point[];
}

export function alignFace(frame: RgbImage, landmarks: readonly Point[], settings: AlignSettings): AlignedFace {
  const matrix = alignmentMatrix(landmarks, settings);
  return {
    matrix,
    image: warpAffine(frame, invertAffine(matrix), settings.size, settings.size, { border: 'replicate' }),
    landmarks: transformPoints(matrix, landmarks),
  };
}
