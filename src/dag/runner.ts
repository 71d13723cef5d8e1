/**
 * The resumable DAG runner: runs a loaded pipeline in a run folder, skipping stages whose
 * fingerprint matches, resuming per-item stages where they stopped, with a p-queue per
 * resource class (`gpu` 1 at a time, `cpu` one per core by default).
 *
 *   const result = await runPipeline(pipeline, { workdir: 'runs/demo', registry });
 *   result.ok            // false when a stage failed
 *   result.interrupted   // true after SIGINT/SIGTERM (the CLI exits 130)
 *
 * Crash safety: a stage is marked started before it runs and recorded done only after its
 * outputs exist; outputs are written atomically by the stages; a failed stage's outputs are
 * removed (except `persist` ones) while an interrupted one keeps its finished items for the
 * next run. Fail fast by default (in-flight stages are interrupted); `keepGoing` runs every
 * stage not downstream of a failure.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import PQueue from 'p-queue';
import { TEMP_PREFIX } from '../util/atomic-write.ts';
import { errorMessage, UserError } from '../util/errors.ts';
import { ContentHasher } from './content-hash.ts';
import { evaluateStage, inputPaths, outputPaths, type EvalContext, type Evaluation } from './fingerprint.ts';
import { acquireRunLock } from './lock.ts';
import { writeRunManifest } from './manifest.ts';
import type { Pipeline, ResolvedStage } from './pipeline-schema.ts';
import { silentReporter, type Reporter, type StageOutcome } from './reporter.ts';
import type { StageContext, StageRegistry } from './stage-kind.ts';
import { openStateStore, type StateStore } from './state-store.ts';

export interface RunOptions {
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
  reporter?: Reporter;
  /** Opaque metadata for stages and the run manifest (backend, versions…). */
  meta?: Record<string, unknown>;
  concurrency?: { cpu?: number; gpu?: number };
  /** The command line, for the lock and the manifest. */
  command?: string;
}

export interface RunResult {
  ok: boolean;
  interrupted: boolean;
  outcomes: StageOutcome[];
  manifest: string | null;
}

export function stateDir(workdir: string): string {
  return join(workdir, '.janus');
}

export function openRunState(workdir: string): StateStore {
  return openStateStore(join(stateDir(workdir), 'state.db'));
}

class Interrupted extends Error {}

/** Remove a stage's outputs (all, or all but `persist`). */
export function removeOutputs(stage: ResolvedStage, workdir: string, keepPersist = true): void {
  for (const [name, p] of Object.entries(outputPaths(stage, workdir))) {
    if (keepPersist && stage.persist.includes(name)) continue;
    rmSync(p, { recursive: true, force: true });
  }
}

/** Remove temp files left inside output folders by an interrupted write. */
export function removeTempFiles(dir: string): number {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.name.startsWith(TEMP_PREFIX)) {
      rmSync(p, { recursive: true, force: true });
      n++;
    } else if (e.isDirectory() && e.name !== '.janus') n += removeTempFiles(p);
  }
  return n;
}

export async function runPipeline(pipeline: Pipeline, options: RunOptions): Promise<RunResult> {
  const workdir = resolve(options.workdir);
  const reporter = options.reporter ?? silentReporter;
  const lock = options.dryRun ? null : acquireRunLock(workdir, options.command ?? `run ${pipeline.file}`);
  if (lock?.clearedStale) reporter.message(`cleared a stale lock left by pid ${lock.clearedStale.pid} (${lock.clearedStale.command})`);
  const store = openRunState(workdir);
  const started = new Date();
  try {
    if (!options.dryRun) {
      store.setMeta('pipeline', resolve(pipeline.file));
      store.setMeta('sets', JSON.stringify(pipeline.sets));
    }
    const result = await schedule(pipeline, workdir, store, reporter, options);
    const manifest = options.dryRun ? null : await writeRunManifest({ workdir, pipeline, outcomes: result.outcomes, meta: options.meta ?? {}, started, command: options.command });
    return { ...result, manifest };
  } finally {
    store.close();
    lock?.release();
    reporter.close?.();
  }
}

