/**
 * Run one stage that the scheduler decided must run: mark it started, import its kind's
 * implementation (the first stage of a kind to run does; planning never), open its session, run
 * its items (skipping those a killed run finished) and its finishing step, close the session,
 * check and hash its outputs, and record it done, failed or interrupted.
 *
 *   const outcome = await runStage(stage, evaluation, { kind: 'never-run' }, { ...evalContext, signal, reporter, meta });
 *   outcome.state   // 'ran' | 'failed' | 'interrupted'
 *
 * Crash safety: the stage is marked started (`putStage` with status 'started') before any of
 * its work and recorded done (status 'done', with its output hashes) only after its outputs
 * exist; each item is recorded done after its outputs are written. A failed stage's outputs are
 * removed (except `persist` ones); an interrupted one keeps its finished items for the next run.
 */
import { faultPoint } from '../util/fault-point.ts';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import type { BackendRequest } from '../engine/backend-request.ts';
import { randomBytes } from 'node:crypto';
import { UserError, asUserError, errorMessage } from '../util/errors.ts';
import { inputPaths, outputPaths, type EvalContext, type Evaluation } from './fingerprint.ts';
import type { ResolvedStage } from './pipeline-schema.ts';
import { outcome, type Reporter, type StageOutcome } from './reporter.ts';
import { removeLeftTemps, removeOutputs, stageLog } from './run-folder.ts';
import { loadImplementation, type StageContext, type StageDid, type StageImplementation, type StageSetup } from './stage-kind.ts';
import { describeReason, type RunReason } from './stage-reason.ts';

export interface ExecContext extends EvalContext {
  signal: AbortSignal;
  reporter: Reporter;
  meta: Record<string, unknown>;
  backend?: BackendRequest;
  /** Another executor runs the stages' work (src/queue/: workers on other machines); absent: this process. */
  remote?: RemoteExecutor;
}

/** What a remote executor is asked to run: one stage, its items already done skipped. */
export interface RemoteStage {
  stage: ResolvedStage;
  fingerprint: string;
  /** Items this run folder recorded as done (resuming). */
  done: string[];
  /** This run goes on with an interrupted attempt (same fingerprint): its work may be queued or running still. */
  resume: boolean;
  /** The kind's items may be jobs of their own (StageSpec.itemJobs). */
  itemJobs: boolean;
  /** Drawn when the stage starts afresh, kept while it is resumed: its jobs' ids. */
  attempt: string;
}

/**
 * Runs a stage's work elsewhere (the queue executor's workers): the stage's implementation
 * there writes its outputs into the (shared) run folder; `onItems` reports the items done as
 * they finish, so that this process, the only one writing the state, records them.
 */
export interface RemoteExecutor {
  /** Where the work goes, for the records (a queue's URL without its password): `janus status` looks there. */
  readonly where: string;
  /** Before the stage starts afresh: forget its earlier attempt's work (a UserError while it still runs somewhere). */
  discard(stage: ResolvedStage, attempt: string): Promise<void>;
  run(req: RemoteStage, onItems: (p: { total: number; done: string[] }) => void, signal: AbortSignal): Promise<StageDid | undefined>;
}

/** The stage's signal stopped its work. */
export class Interrupted extends Error {}

type Items = NonNullable<StageOutcome['items']>;

