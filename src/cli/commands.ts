/**
 * The registry of CLI commands, in the order `--help` lists them: name, arguments, summary and
 * the schema its options come from (settings schemas of src/config/ composed with the
 * command-only ones of src/config/cli.ts). Only metadata: each implementation is imported when
 * its command runs.
 *
 *   COMMANDS.map((c) => c.name)
 *   // ['run', 'status', 'stage', 'clean', 'verify', 'reproduce', 'extract', 'alignments', 'train', 'pretrain', 'convert',
 *   //  'benchmark', 'latents', 'detect-baseline', 'doctor', 'worker', 'redis', 'samples', 'probe']
 */
import type { z } from 'zod';
import { DetectBaselineConfig, BenchmarkConfig } from '../config/benchmark.ts';
import {
  AlignmentsFlags,
  BackendOption,
  BenchmarkPaths,
  CleanFlags,
  ConvertPaths,
  ExtractPaths,
  ForceOption,
  ForeignOutOption,
  LatentsConfig,
  OutputConfig,
  ProbeFlags,
  RunFolderOption,
  RunControls,
  SamplesCommandConfig,
  TrainPaths,
  QueueOption,
  RedisFlags,
  ReproduceFlags,
  VerifyFlags,
  WorkerFlags,
} from '../config/cli.ts';
import { ExtractConfig } from '../config/extract.ts';
import { CompositeConfig, SwapConfig } from '../config/swap.ts';
import { PretrainConfig, TrainConfig } from '../config/train.ts';
import { defineCommand, type CommandSpec } from './command.ts';

// each command's options: a settings schema and the command-only schemas of src/config/cli.ts
export const RunOptions = RunFolderOption.extend(RunControls.shape).extend(ForceOption.shape).extend(BackendOption.shape).extend(QueueOption.shape);
export type RunOpts = z.output<typeof RunOptions>;

export const StatusOptions = RunFolderOption.extend(OutputConfig.shape).extend(QueueOption.shape);
export type StatusOpts = z.output<typeof StatusOptions>;

export const StageOptions = RunFolderOption.extend(ForceOption.shape);
export type StageOpts = z.output<typeof StageOptions>;

export const CleanOptions = RunFolderOption.extend(CleanFlags.shape);
export type CleanOpts = z.output<typeof CleanOptions>;

export const ExtractOptions = ExtractPaths.extend(ExtractConfig.shape).extend(BackendOption.shape).extend(ForeignOutOption.shape);
export type ExtractOpts = z.output<typeof ExtractOptions>;

export const AlignmentsOptions = OutputConfig.extend(AlignmentsFlags.shape);
export type AlignmentsOpts = z.output<typeof AlignmentsOptions>;

export const TrainOptions = TrainPaths.extend(TrainConfig.shape).extend(BackendOption.shape).extend(ForeignOutOption.shape);
export type TrainOpts = z.output<typeof TrainOptions>;

export const PretrainOptions = TrainPaths.pick({ out: true }).extend(PretrainConfig.shape).extend(BackendOption.shape).extend(ForeignOutOption.shape);
export type PretrainOpts = z.output<typeof PretrainOptions>;

export const ConvertOptions = ConvertPaths.extend(SwapConfig.shape).extend(CompositeConfig.shape).extend(BackendOption.shape).extend(ForeignOutOption.shape);
export type ConvertOpts = z.output<typeof ConvertOptions>;

export const BenchmarkOptions = BenchmarkPaths.extend(BenchmarkConfig.shape).extend(BackendOption.shape).extend(ForeignOutOption.shape).extend(QueueOption.shape);
export type BenchmarkOpts = z.output<typeof BenchmarkOptions>;

export const LatentsOptions = LatentsConfig.extend(BackendOption.shape);
export type LatentsOpts = z.output<typeof LatentsOptions>;

export const DetectBaselineOptions = DetectBaselineConfig.extend(BackendOption.shape);
export type DetectBaselineOpts = z.output<typeof DetectBaselineOptions>;