async function schedule(pipeline: Pipeline, workdir: string, store: StateStore, reporter: Reporter, options: RunOptions): Promise<Omit<RunResult, 'manifest'>> {
  const stagesByName = new Map(pipeline.stages.map((s) => [s.name, s]));
  const force = new Set(options.force ?? []);
  for (const f of force) if (!stagesByName.has(f)) throw new UserError(`--force ${f}: no such stage`, `stages: ${[...stagesByName.keys()].join(', ')}`);
  if (options.only && !stagesByName.has(options.only)) throw new UserError(`no stage "${options.only}" in ${pipeline.file}`, `stages: ${[...stagesByName.keys()].join(', ')}`);

  const ev: EvalContext = { workdir, store, hasher: new ContentHasher(store), registry: options.registry, stagesByName };
  const stageMeta: Record<string, unknown> = { ...options.meta, pipeline: { name: pipeline.name, file: resolve(pipeline.file), sha256: pipeline.sourceHash, params: pipeline.params, sets: pipeline.sets } };
  const internal = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, internal.signal]) : internal.signal;
  const queues = {
    cpu: new PQueue({ concurrency: options.concurrency?.cpu ?? Math.max(1, cpus().length) }),
    gpu: new PQueue({ concurrency: options.concurrency?.gpu ?? 1 }),
  };
  let failed = false;
  const promises = new Map<string, Promise<StageOutcome>>();
  // --until: these stages and everything they read from (make's targets, `dvc repro STAGE`)
  let wanted: Set<string> | null = null;
  if (options.until?.length) {
    wanted = new Set();
    const add = (name: string) => {
      if (wanted!.has(name)) return;
      wanted!.add(name);
      for (const up of stagesByName.get(name)!.upstream) add(up);
    };
    for (const u of options.until) {
      if (!stagesByName.has(u)) throw new UserError(`--until ${u}: no stage "${u}" in ${pipeline.file}`, `stages: ${[...stagesByName.keys()].join(', ')}`);
      add(u);
    }
  }
  const inScope = (s: ResolvedStage) => (!options.only || s.name === options.only) && (!wanted || wanted.has(s.name));

  if (options.only) {
    const target = stagesByName.get(options.only)!;
    for (const up of target.upstream) {
      const e = evaluateStage(stagesByName.get(up)!, ev);
      if (e.reason) {
        throw new UserError(`stage "${target.name}" reads the output of stage "${up}", which is not up to date (${e.reason})`, `run the pipeline first: janus run ${pipeline.file} --workdir ${options.workdir}`);
      }
    }
  }

  for (const stage of pipeline.stages) {
    if (!inScope(stage)) continue;
    promises.set(
      stage.name,
      (async (): Promise<StageOutcome> => {
        const ups = await Promise.all(stage.upstream.filter((u) => promises.has(u)).map((u) => promises.get(u)!));
        const bad = ups.find((o) => ['failed', 'skipped', 'interrupted', 'not-run'].includes(o.state));
        if (bad) return { name: stage.name, state: 'skipped', reason: `upstream stage "${bad.name}" ${bad.state === 'failed' ? 'failed' : `was ${bad.state.replace('-', ' ')}`}` };
        if (signal.aborted) return { name: stage.name, state: 'not-run', reason: failed ? 'stopped after a failure (fail fast; --keep-going runs the rest)' : 'interrupted before it started' };
        const upWillRun = ups.find((o) => o.state === 'would-run');
        if (options.dryRun && upWillRun) return { name: stage.name, state: 'would-run', reason: `upstream stage "${upWillRun.name}" will run` };
        const e = evaluateStage(stage, ev);
        const reason = force.has(stage.name) ? `forced${e.reason ? `; also ${e.reason}` : ''}` : e.reason;
        if (!reason) return { name: stage.name, state: 'up-to-date', reason: 'fingerprint matches', fingerprint: e.fingerprint };
        if (options.dryRun) return { name: stage.name, state: 'would-run', reason, fingerprint: e.fingerprint };
        return queues[stage.resource].add(async () => {
          if (signal.aborted) return { name: stage.name, state: 'not-run', reason: failed ? 'stopped after a failure (fail fast)' : 'interrupted before it started' } as StageOutcome;
          const o = await runStage(stage, e, reason, { ...ev, signal, reporter, meta: stageMeta });
          if (o.state === 'failed') {
            failed = true;
            if (!options.keepGoing) internal.abort();
          }
          return o;
        }) as Promise<StageOutcome>;
      })().then((o) => {
        reporter.stageEnd(o);
        return o;
      }),
    );
  }
  const outcomes = await Promise.all(promises.values());
  const interrupted = !!options.signal?.aborted;
  return { ok: !outcomes.some((o) => o.state === 'failed' || o.state === 'interrupted') && !interrupted, interrupted, outcomes };
}

