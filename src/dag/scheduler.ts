/**
 * The scheduler: which stages of a loaded pipeline are in scope (`only`, `until`), in what
 * order they may start (after their upstream stages), whether each is up to date or why it
 * must run, and a p-queue per resource class (`gpu` 1 at a time, `cpu` one per core by
 * default) for the ones that run. Fail fast by default (in-flight stages are interrupted);
 * `keepGoing` runs every stage not downstream of a failure.
 *
 *   const { ok, outcomes } = await schedule(pipeline, workdir, store, reporter, { workdir, registry });
 */
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import PQueue from 'p-queue';
import type { BackendRequest } from '../engine/backend-request.ts';
import { UserError } from '../util/errors.ts';
import { ContentHasher } from './content-hash.ts';
import { evaluateStage, type EvalContext, type Evaluation } from './fingerprint.ts';
import type { Pipeline, ResolvedStage } from './pipeline-schema.ts';
import { outcome, type Reporter, type StageOutcome } from './reporter.ts';
import { runStage, type ExecContext, type RemoteExecutor } from './stage-executor.ts';
import type { StageRegistry } from './stage-kind.ts';
import { isBlocking } from './outcome-state.ts';
import { describeReason, type RunReason } from './stage-reason.ts';
import type { StateStore } from './state-store.ts';

export interface ScheduleOptions {
  /** The run folder, as the caller named it (for messages). */
  workdir: string;
  registry: StageRegistry;
  dryRun?: boolean;
  /** Stages to run even when up to date. */
  force?: string[];
  keepGoing?: boolean;
  /** Run only this stage (its upstream must be up to date). */
  only?: string;
  /** Run these stages and every stage they depend on, nothing downstream. */
  until?: string[];
  signal?: AbortSignal;
  /** Opaque metadata for stages and the run manifest (versions…; the runner adds `backend` from `backend`). */
  meta?: Record<string, unknown>;
  /** The compute backend the caller resolved; stages read it from their context. */
  backend?: BackendRequest;
  concurrency?: { cpu?: number; gpu?: number };
  /** Stages' work runs on another executor (the queue's workers); the workers' own concurrency then limits it. */
  remote?: RemoteExecutor;
}

export interface ScheduleResult {
  ok: boolean;
  interrupted: boolean;
  outcomes: StageOutcome[];
}