export const DoctorOptions = BackendOption.extend(QueueOption.shape).extend(OutputConfig.shape);
export type DoctorOpts = z.output<typeof DoctorOptions>;

export const SamplesOptions = SamplesCommandConfig;
export type SamplesOpts = z.output<typeof SamplesOptions>;

export const WorkerOptions = QueueOption.extend(WorkerFlags.shape).extend(BackendOption.shape);
export type WorkerOpts = z.output<typeof WorkerOptions>;

export const RedisOptions = RedisFlags;
export type RedisOpts = z.output<typeof RedisOptions>;

export const ReproduceOptions = ReproduceFlags;
export type ReproduceOpts = z.output<typeof ReproduceOptions>;

export const VerifyOptions = VerifyFlags.extend(BackendOption.shape).extend(OutputConfig.shape);
export type VerifyOpts = z.output<typeof VerifyOptions>;

export const ProbeOptions = ProbeFlags.extend(OutputConfig.shape);
export type ProbeOpts = z.output<typeof ProbeOptions>;

export const runCommand = defineCommand({
  name: 'run',
  args: ['<pipeline>'],
  summary: 'run a pipeline (YAML) as a resumable DAG: skip what is up to date, resume what was interrupted',
  options: RunOptions,
  load: () => import('./run.ts'),
});

export const statusCommand = defineCommand({
  name: 'status',
  args: ['[pipeline]'],
  summary: 'show each stage of a run folder: up to date, or why it would run (with item progress); a queued run: its queue and workers',
  options: StatusOptions,
  load: () => import('./status.ts'),
});

export const stageCommand = defineCommand({
  name: 'stage',
  args: ['<name>'],
  summary: 'run one stage alone (refused when its inputs are not up to date)',
  options: StageOptions,
  load: () => import('./stage.ts'),
});

export const cleanCommand = defineCommand({
  name: 'clean',
  args: ['[pipeline]'],
  summary: "remove temp files and unfinished stages' outputs from a run folder (--all: everything but persist outputs)",
  options: CleanOptions,
  load: () => import('./clean.ts'),
});

export const verifyCommand = defineCommand({
  name: 'verify',
  args: ['<run>'],
  summary: 'recompute the stages of a finished run in a scratch folder (recorded inputs, params, pinned budgets) and compare every output: identical, or where it differs and why',
  options: VerifyOptions,
  example: 'janus verify runs/demo --stage swap --stage composite',
  load: () => import('./verify.ts'),
});

export const reproduceCommand = defineCommand({
  name: 'reproduce',
  args: ['<run>'],
  summary: 'write a reproduction kit of a finished run (or benchmark folder): the pipeline, sets with pinned budgets, input hashes, version lock, expected outputs, and reproduce.sh that reruns and checks it',
  options: ReproduceOptions,
  example: 'janus reproduce runs/demo --out kits/demo && bash kits/demo/reproduce.sh',
  load: () => import('./reproduce.ts'),
});

export const extractCommand = defineCommand({
  name: 'extract',
  args: ['<video>'],
  summary: "detect, align and mask the target person's face in every frame (resumable); writes faces/, masks/, alignments.json",
  options: ExtractOptions,
  needsFfmpeg: true,
  example: 'janus extract samples/a.mp4 --out runs/extract-a',
  load: () => import('./extract.ts'),
});

export const alignmentsCommand = defineCommand({
  name: 'alignments',
  args: ['<file>'],
  summary: 'print the counts in an alignments file (frames, no-face and multi-face frames, kept and dropped faces by reason, jitter, target); --clusters: the identity clusters with a contact sheet each',
  options: AlignmentsOptions,
  load: () => import('./alignments.ts'),
});

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'train the shared encoder and decoders A and B on two face folders; resumes from --out',
  options: TrainOptions,
  example: 'janus train --a runs/ea/faces --b runs/eb/faces --out weights/demo',
  load: () => import('./train.ts'),
});

export const pretrainCommand = defineCommand({
  name: 'pretrain',
  args: ['<faces...>'],
  summary: "pretrain the shared encoder and a generic decoder on any people's faces folders; train --init starts from it",
  options: PretrainOptions,
  example: 'janus pretrain runs/c/faces runs/d/faces --out weights/pretrained',
  load: () => import('./pretrain.ts'),
});