interface RunStageContext extends EvalContext {
  signal: AbortSignal;
  reporter: Reporter;
  meta: Record<string, unknown>;
}

async function runStage(stage: ResolvedStage, e: Evaluation, reason: string, c: RunStageContext): Promise<StageOutcome> {
  const { store, workdir, reporter } = c;
  const kind = e.kind;
  const t0 = performance.now();
  const resume = e.record?.status === 'started' && e.record.fingerprint === e.fingerprint && !reason.startsWith('forced');
  const outs = outputPaths(stage, workdir);
  if (resume) for (const p of Object.values(outs)) removeTempFiles(p); // temp files of unfinished items
  else {
    removeOutputs(stage, workdir);
    store.clearItems(stage.name);
  }
  store.putStage({
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
  });
  const logDir = join(stateDir(workdir), 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${stage.name}.log`);
  const log = (m: string) => appendFileSync(logFile, `${new Date().toISOString()} ${m}\n`);
  log(`start: ${reason}${resume ? ' (resuming)' : ''}`);
  for (const p of Object.values(outs)) mkdirSync(join(p, '..'), { recursive: true });
  const ctx: StageContext = { name: stage.name, params: stage.params, inputs: inputPaths(stage, c.stagesByName, workdir), outputs: outs, workdir, signal: c.signal, log, meta: c.meta };

  let items: StageOutcome['items'];
  try {
    if (kind.items && kind.runItem) {
      const all = await kind.items(ctx);
      store.setMeta(`items-total:${stage.name}`, String(all.length));
      const done = store.doneItems(stage.name, e.fingerprint);
      const resumedFrom = all.filter((i) => done.has(i)).length;
      let count = resumedFrom;
      items = { done: count, total: all.length, resumedFrom };
      reporter.stageStart(stage.name, reason, { done: count, total: all.length });
      const q = new PQueue({ concurrency: kind.itemConcurrency ?? 1 });
      let firstError: unknown = null;
      for (const item of all) {
        if (done.has(item)) continue;
        q.add(async () => {
          if (c.signal.aborted || firstError !== null) return;
          await kind.runItem!(ctx, item);
          store.markItemDone(stage.name, e.fingerprint, item);
          items!.done = ++count;
          reporter.stageItems(stage.name, count, all.length);
        }).catch((err: unknown) => {
          if (firstError === null) firstError = err;
          q.clear();
        });
      }
      await q.onIdle();
      if (firstError !== null) throw firstError;
      if (c.signal.aborted) throw new Interrupted();
    } else reporter.stageStart(stage.name, reason);
    if (kind.run) await kind.run(ctx);
    if (c.signal.aborted) throw new Interrupted();
    const missing = Object.entries(outs).filter(([, p]) => !existsSync(p));
    if (missing.length) throw new Error(`stage kind "${stage.kind}" finished without writing output ${missing.map(([k, p]) => `${k} (${p})`).join(', ')}`);
    const outputs = Object.fromEntries(Object.entries(outs).map(([k, p]) => [k, c.hasher.hash(p)]));
    store.transaction(() => {
      store.putStage({ ...store.stage(stage.name)!, status: 'done', outputs, finishedAt: Date.now() / 1000 });
      store.clearItems(stage.name);
    });
    const seconds = (performance.now() - t0) / 1000;
    log(`done in ${seconds.toFixed(2)}s`);
    return {
      name: stage.name,
      state: 'ran',
      reason,
      fingerprint: e.fingerprint,
      seconds,
      items,
      outputs: Object.fromEntries(Object.entries(outputs).map(([k, h]) => [k, { path: stage.outputs[k]!, hash: h }])),
    };
  } catch (err) {
    const seconds = (performance.now() - t0) / 1000;
    if (c.signal.aborted) {
      log(`interrupted after ${seconds.toFixed(2)}s${items ? ` at ${items.done}/${items.total} items` : ''}`);
      for (const p of Object.values(outs)) removeTempFiles(p);
      return { name: stage.name, state: 'interrupted', reason, seconds, items };
    }
    const message = errorMessage(err);
    log(`FAILED: ${err instanceof Error && !(err instanceof UserError) ? err.stack : message}`);
    removeOutputs(stage, workdir);
    store.transaction(() => {
      store.putStage({ ...store.stage(stage.name)!, status: 'failed', error: message, finishedAt: Date.now() / 1000 });
      store.clearItems(stage.name);
    });
    return { name: stage.name, state: 'failed', reason, seconds, items, error: message, ...(err instanceof UserError ? { userError: true } : {}) };
  }
}
