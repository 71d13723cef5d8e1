/**
 * The contract between the DAG and the code that does the work: a stage kind. The DAG knows
 * nothing about faces; a kind is registered by `src/stages/` and named in a pipeline file.
 *
 *   registry.register({
 *     kind: 'probe-video', version: '1',
 *     params: z.object({}).strict(),
 *     async run(ctx) { await writeJsonAtomic(ctx.outputs.info, await probeVideo(ctx.inputs.video)); },
 *   });
 *
 * Per-item stages declare `items()` and `runItem()`: each item writes its own outputs
 * atomically, the DAG records it as done, and a restart skips it. `run()` then finishes the
 * stage (an index, a join); it is optional for item stages.
 * Bump `version` whenever the implementation's output changes: that re-runs the stage.
 */
import type { z } from 'zod';
import { UserError, choices } from '../util/errors.ts';

export interface StageContext<P = Record<string, unknown>> {
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
  /** Run metadata: the caller's (backend…) and `pipeline` ({ name, file, sha256, params, sets }). */
  meta: Record<string, unknown>;
}

export interface StageKind<P = any> {
  kind: string;
  /** Implementation version: part of the fingerprint. */
  version: string;
  description?: string;
  /** Validates the stage's params and supplies defaults. */
  params: z.ZodType<P>;
  /** Names of the inputs and outputs the kind expects (checked when the pipeline loads). */
  inputs?: readonly string[];
  outputs?: readonly string[];
  /** Per-item work: the list of item ids (stable across runs for the same inputs). */
  items?(ctx: StageContext<P>): Promise<string[]> | string[];
  /** Do one item; write its outputs atomically. */
  runItem?(ctx: StageContext<P>, item: string): Promise<void>;
  /** How many items may run at once within the stage (default 1). */
  itemConcurrency?: number;
  /** The whole stage, or the finishing step after the items. */
  run?(ctx: StageContext<P>): Promise<void>;
}

export class StageRegistry {
  private readonly kinds = new Map<string, StageKind>();

  register(kind: StageKind): this {
    if (!kind.run && !(kind.items && kind.runItem)) throw new Error(`stage kind "${kind.kind}" needs run() or items() + runItem()`);
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
