/**
 * The contract between the DAG and the code that does the work: a stage kind. The DAG knows
 * nothing about faces; a kind is registered by `src/stages/` and named in a pipeline file.
 *
 * A kind is a light SPEC (name, version, params schema, input and output names: all the DAG
 * needs to load, plan, fingerprint, report and clean) and an IMPLEMENTATION (the hooks that do
 * the work). A kind whose implementation pulls domain code (tfjs, sharp, ffmpeg) names it with
 * `load()`, imported only when a stage of the kind runs, so `janus status` and planning never
 * load it; a small kind (a test's toy) carries its hooks inline.
 *
 *   registry.register({
 *     kind: 'probe-video', version: '1',
 *     params: z.object({}).strict(),
 *     load: async () => (await import('./probe-video.ts')).probeVideoStage,
 *   });
 *   registry.register({ kind: 'copy', version: '1', params: z.object({}).strict(), async run(ctx) { … } });
 *
 * Per-item stages declare `items()` and `runItem()`: each item writes its own outputs
 * atomically, the DAG records it as done, and a restart skips it. `run()` then finishes the
 * stage (an index, a join); it is optional for item stages.
 * A kind that holds state for one run of a stage (a loaded model, a running decoder) creates it
 * in `open()`: the runner calls it once before `items()`, and passes what it returns to every
 * call as `ctx.session`; `close()` is called once after the stage finished, failed or was
 * interrupted, to stop and free what `open()` made.
 * A kind whose params leave something to the machine (a time budget: how far training gets)
 * says what it did with `did()` (recorded with the stage: state DB, run manifest) and how to
 * pin it with the spec's `pin()`: the params that make a rerun do exactly that (janus verify,
 * janus reproduce).
 * Bump `version` whenever the implementation's output changes: that re-runs the stage.
 */
import type { z } from 'zod';
import type { BackendRequest } from '../engine/backend-request.ts';
import { UserError, choices } from '../util/errors.ts';

/** What every hook of a stage gets: the stage as loaded, where its files are, and how to stop. */
export interface StageSetup<P = Record<string, unknown>> {
  /** The stage's name in the pipeline (after template expansion). */
  name: string;
  params: P;
  /** Input name -> absolute path (a file or a folder). */
  inputs: Record<string, string>;
  /** Output name -> absolute path the stage must create (atomically). */
  outputs: Record<string, string>;
  /** The run folder. */
  workdir: string;
  /** Aborted on SIGINT/SIGTERM or when another stage fails (fail fast): stop soon, cleanly. */
  signal: AbortSignal;
  /** Append a line to the stage's log (runs/<name>/.janus/logs/<stage>.log). */
  log(message: string): void;
  /**
   * The compute backend the caller asked for (`--backend`, read by the CLI); absent when the
   * caller named none (the engine then reads JANUS_BACKEND, else auto).
   */
  backend?: BackendRequest;
  /** Run metadata: the caller's (backend…) and `pipeline` ({ name, file, sha256, params, sets }). */
  meta: Record<string, unknown>;
}

/** The context of `items()`, `runItem()`, `run()` and `close()`: the setup and the session `open()` made. */
export interface StageContext<P = Record<string, unknown>, S = undefined> extends StageSetup<P> {
  /** What `open()` returned for this run of the stage (undefined for a kind without `open`). */
  session: S;
  /**
   * Per-item stages: the items this session runs, in order (set before the first `runItem()`;
   * a queue job's are its own): a stage may start the next one's work while it finishes one.
   */
  itemsToRun?: readonly string[];
}

/** What a finished stage did beyond its params, as JSON: `{ iteration: 4312, stoppedBy: 'time', engine: { backend: 'wasm', threads: 2 } }`. */
export type StageDid = Record<string, unknown>;

/**
 * The keys of a `did` record that describe the machine the stage computed on, not the work
 * (`engine`: { backend, threads }; `models`: model file hashes; `faceApi`: its version):
 * janus verify names those that differ between the run and its recomputation.
 */
export const DID_MACHINE_KEYS: readonly string[] = ['engine', 'models', 'faceApi'];

