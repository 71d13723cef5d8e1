/**
 * Options of the commands that are not a pipeline stage's settings: where things go, output
 * format, run-folder controls, the files a command reads. Like every option, each is a schema
 * field with `cli` metadata (src/config/cli-meta.ts); `src/cli/commands.ts` composes them with
 * the settings schemas into each command's options. Defaults live here and nowhere else.
 *
 *   SamplesCommandConfig.parse({})   // { out: 'samples' }
 *   RunControls.parse({})             // { dryRun: false, keepGoing: false, … }
 */
import { z } from 'zod';
import { BACKENDS, EngineConfig } from './engine.ts';
import { defaultOf } from './parse.ts';
import { SAMPLE_IDENTITIES } from './samples.ts';

const sampleNames = Object.keys(SAMPLE_IDENTITIES) as [keyof typeof SAMPLE_IDENTITIES, ...(keyof typeof SAMPLE_IDENTITIES)[]];

export const SamplesCommandConfig = z
  .object({
    /** Folder the clips are written to. */
    out: z.string().min(1).default('samples').meta({ cli: { help: 'folder to write the sample clips to', value: 'dir' } }),
    /** Build only this identity's clip. */
    only: z.enum(sampleNames).optional().meta({ cli: { help: "build only this identity's clip", value: 'name' } }),
  })
  .strict();
export type SamplesCommandConfig = z.infer<typeof SamplesCommandConfig>;

export const OutputConfig = z
  .object({
    /** Print machine-readable JSON instead of text. */
    json: z.boolean().default(false).meta({ cli: { help: 'print machine-readable JSON' } }),
  })
  .strict();

/**
 * The compute backend as an option: absent unless given, so that JANUS_BACKEND (read by
 * src/engine/backend.ts) and then EngineConfig's default apply.
 */
export const BackendOption = z
  .object({
    backend: z
      .enum(BACKENDS)
      .optional()
      .meta({
        cli: {
          help: 'compute backend; auto tries tfjs-node-gpu, tfjs-node, webgpu (a hardware adapter only), wasm, cpu in that order',
          value: 'name',
          env: 'JANUS_BACKEND',
          shownDefault: defaultOf(EngineConfig, 'backend'),
        },
      }),
  })
  .strict();

/** The run folder of `run`, `status`, `stage`, `clean`. */
export const RunFolderOption = z
  .object({
    workdir: z
      .string()
      .min(1)
      .optional()
      .meta({ cli: { help: 'run folder (state, logs, outputs); for status/stage/clean the pipeline is read from it', value: 'dir', shownDefault: 'runs/<pipeline name>' } }),
  })
  .strict();

export const ForceOption = z
  .object({
    force: z.array(z.string()).optional().meta({ cli: { help: 'run this stage even if it is up to date', value: 'stage' } }),
  })
  .strict();

/** `--force` of the commands that write into an --out folder (extract, convert, benchmark, train, pretrain). */
export const ForeignOutOption = z
  .object({
    force: z.boolean().default(false).meta({ cli: { help: 'use the output folder even when it holds files Janus did not make (they are never removed)' } }),
  })
  .strict();

/** `janus run`'s controls. */
export const RunControls = z
  .object({
    set: z.array(z.string()).optional().meta({ cli: { help: 'override a pipeline param (key=value) or a stage param (stage.key=value)', value: 'key=value' } }),
    until: z.array(z.string()).optional().meta({ cli: { help: 'run only this stage and the stages it depends on (e.g. --until train)', value: 'stage' } }),
    dryRun: z.boolean().default(false).meta({ cli: { help: 'print what would run and why, run nothing' } }),
    forceFolder: z.boolean().default(false).meta({ cli: { help: 'use --workdir even when it holds files Janus did not make (they are never removed)' } }),
    keepGoing: z.boolean().default(false).meta({ cli: { help: 'after a failure, still run every stage not downstream of it (default: stop at the first failure)' } }),
    pin: z.string().min(1).optional().meta({ cli: { help: "do what a recorded run did: its stages' budgets pinned to what they reached (a run-manifest.json: a run folder's, or a reproduction kit's)", value: 'manifest' } }),
  })
  .strict();

export const CleanFlags = z
  .object({
    all: z.boolean().default(false).meta({ cli: { help: 'clean everything: all outputs except persist ones (checkpoints), the state and the logs' } }),
  })
  .strict();

export const ProbeFlags = z
  .object({
    countFrames: z.boolean().default(false).meta({ cli: { help: 'decode every frame to count them exactly (and check the file is complete)' } }),
  })
  .strict();

export const VerifyFlags = z
  .object({
    stage: z.array(z.string().min(1)).optional().meta({ cli: { help: 'verify this stage (default: every stage the run finished)', value: 'name' } }),
    keep: z.boolean().default(false).meta({ cli: { help: 'keep the recomputed outputs (in RUN/.janus/verify/) to look at them' } }),
    expect: z.string().min(1).optional().meta({ cli: { help: "recompute nothing: compare RUN's outputs file by file with a reproduction kit's (its kit.json), as reproduce.sh does", value: 'kit.json' } }),
  })
  .strict();

