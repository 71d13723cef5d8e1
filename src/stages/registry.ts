/**
 * Every stage kind a pipeline file may name, as light specs: name, version, params schema,
 * input and output names (all the DAG needs to load, plan, fingerprint, report and clean a
 * run). Each kind's implementation (`src/stages/<kind>.ts`: domain code, tfjs, sharp, ffmpeg)
 * is imported by `load()` only when a stage of the kind runs, so `janus status`, `clean` and
 * the planning of `janus run` start without it. `src/stages/` wires domain code into the DAG;
 * the DAG itself (`src/dag/`) knows none of them.
 *
 *   stageRegistry.names()   // ['composite', 'compress-ladder', 'extract', 'gather-faces', 'probe-video', 'sample-clip', 'swap', …]
 *   stageRegistry.get('swap').version   // '2' (no tfjs loaded)
 *
 * Bump a kind's `version` here whenever its implementation's output changes: that re-runs it.
 */
import { z } from 'zod';
import { ExtractConfig } from '../config/extract.ts';
import { SampleClipConfig, SAMPLE_NAMES, type SampleName } from '../config/samples.ts';
import { CompositeConfig, MetricsConfig, SwapConfig } from '../config/swap.ts';
import { PERTURBATION_TYPES } from '../config/perturbation.ts';
import { TrainConfig } from '../config/train.ts';
import { CLOCK_IN_HTML } from '../swap/clock-mark.ts';
import { StageRegistry, type StageKind } from '../dag/stage-kind.ts';

// the params of the kinds whose settings are not a command's too (those live in src/config/)
const NoParams = z.object({}).strict();
export type NoParams = z.infer<typeof NoParams>;

/** `extract`: the extraction settings; the identity photo is an input, not a param. */
export const ExtractParams = ExtractConfig.omit({ identity: true });
export type ExtractParams = z.infer<typeof ExtractParams>;

export const ProbeVideoParams = z
  .object({
    /** Decode every frame to count them exactly (and check the file is complete). */
    countFrames: z.boolean().default(false),
  })
  .strict();
export type ProbeVideoParams = z.infer<typeof ProbeVideoParams>;

export const SampleClipParams = SampleClipConfig.extend({
  /** Which identity (see src/config/samples.ts). */
  identity: z.enum(SAMPLE_NAMES as [SampleName, ...SampleName[]]),
}).strict();
export type SampleClipParams = z.infer<typeof SampleClipParams>;

export const SwapReportParams = z.object({ faces: z.number().int().min(0).max(64).default(6) }).strict();
export type SwapReportParams = z.infer<typeof SwapReportParams>;

const extract: StageKind<ExtractParams> = {
  kind: 'extract',
  version: '5', // 5: the detector also at shot changes and where a followed face is lost; smoothing per face track
  description: 'detect, align and mask the target identity\'s face in every frame of a video',
  params: ExtractParams,
  inputs: ['video'],
  outputs: ['detections', 'faces', 'masks', 'alignments'],
  load: async () => (await import('./extract.ts')).extractStage,
};

const probeVideo: StageKind<ProbeVideoParams> = {
  kind: 'probe-video',
  version: '1',
  description: 'probe a video: size, fps, frame count, rotation, audio streams (JSON)',
  params: ProbeVideoParams,
  inputs: ['video'],
  outputs: ['info'],
  load: async () => (await import('./probe-video.ts')).probeVideoStage,
};

const sampleClip: StageKind<SampleClipParams> = {
  kind: 'sample-clip',
  version: '1',
  description: 'make a sample clip (pan/zoom/roll/light over a face photo shipped in face-api)',
  params: SampleClipParams,
  outputs: ['video'],
  load: async () => (await import('./sample-clip.ts')).sampleClipStage,
};

const train: StageKind<TrainConfig> = {
  kind: 'train',
  version: '2',
  description: 'train the shared encoder and decoders A and B on two face sets (resumes from its checkpoints)',
  params: TrainConfig,
  inputs: ['a', 'b'],
  outputs: ['model'],
  // a rerun does what the record says: the iteration the budget (minutes, target loss, quality) reached, checkpoints and probes where the clock put them
  pin: (_p, did) => {
    const ints = (v: unknown) => (Array.isArray(v) && v.every((x) => Number.isInteger(x) && x > 0) ? (v as number[]) : undefined);
    if (!Number.isInteger(did.iteration) || (did.iteration as number) < 1) return {};
    return { iterations: did.iteration as number, minutes: undefined, targetLoss: undefined, stopAtQuality: undefined, saveAt: ints(did.saves), probeAt: ints(did.probes) };
  },
  clockFields: [
    { file: /(^|\/)state\.json$/, keys: [['savedAt'], ['trainSeconds']] },
    { file: /(^|\/)MANIFEST\.json$/, keys: [['sha256', 'state.json']] },
    { file: /(^|\/)loss\.jsonl$/, keys: [['seconds']] },
    { file: /(^|\/)quality\.jsonl$/, keys: [['minutes']] },
  ],
  load: async () => (await import('./train.ts')).trainStage,
};

