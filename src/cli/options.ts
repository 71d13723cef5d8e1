/**
 * Every CLI option, as data: one table drives commander, `--help` and the README's option
 * list (a test checks the README names each one). Defaults are not written here: they come
 * from the zod schemas in `src/config/`.
 *
 *   OPTIONS.backend.flags    // '--backend <name>'
 */
import { BACKENDS, EngineConfig } from '../config/engine.ts';
import { SamplesCommandConfig } from '../config/cli.ts';
import { ExtractConfig, SMOOTHING_METHODS } from '../config/extract.ts';
import { PRESETS, UPSAMPLES } from '../config/model.ts';
import { TrainConfig } from '../config/train.ts';
import { SAMPLE_NAMES } from '../config/samples.ts';
import { BenchmarkConfig } from '../config/benchmark.ts';
import { CHECKPOINT_CHOICES, COLOURS, CompositeConfig, DIRECTIONS, MASK_SOURCES, SwapConfig } from '../config/swap.ts';

export interface OptionSpec {
  /** commander flag syntax */
  flags: string;
  description: string;
  /** Valid values, listed in help and errors. */
  choices?: readonly string[];
  /** Environment variable read when the flag is absent. */
  env?: string;
  /** May be given several times (collected into a list). */
  repeatable?: boolean;
  /** Default shown in help (from the zod schema). */
  defaultValue?: string | number | boolean;
}

