/**
 * Sample clips: which face of which photo each identity is, and how its clip moves.
 * The one place these numbers live; `make samples` / `janus samples` read them.
 *
 *   const clip = SampleClipConfig.parse({});   // { size: 512, fps: 25, seconds: 5 }
 *   SAMPLE_IDENTITIES.a.photo                 // 'sample3.jpg'
 */
import { z } from 'zod';

export const SampleClipConfig = z
  .object({
    /** Output width and height in pixels (square clips; the issue asks for at most 512). */
    size: z.number().int().min(64).max(512).default(512),
    /** Frames per second (integer). */
    fps: z.number().int().min(1).max(60).default(25),
    /** Length in seconds. */
    seconds: z.number().min(0.2).max(30).default(5),
  })
  .strict();
export type SampleClipConfig = z.infer<typeof SampleClipConfig>;

export interface SampleIdentity {
  /** File name under `@vladmandic/face-api/demo/`. */
  photo: string;
  /** Eye centres and mouth centre in the photo's pixels (from face-api's 68 landmarks, rounded). */
  leftEye: readonly [number, number];
  rightEye: readonly [number, number];
  mouth: readonly [number, number];
  /** Who it is, in words (for README and dataset cards). */
  description: string;
  /** Phase offset of the clip's motion, so clips differ in more than the face. */
  phase: number;
  /** Tone of the clip's audio track (Hz). */
  toneHz: number;
}

/**
 * The identities the sample clips show. `a` and `b` are the pair the demo swaps; `c` and `d`
 * make a mini benchmark possible. Each is a different person, frontal, with level eyes.
 */
export const SAMPLE_IDENTITIES = Object.freeze({
  a: {
    photo: 'sample3.jpg',
    leftEye: [627, 430],
    rightEye: [720, 432],
    mouth: [670, 536],
    description: 'sample3.jpg, left: blonde woman, frontal',
    phase: 0,
    toneHz: 220,
  },
  b: {
    photo: 'sample6.jpg',
    leftEye: [1228, 428],
    rightEye: [1325, 427],
    mouth: [1273, 534],
    description: 'sample6.jpg, third from left: dark-haired woman, frontal',
    phase: 1.7,
    toneHz: 330,
  },
  c: {
    photo: 'sample3.jpg',
    leftEye: [1558, 406],
    rightEye: [1651, 400],
    mouth: [1608, 507],
    description: 'sample3.jpg, right: dark-haired woman, smiling, frontal',
    phase: 3.1,
    toneHz: 440,
  },
  d: {
    photo: 'sample6.jpg',
    leftEye: [700, 454],
    rightEye: [790, 447],
    mouth: [758, 558],
    description: 'sample6.jpg, second from left: young woman with long black hair, smiling',
    phase: 4.6,
    toneHz: 550,
  },
} as const satisfies Record<string, SampleIdentity>);

export type SampleName = keyof typeof SAMPLE_IDENTITIES;
export const SAMPLE_NAMES = Object.keys(SAMPLE_IDENTITIES) as SampleName[];