export async function schedule(pipeline: Pipeline, workdir: string, store: StateStore, reporter: Reporter, options: ScheduleOptions): Promise<ScheduleResult> {
  const stagesByName = new Map(pipeline.stages.map((s) => [s.name, s]));
  const inScope = scope(pipeline, stagesByName, options);
  const ev: EvalContext = { workdir, store, hasher: new ContentHasher(store), registry: options.registry, stagesByName };
  if (options.only) requireUpstreamDone(stagesByName.get(options.only)!, ev, pipeline, options);

  const internal = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, internal.signal]) : internal.signal;
  const exec: ExecContext = { ...ev, signal, reporter, meta: stageMeta(pipeline, options), ...(options.backend ? { backend: options.backend } : {}), ...(options.remote ? { remote: options.remote } : {}) };
  const queues = {
    cpu: new PQueue({ concurrency: options.concurrency?.cpu ?? (options.remote ? Infinity : Math.max(1, cpus().length)) }),
    gpu: new PQueue({ concurrency: options.concurrency?.gpu ?? (options.remote ? Infinity : 1) }),
  };
  const force = new Set(options.force ?? []);
  const promises = new Map<string, Promise<StageOutcome>>();
  // a stage that had not started when the run stopped: after a failure (fail fast), or Ctrl-C
  const notRun = (name: string) => outcome(name, 'not-run', internal.signal.aborted ? { kind: 'stopped-after-failure' } : { kind: 'interrupted-before-start' });

  const start = async (stage: ResolvedStage): Promise<StageOutcome> => {
    const ups = await Promise.all(stage.upstream.filter((u) => promises.has(u)).map((u) => promises.get(u)!));
    const bad = ups.find((o) => isBlocking(o.state));
    if (bad && isBlocking(bad.state)) return outcome(stage.name, 'skipped', { kind: 'upstream-blocked', stage: bad.name, state: bad.state });
    if (signal.aborted) return notRun(stage.name);
    const upWillRun = ups.find((o) => o.state === 'would-run');
    if (options.dryRun && upWillRun) return outcome(stage.name, 'would-run', { kind: 'upstream-will-run', stage: upWillRun.name });
    const e = evaluateStage(stage, ev);
    const why: RunReason | null = force.has(stage.name) ? { kind: 'forced', also: e.reason } : e.reason;
    if (!why) return outcome(stage.name, 'up-to-date', { kind: 'up-to-date' }, { fingerprint: e.fingerprint, ...(e.record?.did ? { did: e.record.did } : {}) });
    if (options.dryRun) return outcome(stage.name, 'would-run', why, { fingerprint: e.fingerprint });
    return queues[stage.resource].add(() => execute(stage, e, why)) as Promise<StageOutcome>;
  };
  const execute = async (stage: ResolvedStage, e: Evaluation, why: RunReason): Promise<StageOutcome> => {
    if (signal.aborted) return notRun(stage.name);
    const o = await runStage(stage, e, why, exec);
    if (o.state === 'failed' && !options.keepGoing) internal.abort();
    return o;
  };

  for (const stage of pipeline.stages) {
    if (!inScope(stage)) continue;
    promises.set(
      stage.name,
      start(stage).then((o) => {
        reporter.stageEnd(o);
        return o;
      }),
    );
  }
  const outcomes = await Promise.all(promises.values());
  const interrupted = !!options.signal?.aborted;
  return { ok: !outcomes.some((o) => o.state === 'failed' || o.state === 'interrupted') && !interrupted, interrupted, outcomes };
}

/** What stages see as `ctx.meta`: the caller's metadata and the pipeline's identity. */
export function stageMeta(pipeline: Pipeline, options: Pick<ScheduleOptions, 'meta'>): Record<string, unknown> {
  return { ...options.meta, pipeline: { name: pipeline.name, file: resolve(pipeline.file), sha256: pipeline.sourceHash, params: pipeline.params, sets: pipeline.sets } };
}

/**
 * Which stages this run covers: all, `only` one, or `until` (these stages and everything they
 * read from, as make's targets or `dvc repro STAGE`). Unknown stage names are the user's mistake.
 */
function scope(pipeline: Pipeline, stagesByName: Map<string, ResolvedStage>, options: ScheduleOptions): (s: ResolvedStage) => boolean {
  const known = () => `stages: ${[...stagesByName.keys()].join(', ')}`;
  for (const f of options.force ?? []) if (!stagesByName.has(f)) throw new UserError(`--force ${f}: no such stage`, known());
  if (options.only && !stagesByName.has(options.only)) throw new UserError(`no stage "${options.only}" in ${pipeline.file}`, known());
  let wanted: Set<string> | null = null;
  if (options.until?.length) {
    const w = new Set<string>();
    const add = (name: string) => {
      if (w.has(name)) return;
      w.add(name);
      for (const up of stagesByName.get(name)!.upstream) add(up);
    };
    for (const u of options.until) {
      if (!stagesByName.has(u)) throw new UserError(`--until ${u}: no stage "${u}" in ${pipeline.file}`, known());
      add(u);
    }
    wanted = w;
  }
  return (s) => (!options.only || s.name === options.only) && (!wanted || wanted.has(s.name));
}

/** `only`: the stage runs alone, so every stage it reads from must be up to date. */
function requireUpstreamDone(target: ResolvedStage, ev: EvalContext, pipeline: Pipeline, options: ScheduleOptions): void {
  for (const up of target.upstream) {
    const e = evaluateStage(ev.stagesByName.get(up)!, ev);
    if (e.reason) {
      throw new UserError(
        `stage "${target.name}" reads the output of stage "${up}", which is not up to date (${describeReason(e.reason)})`,
        `run the pipeline first: janus run ${pipeline.file} --workdir ${options.workdir}`,
      );
    }
  }
}