export const OPTIONS = Object.freeze({
  backend: {
    flags: '--backend <name>',
    description: 'compute backend; auto tries tfjs-node-gpu, tfjs-node, webgpu (a hardware adapter only), wasm, cpu in that order',
    choices: BACKENDS,
    env: 'JANUS_BACKEND',
    defaultValue: EngineConfig.parse({}).backend,
  },
  json: {
    flags: '--json',
    description: 'print machine-readable JSON',
  },
  clusters: {
    flags: '--clusters',
    description: 'list the identity clusters (faces, tracks, frames; the merge threshold) and write a contact sheet PNG per cluster into clusters/ beside the file',
  },
  countFrames: {
    flags: '--count-frames',
    description: 'decode every frame to count them exactly (and check the file is complete)',
  },
  workdir: {
    flags: '--workdir <dir>',
    description: 'run folder (state, logs, outputs); for status/stage/clean the pipeline is read from it',
    defaultValue: 'runs/<pipeline name>',
  },
  set: {
    flags: '--set <key=value>',
    description: 'override a pipeline param (key=value) or a stage param (stage.key=value); repeatable',
    repeatable: true,
  },
  dryRun: {
    flags: '--dry-run',
    description: 'print what would run and why, run nothing',
  },
  force: {
    flags: '--force <stage>',
    description: 'run this stage even if it is up to date; repeatable',
    repeatable: true,
  },
  until: {
    flags: '--until <stage>',
    description: 'run only this stage and the stages it depends on (e.g. --until train); repeatable',
    repeatable: true,
  },
  keepGoing: {
    flags: '--keep-going',
    description: 'after a failure, still run every stage not downstream of it (default: stop at the first failure)',
  },
  all: {
    flags: '--all',
    description: 'clean everything: all outputs except persist ones (checkpoints), the state and the logs',
  },
  extractOut: {
    flags: '--out <dir>',
    description: 'folder for the aligned faces, masks, alignments.json (and the resumable state)',
  },
  identity: {
    flags: '--identity <image|cluster:N>',
    description: 'who to keep: the person in this photo, or identity cluster N of the video\'s face tracks (1 = the largest; list them with janus alignments --clusters)',
    defaultValue: `cluster:${ExtractConfig.parse({}).cluster}`,
  },
  detector: {
    flags: '--detector <name>',
    description: 'face detector: ssd (SsdMobilenetv1) or tiny (TinyFaceDetector)',
    choices: ['ssd', 'tiny'],
    defaultValue: ExtractConfig.parse({}).detector,
  },
  size: {
    flags: '--size <px>',
    description: 'aligned face size, 64-512',
    defaultValue: ExtractConfig.parse({}).size,
  },
  coverage: {
    flags: '--coverage <x>',
    description: 'how much of the head the crop holds: crop width / jaw width, 1-3',
    defaultValue: ExtractConfig.parse({}).coverage,
  },
  minScore: {
    flags: '--min-score <s>',
    description: 'drop detections scoring below this (0-1)',
    defaultValue: ExtractConfig.parse({}).minScore,
  },
  minSize: {
    flags: '--min-size <px>',
    description: 'drop faces whose box is smaller than this',
    defaultValue: ExtractConfig.parse({}).minSize,
  },
  minBlur: {
    flags: '--min-blur <v>',
    description: 'drop faces whose sharpness (variance of the Laplacian) is below this; 0 keeps all',
    defaultValue: ExtractConfig.parse({}).minBlur,
  },
  noSmooth: {
    flags: '--no-smooth',
    description: 'do not smooth landmarks over time (the same as --smoothing none)',
  },
  smoothing: {
    flags: '--smoothing <method>',
    description: 'how landmarks are smoothed over time: a triangle window, a Kalman smoother, a One-Euro filter, or none (README compares them)',
    choices: SMOOTHING_METHODS,
    defaultValue: ExtractConfig.parse({}).smoothing,
  },
  trainA: { flags: '--a <dir>', description: 'aligned faces of identity A (the faces/ folder janus extract wrote)' },
  trainB: { flags: '--b <dir>', description: 'aligned faces of identity B' },
  trainOut: { flags: '--out <dir>', description: 'checkpoint folder, e.g. weights/NAME (a second run resumes from it)' },
  preset: { flags: '--preset <name>', description: 'model size', choices: PRESETS, defaultValue: TrainConfig.parse({}).preset },
  upsample: { flags: '--upsample <how>', description: 'decoder upscaling', choices: UPSAMPLES, defaultValue: TrainConfig.parse({}).upsample },
  iterations: { flags: '--iterations <n>', description: 'total iterations (a resumed run continues up to n)', defaultValue: TrainConfig.parse({}).iterations },
  minutes: { flags: '--minutes <m>', description: 'stop after m minutes (a checkpoint is saved)' },
  targetLoss: { flags: '--target-loss <l>', description: 'stop once both losses are below l' },
  batchSize: { flags: '--batch-size <n>', description: 'faces per identity per iteration', defaultValue: TrainConfig.parse({}).batchSize },
  learningRate: { flags: '--learning-rate <lr>', description: 'Adam learning rate (the peak, after warm-up)', defaultValue: TrainConfig.parse({}).learningRate },
  saveEvery: { flags: '--save-every <n>', description: 'checkpoint, preview.png and loss.png every n iterations (and every --save-minutes)', defaultValue: TrainConfig.parse({}).saveEvery },
  noDssim: { flags: '--no-dssim', description: 'MAE alone: without the DSSIM (structural dissimilarity) term, which is on by default' },
  maskWeight: { flags: '--mask-weight <w>', description: 'face pixels count 1 + w in the loss, background pixels backgroundWeight; 0 = off (uses the masks/ folder beside each faces/)', defaultValue: TrainConfig.parse({}).maskWeight },
  backgroundWeight: { flags: '--background-weight <w>', description: 'weight of background pixels (outside the face mask) in the loss, 0-1; 0 ignores the background', defaultValue: TrainConfig.parse({}).backgroundWeight },
  eyeMouthWeight: { flags: '--eye-mouth-weight <w>', description: 'extra loss weight of the eyes and mouth (landmark template), 0 = off', defaultValue: TrainConfig.parse({}).eyeMouthWeight },
  learnMask: { flags: '--learn-mask', description: 'decoders also learn the face mask (a 4th channel), for composite --mask learned|intersection' },
  trainCoverage: { flags: '--coverage <share>', description: 'share of the aligned crop\'s width the model sees, centred (0-1; swap and composite use the same square)', defaultValue: TrainConfig.parse({}).coverage },
  warpShare: { flags: '--warp-share <x>', description: 'share of the budget trained with random warp; the rest without (0-1)', defaultValue: TrainConfig.parse({}).warpShare },
  warmup: { flags: '--warmup <n>', description: 'iterations of linear learning-rate warm-up', defaultValue: TrainConfig.parse({}).warmup },
  decay: { flags: '--decay <how>', description: 'learning-rate decay over the budget', choices: ['cosine', 'none'], defaultValue: TrainConfig.parse({}).decay },
  minLrShare: { flags: '--min-lr-share <x>', description: 'learning rate at the end of a cosine decay, as a share of --learning-rate', defaultValue: TrainConfig.parse({}).minLrShare },
  colourJitter: { flags: '--colour-jitter <x>', description: 'colour augmentation: ± per-channel gain and lightness of the target faces (0 = off)', defaultValue: TrainConfig.parse({}).colourJitter },
  saveMinutes: { flags: '--save-minutes <m>', description: 'also checkpoint every m minutes (0 = off)', defaultValue: TrainConfig.parse({}).saveMinutes },
  qualityMinutes: { flags: '--quality-minutes <m>', description: 'measure the swap on held-out faces every m minutes into quality.jsonl (0 = off)', defaultValue: TrainConfig.parse({}).qualityMinutes },
  holdout: { flags: '--holdout <share>', description: 'share of each identity\'s faces (the last ones) held out of training for the quality probe', defaultValue: TrainConfig.parse({}).holdout },
  qualitySample: { flags: '--quality-sample <n>', description: 'at most n held-out faces per identity per probe', defaultValue: TrainConfig.parse({}).qualitySample },
  qualityDirection: { flags: '--quality-direction <d>', description: 'which swap the quality probe measures', choices: DIRECTIONS, defaultValue: TrainConfig.parse({}).qualityDirection },
  stopAtQuality: { flags: '--stop-at-quality <share>', description: 'stop once this share of held-out swaps reads closer to the target than to the source, in two probes in a row' },
  init: { flags: '--init <dir>', description: 'start from a pretrained model folder (janus pretrain --out): its encoder, and its generic decoder for both decoders' },
  seed: { flags: '--seed <n>', description: 'seed of the initial weights, batches and augmentation', defaultValue: TrainConfig.parse({}).seed },
  alignments: { flags: '--alignments <file>', description: 'alignments.json of the video (what janus extract wrote for it)' },
  model: { flags: '--model <dir>', description: 'trained model folder (janus train --out, or a run\'s model/)' },
  convertOut: { flags: '--out <file>', description: 'the swapped video (.mp4, .mov or .mkv); its mask, side-by-side, provenance, metrics and report go beside it' },
  convertWorkdir: { flags: '--workdir <dir>', description: 'folder for the resumable state, swapped faces and segments', defaultValue: '<out without extension>.janus' },
  targetAlignments: { flags: '--target <file>', description: 'alignments.json of the other identity, for the identity metrics (distance to the target)' },
  direction: { flags: '--direction <d>', description: 'a-to-b: the video shows A and gets B\'s face (decoder B); b-to-a: the reverse', choices: DIRECTIONS, defaultValue: SwapConfig.parse({}).direction },
  checkpoint: { flags: '--checkpoint <which>', description: 'newest good checkpoint, or best/ (lowest loss)', choices: CHECKPOINT_CHOICES, defaultValue: SwapConfig.parse({}).checkpoint },
  blendMask: { flags: '--mask <source>', description: 'blend with the landmark mask, the model\'s learned mask, or the smaller of both (intersection)', choices: MASK_SOURCES, defaultValue: CompositeConfig.parse({}).mask },
  colour: { flags: '--colour <method>', description: 'colour transfer: rct (mean/std in Lab), hist (histogram matching), none', choices: COLOURS, defaultValue: CompositeConfig.parse({}).colour },
  erode: { flags: '--erode <px>', description: 'shrink the mask by this many pixels (of the aligned crop)', defaultValue: CompositeConfig.parse({}).erode },
  feather: { flags: '--feather <px>', description: 'soften the mask edge over this many pixels (of the aligned crop)', defaultValue: CompositeConfig.parse({}).feather },
  seamless: { flags: '--seamless', description: 'Poisson (seamless) blending of the face into the frame' },
  segmentFrames: { flags: '--segment-frames <n>', description: 'frames per resumable segment', defaultValue: CompositeConfig.parse({}).segmentFrames },
  crf: { flags: '--crf <n>', description: 'x264 quality of the videos, 0 (lossless) to 51', defaultValue: CompositeConfig.parse({}).crf },
  noSideBySide: { flags: '--no-side-by-side', description: 'do not write the side-by-side comparison video' },
  benchmarkOut: { flags: '--out <dir>', description: 'dataset folder (also the resumable work folder: run the same command again to resume)' },
  benchSeed: { flags: '--seed <n>', description: 'seed of the splits, the pair sample and every pair\'s training', defaultValue: BenchmarkConfig.parse({}).seed },
  pairs: { flags: '--pairs <n|all>', description: 'ordered identity pairs per split: all, or this many sampled with the seed', defaultValue: String(BenchmarkConfig.parse({}).pairs) },
  directions: { flags: '--directions <which>', description: 'both: A\'s videos with B\'s face and B\'s with A\'s; one: one direction per pair', choices: ['both', 'one'], defaultValue: BenchmarkConfig.parse({}).directions },
  benchPreset: { flags: '--preset <name>', description: 'model preset trained per pair', choices: PRESETS, defaultValue: BenchmarkConfig.parse({}).preset },
  benchIterations: { flags: '--iterations <n>', description: 'training iterations per pair', defaultValue: BenchmarkConfig.parse({}).iterations },
  benchMinutes: { flags: '--minutes <m>', description: 'at most this many minutes of training per pair' },
  splits: { flags: '--splits <train,val,test>', description: 'fractions of identities per split (identity-disjoint), summing to 1', defaultValue: Object.values(BenchmarkConfig.parse({}).splits).join(',') },
  weights: { flags: '--weights <dir>', description: 'reuse trained models: DIR/<a>__<b> per pair (a previous benchmark\'s work/models)' },
  benchSize: { flags: '--size <px>', description: 'aligned face size', defaultValue: BenchmarkConfig.parse({}).size },
  benchDetector: { flags: '--detector <name>', description: 'face detector', choices: ['ssd', 'tiny'], defaultValue: BenchmarkConfig.parse({}).detector },
  minSwappedShare: { flags: '--min-swapped-share <x>', description: 'drop a fake that swapped fewer than this share of its frames (0-1)', defaultValue: BenchmarkConfig.parse({}).minSwappedShare },
  noIdentityGate: { flags: '--no-identity-gate', description: 'keep fakes whose swapped faces do not read as the target (none of the identity rules apply)' },
  maxTargetDistance: { flags: '--max-target-distance <d>', description: 'drop a fake whose swapped faces\' median descriptor distance to the target is not below d (0.6: face-api\'s same person)', defaultValue: BenchmarkConfig.parse({}).maxTargetDistance },
  minIdentityShare: { flags: '--min-identity-share <x>', description: 'drop a fake where fewer than this share of swapped faces are closer to the target than to the source (0-1)', defaultValue: BenchmarkConfig.parse({}).minIdentityShare },
  latentsOut: { flags: '--out <file>', description: 'JSON file for the latent vectors' },
  latentsSize: { flags: '--faces <n>', description: 'at most this many faces (spread over the video); 0 = all', defaultValue: 0 },
  level: { flags: '--level <c>', description: 'which compression level the detector sees', choices: ['c0', 'c23', 'c40'], defaultValue: 'c23' },
  facesPerVideo: { flags: '--faces-per-video <n>', description: 'faces sampled from each video (fakes: from swapped frames)', defaultValue: 8 },
  baselineModel: { flags: '--model <dir>', description: 'model whose encoder gives the features (default: a train-split pair\'s model)' },
  samplesOut: {
    flags: '--out <dir>',
    description: 'folder to write the sample clips to',
    defaultValue: SamplesCommandConfig.parse({}).out,
  },
  samplesOnly: {
    flags: '--only <name>',
    description: 'build only this identity\'s clip',
    choices: SAMPLE_NAMES,
  },
} satisfies Record<string, OptionSpec>);

export type OptionKey = keyof typeof OPTIONS;