export const convertCommand = defineCommand({
  name: 'convert',
  args: ['<video>'],
  summary: 'swap the faces of a video with a trained model (resumable); writes OUT, its mask and side-by-side videos, provenance, metrics and report',
  options: ConvertOptions,
  needsFfmpeg: true,
  example: 'janus convert a.mp4 --alignments runs/ea/alignments.json --model weights/ab --out out/a-as-b.mp4',
  load: () => import('./convert.ts'),
});

export const benchmarkCommand = defineCommand({
  name: 'benchmark',
  args: ['<manifest>'],
  summary: 'a labelled synthetic benchmark (real/, fake/, masks/, c0/c23/c40, metadata.json, frames.csv, splits) from a manifest of videos and identities (resumable)',
  options: BenchmarkOptions,
  needsFfmpeg: true,
  example: 'janus benchmark bench.yaml --out runs/bench',
  load: () => import('./benchmark.ts'),
});

export const latentsCommand = defineCommand({
  name: 'latents',
  args: ['<video>'],
  summary: "export the encoder's bottleneck vector of every kept face of a video (features for detectors)",
  options: LatentsOptions,
  needsFfmpeg: true,
  example: 'janus latents a.mp4 --model weights/ab --alignments ea/alignments.json --out a.latents.json',
  load: () => import('./latents.ts'),
});

export const detectBaselineCommand = defineCommand({
  name: 'detect-baseline',
  args: ['<dir>'],
  summary: 'train and score the baseline detectors (logistic regression on encoder latents, a small CNN on face crops) on a benchmark: AUC and accuracy on the test split per compression level and perturbation type',
  options: DetectBaselineOptions,
  load: () => import('./detect-baseline.ts'),
});

export const doctorCommand = defineCommand({
  name: 'doctor',
  summary: 'show node, tfjs, the backend chosen (and why), ffmpeg, face-api models; say what is missing and how to fix it',
  options: DoctorOptions,
  load: () => import('./doctor.ts'),
});

export const workerCommand = defineCommand({
  name: 'worker',
  summary: "run the stages a coordinator (janus run --queue) puts on the queue, each job in a child process; needs the run folder at the coordinator's path (shared storage)",
  options: WorkerOptions,
  example: 'janus worker --queue redis://10.0.0.5:6379/0 --resource gpu',
  load: () => import('./worker.ts'),
});

export const redisCommand = defineCommand({
  name: 'redis',
  args: ['<action>'],
  summary: "start, stop or show a local Redis server for the queue (Debian's redis-server on 127.0.0.1, append-only, noeviction; installed with apt-get when missing and root)",
  options: RedisOptions,
  example: 'janus redis start && janus doctor --queue redis://127.0.0.1:6379/0',
  load: () => import('./redis.ts'),
});

export const samplesCommand = defineCommand({
  name: 'samples',
  summary: 'build the sample clips (one per identity: ~5 s, 25 fps, 512 px, with audio) from the photos inside face-api',
  options: SamplesOptions,
  needsFfmpeg: true,
  load: () => import('./samples.ts'),
});

export const probeCommand = defineCommand({
  name: 'probe',
  args: ['<video>'],
  summary: 'print what Janus reads from a video: size, fps, frame count, duration, rotation, audio streams',
  options: ProbeOptions,
  needsFfmpeg: true,
  load: () => import('./probe.ts'),
});

export const COMMANDS: readonly CommandSpec[] = Object.freeze([
  runCommand,
  statusCommand,
  stageCommand,
  cleanCommand,
  verifyCommand,
  reproduceCommand,
  extractCommand,
  alignmentsCommand,
  trainCommand,
  pretrainCommand,
  convertCommand,
  benchmarkCommand,
  latentsCommand,
  detectBaselineCommand,
  doctorCommand,
  workerCommand,
  redisCommand,
  samplesCommand,
  probeCommand,
]);