/** What the DAG needs to load, plan and fingerprint a stage of the kind: no domain code. */
export interface StageSpec<P = any> {
  kind: string;
  /** Implementation version: part of the fingerprint. */
  version: string;
  description?: string;
  /** Validates the stage's params and supplies defaults. */
  params: z.ZodType<P>;
  /** Names of the inputs and outputs the kind expects (checked when the pipeline loads). */
  inputs?: readonly string[];
  outputs?: readonly string[];
  /**
   * The param values that make a rerun do what a recorded run did (`did`): a `minutes` budget
   * becomes the iteration count it reached. Absent: the params alone decide.
   */
  pin?(params: P, did: StageDid): Partial<P>;
  /**
   * Outputs' records of the clock, left out of a comparison with a rerun (janus verify): per file
   * pattern (relative to the output), the JSON keys (paths into the object; each line of a
   * .jsonl) that hold times, or the text patterns (global regexes) that mark them.
   */
  clockFields?: ReadonlyArray<{ file: RegExp; keys?: ReadonlyArray<readonly string[]>; patterns?: readonly RegExp[] }>;
  /**
   * Its items are independent of one another and each worth a job: the queue executor spreads
   * them over the workers (a few items per job), then runs the finishing step in one more job.
   * Absent: one job does the whole stage (extraction's items follow the video's tracks in order;
   * a swapped face is too small a job).
   */
  itemJobs?: boolean;
}

/** The work of a stage of the kind: `run()`, or `items()` + `runItem()` (and optionally `run()`). */
export interface StageImplementation<P = any, S = any> {
  /** Once per run of the stage, before `items()`: the state its calls share (`ctx.session`). */
  open?(ctx: StageSetup<P>): Promise<S> | S;
  /** Once per run of the stage after `open()`, whether it finished, failed or was interrupted. */
  close?(ctx: StageContext<P, S>): Promise<void> | void;
  /** Per-item work: the list of item ids (stable across runs for the same inputs). */
  items?(ctx: StageContext<P, S>): Promise<string[]> | string[];
  /** Do one item; write its outputs atomically. */
  runItem?(ctx: StageContext<P, S>, item: string): Promise<void>;
  /** How many items may run at once within the stage (default 1). */
  itemConcurrency?: number;
  /** The whole stage, or the finishing step after the items. */
  run?(ctx: StageContext<P, S>): Promise<void>;
  /** After the work succeeded, before `close()`: what it did beyond its params (recorded with the stage; see `pin`). */
  did?(ctx: StageContext<P, S>): Promise<StageDid> | StageDid;
}

/** A spec with its implementation imported on first use (`load`), or inline. */
export type StageKind<P = any, S = any> = StageSpec<P> & ({ load(): Promise<StageImplementation<P, S>> } | (StageImplementation<P, S> & { load?: never }));

const isComplete = (impl: StageImplementation): boolean => Boolean(impl.run || (impl.items && impl.runItem));

/** The kind's implementation: imported now if the kind names it by `load()`. */
export async function loadImplementation<P, S>(kind: StageKind<P, S>): Promise<StageImplementation<P, S>> {
  const impl = kind.load ? await kind.load() : kind;
  if (!isComplete(impl)) throw new Error(`stage kind "${kind.kind}": its implementation has neither run() nor items() + runItem()`);
  return impl;
}

export class StageRegistry {
  private readonly kinds = new Map<string, StageKind>();

  register(kind: StageKind): this {
    if (!kind.load && !isComplete(kind)) throw new Error(`stage kind "${kind.kind}" needs load(), run() or items() + runItem()`);
    this.kinds.set(kind.kind, kind);
    return this;
  }

  has(kind: string): boolean {
    return this.kinds.has(kind);
  }

  get(kind: string, where = ''): StageKind {
    const k = this.kinds.get(kind);
    if (!k) throw new UserError(`${where}expected kind to be one of ${choices(this.names())}, got ${JSON.stringify(kind)}`);
    return k;
  }

  names(): string[] {
    return [...this.kinds.keys()].sort();
  }
}