export async function runStage(stage: ResolvedStage, e: Evaluation, why: RunReason, c: ExecContext): Promise<StageOutcome> {
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  // an interrupted stage, or a failed one with finished items, goes on where it stopped (same inputs, params and code)
  const stopped = e.record?.status === 'started' || (e.record?.status === 'failed' && c.store.doneItems(stage.name, e.fingerprint).size > 0);
  const resume = stopped && e.record?.fingerprint === e.fingerprint && why.kind !== 'forced';
  const outs = outputPaths(stage, c.workdir);
  const foreign = e.record ? [] : Object.entries(outs).filter(([k, p]) => !stage.persist.includes(k) && existsSync(p));
  if (foreign.length) {
    // never run over a file the state does not say Janus made: starting would remove it
    const list = foreign.map(([k, p]) => `${k} (${p})`).join(', ');
    c.reporter.stageStart(stage.name, why);
    return outcome(stage.name, 'failed', why, {
      error: `stage "${stage.name}" would replace ${list}, which Janus did not make; nothing was touched`,
      userError: true,
      hint: 'move it out of the run folder (or choose another folder) and run again',
    });
  }
  // the attempt: drawn afresh, kept while resumed (a remote executor's job ids); what an earlier one queued
  const attemptKey = `attempt:${stage.name}`;
  const earlier = c.store.meta(attemptKey) || null;
  const queuedAt = c.store.meta(`queued:${stage.name}`) || null;
  try {
    if (!c.remote && queuedAt && why.kind !== 'forced') {
      throw new UserError(`stage "${stage.name}" went to the queue at ${queuedAt} and may still be running on a worker`, `run with --queue ${queuedAt} to take it back (janus status shows the workers), or --force ${stage.name} to start it afresh here`);
    }
    if (c.remote && !resume && earlier) await c.remote.discard(stage, earlier);
  } catch (err) {
    const user = asUserError(err);
    if (!user) throw err;
    c.reporter.stageStart(stage.name, why);
    return outcome(stage.name, 'failed', why, { error: user.message, userError: true, ...(user.hint ? { hint: user.hint } : {}) });
  }
  const attempt = resume && earlier ? earlier : randomBytes(6).toString('hex');
  const log = markStarted(stage, e, resume, c);
  c.store.setMeta(attemptKey, attempt);
  faultPoint('dag.stage-started');
  log(`start: ${describeReason(why)}${resume ? ' (resuming)' : ''}`);
  const setup: StageSetup = {
    name: stage.name,
    params: stage.params,
    inputs: inputPaths(stage, c.stagesByName, c.workdir),
    outputs: outs,
    workdir: c.workdir,
    signal: c.signal,
    log,
    ...(c.backend ? { backend: c.backend } : {}),
    meta: c.meta,
  };
  const progress: { items?: Items } = {};
  try {
    let did: StageDid | undefined;
    if (c.remote) did = await runRemote(c.remote, stage, e, why, { resume, attempt }, c, progress);
    else did = await runStageWork(await loadImplementation(e.kind), setup, localHooks(stage, e, why, c, progress));
    const missing = Object.entries(outs).filter(([, p]) => !existsSync(p));
    if (missing.length) throw new Error(`stage kind "${stage.kind}" finished without writing output ${missing.map(([k, p]) => `${k} (${p})`).join(', ')}`);
    faultPoint('dag.stage-written');
    const hashes = markDone(stage, outs, did, c);
    log(`done in ${seconds().toFixed(2)}s${did ? `: ${JSON.stringify(did)}` : ''}`);
    const outputs = Object.fromEntries(Object.entries(hashes).map(([k, h]) => [k, { path: stage.outputs[k]!, hash: h }]));
    return outcome(stage.name, 'ran', why, { fingerprint: e.fingerprint, seconds: seconds(), items: progress.items, outputs, ...(did ? { did } : {}) });
  } catch (err) {
    const { items } = progress;
    if (c.signal.aborted) {
      log(`interrupted after ${seconds().toFixed(2)}s${items ? ` at ${items.done}/${items.total} items` : ''}`);
      // a remote stage's job goes on on its worker (a rerun re-attaches): its temp files are its own
      if (!c.remote) for (const p of Object.values(outs)) removeLeftTemps(p);
      return outcome(stage.name, 'interrupted', why, { seconds: seconds(), items });
    }
    const user = asUserError(err); // a mistake in the input, or the machine's (disk full, no permission)
    const message = user ? user.message : errorMessage(err);
    log(`FAILED: ${err instanceof Error && !user ? err.stack : `${message}${user?.hint ? ` (fix: ${user.hint})` : ''}`}`);
    markFailed(stage, message, items !== undefined && items.done > 0, c);
    return outcome(stage.name, 'failed', why, { seconds: seconds(), items, error: message, ...(user ? { userError: true } : {}), ...(user?.hint ? { hint: user.hint } : {}) });
  }
}

/** The stage on a remote executor: items reported done are recorded here, as they finish. */
async function runRemote(remote: RemoteExecutor, stage: ResolvedStage, e: Evaluation, why: RunReason, at: { resume: boolean; attempt: string }, c: ExecContext, progress: { items?: Items }): Promise<StageDid | undefined> {
  c.store.setMeta(`queued:${stage.name}`, remote.where); // until it is recorded done or failed: a local run then is refused
  const done = c.store.doneItems(stage.name, e.fingerprint);
  const resumedFrom = done.size;
  c.reporter.stageStart(stage.name, why, resumedFrom ? { done: resumedFrom, total: resumedFrom } : undefined);
  const did = await remote.run(
    { stage, fingerprint: e.fingerprint, done: [...done], resume: at.resume, itemJobs: e.kind.itemJobs === true, attempt: at.attempt },
    (p) => {
      for (const item of p.done) {
        if (done.has(item)) continue;
        done.add(item);
        c.store.markItemDone(stage.name, e.fingerprint, item);
      }
      progress.items = { done: done.size, total: Math.max(p.total, done.size), resumedFrom };
      c.reporter.stageItems(stage.name, done.size, p.total);
    },
    c.signal,
  );
  if (c.signal.aborted) throw new Interrupted();
  return did;
}

