/**
 * Swap and re-compositing settings: the one place their defaults live (`janus convert`, the
 * `swap` and `composite` stages, pipelines/swap.yaml).
 *
 *   SwapConfig.parse({})        // { direction: 'a-to-b', batchSize: 16, checkpoint: 'latest' }
 *   CompositeConfig.parse({})   // { colour: 'rct', erode: 3, feather: 8, seamless: false, … }
 */
import { z } from 'zod';

export const DIRECTIONS = ['a-to-b', 'b-to-a'] as const;
export type Direction = (typeof DIRECTIONS)[number];
export const COLOURS = ['none', 'rct', 'hist'] as const;
export type ColourMethod = (typeof COLOURS)[number];
/** x264's presets, fastest first: the faster, the bigger the file at one crf. */
export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;
const CHECKPOINT_CHOICES = ['latest', 'best'] as const;
const MASK_SOURCES = ['landmarks', 'learned', 'intersection'] as const;
export type MaskSource = (typeof MASK_SOURCES)[number];

export const SwapConfig = z
  .object({
    /** a-to-b: the video's faces (identity A) get B's face, through decoder B; b-to-a the reverse. */
    direction: z.enum(DIRECTIONS).default('a-to-b').meta({ cli: { help: "a-to-b: the video shows A and gets B's face (decoder B); b-to-a: the reverse", value: 'd' } }),
    /** Faces per forward pass. */
    batchSize: z.number().int().min(1).max(256).default(16),
    /** Which checkpoint of the model folder: the newest good one, or best/ (lowest loss). */
    checkpoint: z.enum(CHECKPOINT_CHOICES).default('latest').meta({ cli: { help: 'newest good checkpoint, or best/ (lowest loss)', value: 'which' } }),
  })
  .strict();
export type SwapConfig = z.infer<typeof SwapConfig>;

export const CompositeConfig = z
  .object({
    /**
     * The mask the swapped face is blended with: the landmark (extended) mask of the source face,
     * the target decoder's learned mask (models trained with learnMask), or the smaller of both.
     */
    mask: z.enum(MASK_SOURCES).default('landmarks').meta({ cli: { help: "blend with the landmark mask, the model's learned mask, or the smaller of both (intersection)", value: 'source' } }),
    /** Colour transfer onto the swapped face: rct (mean/std in Lab), hist (histogram matching), none. */
    colour: z.enum(COLOURS).default('rct').meta({ cli: { help: 'colour transfer: rct (mean/std in Lab), hist (histogram matching), none', value: 'method' } }),
    /** Shrink the mask by this many pixels of the aligned crop before feathering. */
    erode: z.number().int().min(0).max(64).default(3).meta({ cli: { help: 'shrink the mask by this many pixels (of the aligned crop)', value: 'px' } }),
    /** Soften the mask's edge over this many pixels of the aligned crop. */
    feather: z.number().int().min(0).max(64).default(8).meta({ cli: { help: 'soften the mask edge over this many pixels (of the aligned crop)', value: 'px' } }),
    /** Poisson (seamless) blending of the face into the frame. */
    seamless: z.boolean().default(false).meta({ cli: { help: 'Poisson (seamless) blending of the face into the frame' } }),
    /** Frames per resumable segment. */
    segmentFrames: z.number().int().min(1).default(100).meta({ cli: { help: 'frames per resumable segment', value: 'n' } }),
    /** x264 quality of the swapped and side-by-side videos (0 lossless … 51 worst). */
    crf: z.number().int().min(0).max(51).default(18).meta({ cli: { help: 'x264 quality of the videos, 0 (lossless) to 51', value: 'n' } }),
    /**
     * x264 preset of the swapped and side-by-side videos: veryfast encodes 720p about twice as
     * fast as medium at the same crf, in a bigger file (the mask is encoded lossless, crf 0, whatever the preset).
     */
    x264Preset: z.enum(X264_PRESETS).default('medium').meta({ cli: { help: 'x264 preset of the videos: faster ones encode sooner into bigger files at the same crf', value: 'name' } }),
    /**
     * A temporally partial fake (ForgeryNet's kind): swap only inside these spans, given as
     * fractions [from, to] of the video's frames (the benchmark draws them before the frame count
     * is known); every other frame passes through untouched and its mask stays black. Absent:
     * every frame with a kept face.
     */
    partial: z
      .array(z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).refine(([a, b]) => a < b, 'a span [from, to] needs from < to'))
      .min(1)
      .optional(),
  })
  .strict();
export type CompositeConfig = z.infer<typeof CompositeConfig>;

export const MetricsConfig = z
  .object({
    /** Faces per identity (spread evenly over the video) that the metrics are computed on; also the most frames Mask-SSIM reads. */
    sample: z.number().int().min(1).max(10000).default(48),
  })
  .strict();
export type MetricsConfig = z.infer<typeof MetricsConfig>;

/**
 * The inclusive frame ranges [start, end] a partial composite swaps in a video of `frames`
 * frames: each span [from, to] covers frames floor(from * n) to ceil(to * n) - 1 (at least one
 * frame), overlapping or touching ranges merged, ascending.
 *
 *   partialFrames([[0.25, 0.5]], 40)   // [[10, 19]]
 */
export function partialFrames(spans: ReadonlyArray<readonly [number, number]>, frames: number): Array<[number, number]> {
  const ranges = spans
    .map(([a, b]) => {
      const start = Math.min(frames - 1, Math.floor(a * frames));
      return [start, Math.max(start, Math.min(frames - 1, Math.ceil(b * frames) - 1))] as [number, number];
    })
    .sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([...r]);
  }
  return frames > 0 ? out : [];
}
