/**
 * Extraction settings: detector, filters, alignment size and coverage, identity, smoothing.
 * The one place their defaults live (`janus extract`, the `extract` stage and README read them).
 *
 *   ExtractConfig.parse({})            // { detector: 'ssd', size: 256, coverage: 1.6, … }
 */
import { z } from 'zod';

export const ExtractConfig = z
  .object({
    /** Face detector: SsdMobilenetv1 (accurate) or TinyFaceDetector (fast). */
    detector: z.enum(['ssd', 'tiny']).default('ssd'),
    /**
     * Run the detector on every Nth frame and follow the faces through the frames between by
     * their landmarks (1 = detect every frame). New faces appear at the next detection frame.
     */
    detectEvery: z.number().int().min(1).max(30).default(3),
    /** Minimum detection score (0–1). */
    minScore: z.number().min(0).max(1).default(0.5),
    /** Minimum face size: the detection box's shorter side, in frame pixels. */
    minSize: z.number().min(0).default(40),
    /** Minimum sharpness: variance of the Laplacian of the aligned face (0 turns it off). */
    minBlur: z.number().min(0).default(15),
    /** Aligned face size in pixels (square). */
    size: z.number().int().min(64).max(512).default(256),
    /** How much of the head the crop holds: crop width / jaw-to-jaw width. */
    coverage: z.number().min(1).max(3).default(1.6),
    /** Reference photo of the person to keep; default: the most frequent identity in the video. */
    identity: z.string().optional(),
    /** Descriptor distance under which a face is the target identity. */
    identityThreshold: z.number().min(0).max(2).default(0.6),
    /** Smooth landmarks across consecutive frames (cuts jitter). */
    smooth: z.boolean().default(true),
    /** Smoothing window in frames (odd). */
    smoothWindow: z.number().int().min(3).max(15).default(5),
    /** TinyFaceDetector input size (multiple of 32). */
    tinyInputSize: z.number().int().min(128).max(800).multipleOf(32).default(416),
  })
  .strict();
export type ExtractConfig = z.infer<typeof ExtractConfig>;