/**
 * Clear what a fresh attempt must not see (or, resuming, only the temp files of unfinished
 * items), record the stage as started, and return its log.
 */
function markStarted(stage: ResolvedStage, e: Evaluation, resume: boolean, c: ExecContext): (message: string) => void {
  const outs = outputPaths(stage, c.workdir);
  // what a killed write left, resuming or not; a remote stage's worker clears them as each attempt starts
  // (the coordinator run again may find its job still running, writing)
  if (!c.remote) for (const p of Object.values(outs)) removeLeftTemps(p);
  if (!resume) {
    removeOutputs(stage, c.workdir);
    c.store.clearItems(stage.name);
  }
  c.store.putStage({
    name: stage.name,
    status: 'started',
    fingerprint: e.fingerprint,
    kind: stage.kind,
    codeVersion: e.codeVersion,
    params: e.params,
    defHash: e.defHash,
    inputs: e.inputHashes,
    outputs: {},
    startedAt: Date.now() / 1000,
    finishedAt: null,
    error: null,
    did: null,
  });
  for (const p of Object.values(outs)) mkdirSync(join(p, '..'), { recursive: true });
  return stageLog(c.workdir, stage.name);
}

/** Record the stage done with its output hashes and what it did (and forget its items); returns the hashes. */
function markDone(stage: ResolvedStage, outs: Record<string, string>, did: StageDid | undefined, c: ExecContext): Record<string, string> {
  const outputs = Object.fromEntries(Object.entries(outs).map(([k, p]) => [k, c.hasher.hash(p)]));
  c.store.transaction(() => {
    c.store.putStage({ ...c.store.stage(stage.name)!, status: 'done', outputs, finishedAt: Date.now() / 1000, did: did ?? null });
    faultPoint('dag.state-transaction');
    c.store.clearItems(stage.name);
    c.store.setMeta(`queued:${stage.name}`, '');
  });
  return outputs;
}

/**
 * Record the failure. A stage with finished items keeps them and their outputs (only temp files
 * go: the failed item's partial output), so the next run does not redo them; any other failed
 * stage's outputs are removed (but `persist`).
 */
function markFailed(stage: ResolvedStage, message: string, keepItems: boolean, c: ExecContext): void {
  if (keepItems) for (const p of Object.values(outputPaths(stage, c.workdir))) removeLeftTemps(p);
  else removeOutputs(stage, c.workdir);
  c.store.transaction(() => {
    c.store.putStage({ ...c.store.stage(stage.name)!, status: 'failed', error: message, finishedAt: Date.now() / 1000 });
    if (!keepItems) c.store.clearItems(stage.name);
    c.store.setMeta(`queued:${stage.name}`, ''); // nothing of it runs any more (the queue executor waits for its running jobs)
  });
}

/**
 * `open()`, the work, then `close()` whatever happened. A failing `close()` fails a stage that
 * had succeeded; after another error it is only logged (the first error is the one to report).
 */
export async function withSession<P, S>(kind: StageImplementation<P, S>, setup: StageSetup<P>, work: (ctx: StageContext<P, S>) => Promise<void>): Promise<void> {
  const session = (kind.open ? await kind.open(setup) : undefined) as S;
  const ctx: StageContext<P, S> = { ...setup, session };
  let ok = false;
  try {
    await work(ctx);
    ok = true;
  } finally {
    try {
      await kind.close?.(ctx);
    } catch (err) {
      if (ok) throw err;
      setup.log(`close failed after an earlier error: ${errorMessage(err)}`);
    }
  }
}

/** What a stage's work reports as it goes (`runStageWork`). */
export interface WorkHooks {
  /** The item list is known: the items already done, which are skipped. */
  items?(all: string[]): ReadonlySet<string> | Promise<ReadonlySet<string>>;
  /** An item's outputs are written. */
  itemDone?(item: string, total: number): void | Promise<void>;
  /** A kind without items starts its work. */
  start?(): void;
}