const swap: StageKind<SwapConfig> = {
  kind: 'swap',
  version: '3', // 3: swapped face PNGs carry the synthetic mark
  description: 'encode each kept face and decode it with the other identity\'s decoder (per-face items)',
  params: SwapConfig,
  inputs: ['alignments', 'model'],
  outputs: ['faces'],
  load: async () => (await import('./swap.ts')).swapStage,
};

const composite: StageKind<CompositeConfig> = {
  kind: 'composite',
  version: '6', // 3: segments carry the synthetic tags; 4: the audio no longer cuts the video short (no -shortest); 5: the mask encoded from grey; 6: the mask at x264's ultrafast
  description: 'warp the swapped faces back into the frames, blend, encode with the source audio (per-segment items)',
  params: CompositeConfig,
  inputs: ['video', 'alignments', 'swapped'],
  outputs: ['segments', 'video', 'mask', 'stats', 'provenance'],
  itemJobs: true, // a segment starts its own decoder: segments spread over workers
  load: async () => (await import('./composite.ts')).compositeStage,
};

const swapMetrics: StageKind<MetricsConfig> = {
  kind: 'swap-metrics',
  version: '3', // 3: Mask-SSIM (maskSsim)
  description: 'metrics.json: identity distances of the swapped faces, reconstruction PSNR/SSIM, frames swapped, flicker, Mask-SSIM',
  params: MetricsConfig,
  inputs: ['source', 'swapped', 'model', 'composite'],
  outputs: ['metrics'],
  load: async () => (await import('./swap-metrics.ts')).swapMetricsStage,
};

const swapReport: StageKind<SwapReportParams> = {
  kind: 'swap-report',
  version: '4', // 4: quality plotted against iterations, the minutes marked as the clock's
  clockFields: [{ file: /\.html$/, patterns: [CLOCK_IN_HTML] }],
  description: 'report.html: metrics, loss curve, previews, face pairs and links to the videos',
  params: SwapReportParams,
  inputs: ['metrics', 'model', 'alignments', 'swapped'],
  outputs: ['report'],
  load: async () => (await import('./swap-report.ts')).swapReportStage,
};

const gatherFaces: StageKind<NoParams> = {
  kind: 'gather-faces',
  version: '1',
  description: 'one identity\'s faces and masks from several extractions, in one folder',
  params: NoParams,
  outputs: ['faces', 'masks'],
  load: async () => (await import('./gather-faces.ts')).gatherFacesStage,
};

export const CompressLadderParams = z
  .object({
    /** A real person's video going into a dataset: its tags (GPS, device, creation time) are dropped, `tags` written instead. */
    strip: z.boolean().default(false),
    tags: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type CompressLadderParams = z.infer<typeof CompressLadderParams>;

const compressLadder: StageKind<CompressLadderParams> = {
  kind: 'compress-ladder',
  version: '2', // 2: square pixels signalled, frames timed at the stated rate snapped to a common one
  description: 'the video at compression levels c0 (lossless), c23 and c40',
  params: CompressLadderParams,
  inputs: ['video'],
  load: async () => (await import('./compress-ladder.ts')).compressLadderStage,
};

export const PerturbParams = z
  .object({
    /** DeeperForensics-1.0's perturbations, applied in this order (src/config/perturbation.ts). */
    perturbations: z.array(z.object({ type: z.enum(PERTURBATION_TYPES), level: z.number().int().min(1).max(5) }).strict()).min(1),
    /** Seed of the random parts (noise, block positions). */
    seed: z.number().int(),
  })
  .strict();
export type PerturbParams = z.infer<typeof PerturbParams>;

const perturb: StageKind<PerturbParams> = {
  kind: 'perturb',
  version: '1',
  description: "a video with DeeperForensics-1.0's real-world perturbations (colour, blocks, noise, blur, JPEG, video compression)",
  params: PerturbParams,
  inputs: ['video'],
  outputs: ['video'],
  load: async () => (await import('./perturb.ts')).perturbStage,
};

export const stageRegistry = new StageRegistry()
  .register(extract)
  .register(probeVideo)
  .register(sampleClip)
  .register(train)
  .register(swap)
  .register(composite)
  .register(swapMetrics)
  .register(swapReport)
  .register(gatherFaces)
  .register(compressLadder)
  .register(perturb);