/** The Redis server of the queue executor (BullMQ); absent: JANUS_QUEUE, else none (the local executor). */
export const QueueOption = z
  .object({
    queue: z.string().min(1).optional().meta({ cli: { help: "the Redis server of the queue (redis://HOST:PORT/DB; a URL without a password takes JANUS_REDIS_PASSWORD's): check it is reachable, 6.2 or newer and never evicts", value: 'url', env: 'JANUS_QUEUE' } }),
  })
  .strict();

/** `janus worker`: which queues it serves and how many jobs at once. */
export const WorkerFlags = z
  .object({
    resource: z.enum(['gpu', 'cpu', 'all']).default('all').meta({ cli: { help: "the resource class whose queue it serves (janus.gpu, janus.cpu) or both", value: 'class' } }),
    concurrency: z.number().int().min(1).max(64).default(1).meta({ cli: { help: 'jobs at once per queue, each in a child process of its own', value: 'n' } }),
    queueLimit: z
      .number()
      .int()
      .min(0)
      .max(10000)
      .optional()
      .meta({ cli: { help: "at most n jobs of this worker's classes at once over all workers (BullMQ's global concurrency: a setting of the queue kept in Redis, the last worker given it sets it; 0 lifts it)", value: 'n' } }),
    lockSeconds: z.number().int().min(2).max(3600).default(30).meta({ cli: { help: "how long a job's lock lasts unrenewed: a job whose worker died goes back to the queue within about twice this (other workers check as often)", value: 's' } }),
  })
  .strict();

/** `janus redis`: a local Redis server for a first try of the queue. */
export const RedisFlags = z
  .object({
    port: z.number().int().min(1).max(65535).default(6379).meta({ cli: { help: 'the port it listens on', value: 'n' } }),
    dir: z.string().min(1).default('runs/.redis').meta({ cli: { help: "the server's folder: redis.conf, append-only files, pid, log", value: 'dir' } }),
    bind: z
      .string()
      .regex(/^[0-9A-Za-z.:]+(,[0-9A-Za-z.:]+)*$/, 'expected addresses separated by commas, e.g. 127.0.0.1,10.0.0.5')
      .default('127.0.0.1')
      .meta({ cli: { help: "the addresses it listens on, comma-separated: add this machine's address for workers on other machines (then a password is required: JANUS_REDIS_PASSWORD)", value: 'addrs' } }),
  })
  .strict();

export const ReproduceFlags = z
  .object({
    out: z.string().min(1).meta({ cli: { help: 'the kit folder to write (new or empty, or an older kit)', value: 'dir' } }),
  })
  .strict();

export const AlignmentsFlags = z
  .object({
    clusters: z
      .boolean()
      .default(false)
      .meta({ cli: { help: 'list the identity clusters (faces, tracks, frames; the merge threshold) and write a contact sheet PNG per cluster into clusters/ beside the file' } }),
  })
  .strict();

export const ExtractPaths = z
  .object({
    out: z.string().min(1).meta({ cli: { help: 'folder for the aligned faces, masks, alignments.json (and the resumable state)', value: 'dir' } }),
  })
  .strict();

export const TrainPaths = z
  .object({
    a: z.string().min(1).meta({ cli: { help: 'aligned faces of identity A: the folder janus extract --out wrote, or its faces/', value: 'dir' } }),
    b: z.string().min(1).meta({ cli: { help: 'aligned faces of identity B (as --a)', value: 'dir' } }),
    out: z.string().min(1).meta({ cli: { help: 'checkpoint folder, e.g. weights/NAME (a second run resumes from it)', value: 'dir' } }),
  })
  .strict();

export const ConvertPaths = z
  .object({
    alignments: z.string().min(1).meta({ cli: { help: 'alignments.json of the video (what janus extract wrote for it)', value: 'file' } }),
    model: z.string().min(1).meta({ cli: { help: "trained model folder (janus train --out, or a run's model/)", value: 'dir' } }),
    out: z
      .string()
      .regex(/\.(mp4|mov|mkv)$/i, 'expected a file name ending in .mp4, .mov or .mkv')
      .meta({ cli: { help: 'the swapped video (.mp4, .mov or .mkv); its mask, side-by-side, provenance, metrics and report go beside it', value: 'file' } }),
    target: z.string().min(1).optional().meta({ cli: { help: 'alignments.json of the other identity, for the identity metrics (distance to the target)', value: 'file' } }),
    workdir: z.string().min(1).optional().meta({ cli: { help: 'folder for the resumable state, swapped faces and segments', value: 'dir', shownDefault: '<out without extension>.janus' } }),
    sideBySide: z.boolean().default(true).meta({ cli: { help: 'do not write the side-by-side comparison video' } }),
  })
  .strict();

export const BenchmarkPaths = z
  .object({
    out: z.string().min(1).meta({ cli: { help: 'dataset folder (also the resumable work folder: run the same command again to resume)', value: 'dir' } }),
  })
  .strict();

export const LatentsConfig = z
  .object({
    model: z.string().min(1).meta({ cli: { help: "trained model folder (janus train --out, or a run's model/)", value: 'dir' } }),
    alignments: z.string().min(1).meta({ cli: { help: 'alignments.json of the video (what janus extract wrote for it)', value: 'file' } }),
    out: z.string().min(1).meta({ cli: { help: 'JSON file for the latent vectors', value: 'file' } }),
    faces: z.number().int().min(0).default(0).meta({ cli: { help: 'at most this many faces (spread over the video); 0 = all', value: 'n' } }),
  })
  .strict();