/**
 * A stage's whole work in one session (`open()`, then `close()` whatever happens): its items not
 * done, `itemConcurrency` at a time (the first failure stops the rest), its finishing step, and
 * what it did. Stopped by `setup.signal`: `Interrupted`. This process's stages, `janus verify`'s
 * recomputations and the queue's jobs all run through it.
 */
export async function runStageWork(impl: StageImplementation, setup: StageSetup, hooks: WorkHooks = {}): Promise<StageDid | undefined> {
  let did: StageDid | undefined;
  await withSession(impl, setup, async (ctx) => {
    if (impl.items && impl.runItem) await runItems(impl, ctx, await impl.items(ctx), hooks);
    else hooks.start?.();
    if (impl.run) await impl.run(ctx);
    if (setup.signal.aborted) throw new Interrupted();
    did = impl.did ? await impl.did(ctx) : undefined;
  });
  return did;
}

/** A stage's item list (its session opened and closed for it): what the queue executor spreads over jobs. */
export async function listStageItems(impl: StageImplementation, setup: StageSetup): Promise<string[]> {
  if (!impl.items || !impl.runItem) throw new Error(`stage "${setup.name}": its kind has no items`);
  let all: string[] = [];
  await withSession(impl, setup, async (ctx) => void (all = await impl.items!(ctx)));
  return all;
}

/** Some of a stage's items (`only`, those done skipped) in one session, without its finishing step: one of the queue executor's item jobs. */
export async function runStageItems(impl: StageImplementation, setup: StageSetup, only: ReadonlySet<string>, hooks: WorkHooks = {}): Promise<void> {
  if (!impl.items || !impl.runItem) throw new Error(`stage "${setup.name}": its kind has no items`);
  await withSession(impl, setup, async (ctx) => {
    const all = await impl.items!(ctx);
    const listed = new Set(all);
    const unknown = [...only].filter((i) => !listed.has(i));
    if (unknown.length) throw new Error(`stage "${setup.name}" has no item ${unknown.slice(0, 3).join(', ')} (its inputs changed since the items were listed?)`);
    await runItems(impl, ctx, all, hooks, only);
  });
}

/** The items not done (of `only`, when given), `itemConcurrency` at a time; the first failure stops the rest. */
async function runItems(impl: StageImplementation, ctx: StageContext, all: string[], hooks: WorkHooks, only?: ReadonlySet<string>): Promise<void> {
  const done = (await hooks.items?.(all)) ?? new Set<string>();
  const todo = all.filter((item) => !done.has(item) && (!only || only.has(item)));
  ctx.itemsToRun = todo;
  const q = new PQueue({ concurrency: impl.itemConcurrency ?? 1 });
  let firstError: unknown = null;
  for (const item of todo) {
    void q.add(async () => {
      if (ctx.signal.aborted || firstError !== null) return;
      try {
        await impl.runItem!(ctx, item);
        await hooks.itemDone?.(item, all.length);
      } catch (err) {
        // recorded before the queue starts the next item, which then does not run
        if (firstError === null) firstError = err;
        q.clear();
      }
    });
  }
  await q.onIdle();
  if (firstError !== null) throw firstError;
  if (ctx.signal.aborted) throw new Interrupted();
}

/**
 * This process's stage: the items already done read from the state, each item recorded done
 * as it is written, `progress.items` counting them (what an interrupted or failed outcome reports).
 */
function localHooks(stage: ResolvedStage, e: Evaluation, why: RunReason, c: ExecContext, progress: { items?: Items }): WorkHooks {
  return {
    items(all) {
      c.store.setMeta(`items-total:${stage.name}`, String(all.length));
      const done = c.store.doneItems(stage.name, e.fingerprint);
      const resumedFrom = all.filter((i) => done.has(i)).length;
      progress.items = { done: resumedFrom, total: all.length, resumedFrom };
      c.reporter.stageStart(stage.name, why, { done: resumedFrom, total: all.length });
      return done;
    },
    itemDone(item, total) {
      faultPoint('dag.item-written');
      c.store.markItemDone(stage.name, e.fingerprint, item);
      progress.items!.done++;
      c.reporter.stageItems(stage.name, progress.items!.done, total);
    },
    start: () => c.reporter.stageStart(stage.name, why),
  };
}
