/**
 * Extraction settings: detector, filters, alignment size and coverage, identity, smoothing.
 * The one place their defaults live (`janus extract`, the `extract` stage and README read them).
 *
 *   ExtractConfig.parse({})            // { detector: 'ssd', size: 256, coverage: 1.6, cluster: 1, … }
 *   parseIdentity('cluster:2')         // { cluster: 2 }: the second-largest identity is the target
 */
import { z } from 'zod';
import { UserError } from '../util/errors.ts';

/** Landmark smoothing methods (their code: src/face/smoothing.ts). */
export const SMOOTHING_METHODS = ['window', 'kalman', 'one-euro', 'none'] as const;
export type SmoothingMethod = (typeof SMOOTHING_METHODS)[number];

/** Without a reference photo the target is this identity cluster (1 = the largest). */
const CLUSTER_DEFAULT = 1;

export const ExtractConfig = z
  .object({
    /** Face detector: SsdMobilenetv1 (accurate) or TinyFaceDetector (fast). */
    detector: z.enum(['ssd', 'tiny']).default('ssd').meta({ cli: { help: 'face detector: ssd (SsdMobilenetv1) or tiny (TinyFaceDetector)', value: 'name' } }),
    /**
     * Run the detector on every Nth frame and follow the faces through the frames between by
     * their landmarks (1 = detect every frame); the detector also runs at a shot change and
     * where a followed face is lost. A face that walks in appears at the next detection frame.
     */
    detectEvery: z.number().int().min(1).max(30).default(3).meta({ cli: { help: 'run the detector every Nth frame (and at shot changes and lost faces), following faces by their landmarks between: 25 extracts 720p about 3x faster than 3', value: 'n' } }),
    /** Minimum detection score (0–1). */
    minScore: z.number().min(0).max(1).default(0.5).meta({ cli: { help: 'drop detections scoring below this (0-1)', value: 's' } }),
    /** Minimum face size: the detection box's shorter side, in frame pixels. */
    minSize: z.number().min(0).default(40).meta({ cli: { help: 'drop faces whose box is smaller than this', value: 'px' } }),
    /** Minimum sharpness: variance of the Laplacian of the aligned face (0 turns it off). */
    minBlur: z.number().min(0).default(15).meta({ cli: { help: 'drop faces whose sharpness (variance of the Laplacian) is below this; 0 keeps all', value: 'v' } }),
    /** Aligned face size in pixels (square). */
    size: z.number().int().min(64).max(512).default(256).meta({ cli: { help: 'aligned face size, 64-512', value: 'px' } }),
    /** How much of the head the crop holds: crop width / jaw-to-jaw width. */
    coverage: z.number().min(1).max(3).default(1.6).meta({ cli: { help: 'how much of the head the crop holds: crop width / jaw width, 1-3', value: 'x' } }),
    /** Reference photo of the person to keep; without one the target is identity cluster `cluster`. */
    identity: z.string().optional().meta({ cli: { help: "who to keep: the person in this photo, or identity cluster N of the video's face tracks (1 = the largest; list them with janus alignments --clusters)", value: 'image|cluster:N', shownDefault: `cluster:${CLUSTER_DEFAULT}` } }),
    /**
     * Without a reference photo: which identity cluster is the target, by rank in size (faces):
     * 1 = the largest. `--identity cluster:N` sets it; `janus alignments FILE --clusters` lists them.
     */
    cluster: z.number().int().min(1).default(CLUSTER_DEFAULT),
    /**
     * Descriptor distance under which a face is the reference photo's person; also where a face
     * track is cut when a new detection's descriptor jumps this far from the track's last one.
     */
    identityThreshold: z.number().min(0).max(2).default(0.6),
    /**
     * Average-linkage descriptor distance under which two clusters of face tracks merge (tracks
     * that share a frame never do). `auto`: Otsu's split between within-track and between-track
     * distances, clamped to `clusterThresholdRange`.
     */
    clusterThreshold: z.union([z.literal('auto'), z.number().min(0).max(2)]).default('auto'),
    /** The range `clusterThreshold: auto` is clamped to (around face-api's usual 0.6). */
    clusterThresholdRange: z
      .tuple([z.number().min(0).max(2), z.number().min(0).max(2)])
      .refine(([lo, hi]) => lo <= hi, 'expected [low, high] with low <= high')
      .default([0.45, 0.7]),
    /** Smooth landmarks across consecutive frames (cuts jitter); false turns smoothing off whatever `smoothing` says (`--no-smooth`). */
    smooth: z.boolean().default(true).meta({ cli: { help: 'do not smooth landmarks over time (the same as --smoothing none)' } }),
    /**
     * How landmarks are smoothed over time (src/face/smoothing.ts): `window` (triangle-weighted
     * centred average), `kalman` (constant-velocity Kalman filter with a Rauch–Tung–Striebel
     * backward pass: extraction sees the whole track, so no lag), `one-euro` (Casiez's adaptive
     * low-pass, causal), `none`. Each restarts after a frame without the face.
     */
    smoothing: z.enum(SMOOTHING_METHODS).default('window').meta({ cli: { help: 'how landmarks are smoothed over time: a triangle window, a Kalman smoother, a One-Euro filter, or none (README compares them)', value: 'method' } }),
    /** window: width in frames (odd). */
    smoothWindow: z.number().int().min(3).max(15).default(5),
    /** kalman: landmark measurement noise (standard deviation), in face widths (jaw to jaw). */
    kalmanMeasurementNoise: z.number().positive().max(1).default(0.005),
    /** kalman: process noise, the standard deviation of a landmark's acceleration, in face widths per frame². */
    kalmanProcessNoise: z.number().positive().max(1).default(0.005),
    /** one-euro: cutoff frequency (Hz) of a still landmark; lower smooths more. */
    oneEuroMinCutoff: z.number().positive().max(100).default(2),
    /** one-euro: how fast the cutoff rises with a landmark's speed (per face width per second); higher lags less. */
    oneEuroBeta: z.number().min(0).max(1000).default(4),
    /** one-euro: cutoff frequency (Hz) of the speed estimate. */
    oneEuroDCutoff: z.number().positive().max(100).default(1),
    /** TinyFaceDetector input size (multiple of 32). */
    tinyInputSize: z.number().int().min(128).max(800).multipleOf(32).default(416),
  })
  .strict();
export type ExtractConfig = z.infer<typeof ExtractConfig>;

/** What `--identity` names: a reference photo, or `cluster:N` (1 = the largest identity cluster). */
export type IdentityChoice = { reference: string } | { cluster: number };

const CLUSTER_CHOICE = /^cluster:(.*)$/;

/**
 * Read an `--identity` value: `cluster:N` (N a whole number from 1) or a photo path.
 *
 *   parseIdentity('cluster:2')   // { cluster: 2 }
 *   parseIdentity('alice.jpg')   // { reference: 'alice.jpg' }
 */
export function parseIdentity(value: string): IdentityChoice {
  const m = CLUSTER_CHOICE.exec(value);
  if (!m) return { reference: value };
  const n = Number(m[1]);
  if (!/^\d+$/.test(m[1]!) || !Number.isInteger(n) || n < 1) {
    throw new UserError(`expected --identity cluster:N with N a whole number from 1 (1 = the largest cluster), got "${value}"`, 'list the clusters with janus alignments FILE --clusters');
  }
  return { cluster: n };
}
