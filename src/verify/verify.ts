/**
 * `janus verify`'s work: recompute stages of a finished run in a scratch folder, from the inputs
 * the run recorded (checked against their recorded hashes), with the params it recorded and its
 * budgets pinned (the kind's `pin`: a `minutes` run becomes the iteration count it reached), and
 * compare every output with the run's. Stages that differ are explained by what differs between
 * the run's environment and this one.
 *
 *   const r = await verifyRun({ workdir: 'runs/demo', stages: ['swap'] });
 *   r.identical                          // true when every verified output is identical
 *   r.stages[0].outputs[0].comparison    // { identical, files, differences, first? }
 *
 * The scratch folder is `<run>/.janus/verify/<stage>` (removed afterwards unless `keep`); the run's
 * own files are only read. The run's lock is held meanwhile, so no `janus run` changes them.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ContentHasher } from '../dag/content-hash.ts';
import { inputPaths } from '../dag/fingerprint.ts';
import { describePins, pinnedParams } from '../dag/pins.ts';
import { acquireRunLock } from '../dag/lock.ts';
import { readRunManifest, type RunManifest } from '../dag/manifest.ts';
import type { Pipeline, ResolvedStage } from '../dag/pipeline-schema.ts';
import { openRunState, stageLog } from '../dag/run-folder.ts';
import { stageMeta } from '../dag/scheduler.ts';
import { runStageWork } from '../dag/stage-executor.ts';
import { DID_MACHINE_KEYS, loadImplementation, type StageDid, type StageKind } from '../dag/stage-kind.ts';
import type { StageRecord } from '../dag/state-store.ts';
import type { BackendRequest } from '../engine/backend-request.ts';
import { stageRegistry } from '../stages/registry.ts';
import { environmentDifferences, machineEnvironment, type Difference, type Environment } from '../util/environment.ts';
import { UserError, choices, errorMessage } from '../util/errors.ts';
import { provenance } from '../util/provenance.ts';
import { compareOutput, compareWithFingerprints, type OutputComparison } from './compare.ts';
import { PIPELINE_TOKEN, RUN_TOKEN, type ReproductionKit } from './kit.ts';

export interface VerifyOptions {
  workdir: string;
  pipeline: Pipeline;
  /** Stage names to verify (default: every stage the run finished). */
  stages?: string[];
  backend?: BackendRequest;
  /** Keep the scratch folders (default: removed). */
  keep?: boolean;
  signal?: AbortSignal;
  /** One line per step (stage started, compared). */
  progress?: (line: string) => void;
}

export type Verdict = 'identical' | 'differs' | 'not-verified';

export interface OutputVerdict {
  name: string;
  /** Relative to the run folder. */
  path: string;
  comparison?: OutputComparison;
  /** The output's bytes changed since the run recorded them (its hash in state.db). */
  changedSinceRun?: boolean;
}

export interface StageVerdict {
  stage: string;
  kind: string;
  verdict: Verdict;
  /** Why not verified, or what failed. */
  reason?: string;
  /** The params the recomputation changed to do what the run did (pinned budgets). */
  pinned: Record<string, unknown>;
  outputs: OutputVerdict[];
  /** What differs in how this stage computed (backend, threads, model files) between the run and the recomputation. */
  differences: Difference[];
  seconds: number;
  /** Where the recomputation is (with `keep`). */
  scratch?: string;
}

export interface VerifyReport {
  run: string;
  identical: boolean;
  /** What differs between the machine the run was made on and this one. */
  environment: Difference[];
  stages: StageVerdict[];
}

/** The stages to verify: the named ones (each must exist), else all, in pipeline order. */
function chosenStages(pipeline: Pipeline, names: string[] | undefined): ResolvedStage[] {
  if (!names?.length) return pipeline.stages;
  const known = new Set(pipeline.stages.map((s) => s.name));
  for (const n of names) if (!known.has(n)) throw new UserError(`--stage ${n}: the run has no stage "${n}"`, `name one of ${choices(pipeline.stages.map((s) => s.name))}`);
  return pipeline.stages.filter((s) => names.includes(s.name));
}

/** What differs between what the stage did in the run and in the recomputation: engine, models, detector. */
function didDifferences(recorded: StageDid | null, now: StageDid | undefined): Difference[] {
  if (!recorded || !now) return [];
  const out: Difference[] = [];
  const flat = (o: unknown, prefix: string, into: Map<string, string>) => {
    if (o && typeof o === 'object' && !Array.isArray(o)) for (const [k, v] of Object.entries(o)) flat(v, prefix ? `${prefix} ${k}` : k, into);
    else into.set(prefix, JSON.stringify(o ?? null));
  };
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  const machine = (k: string) => DID_MACHINE_KEYS.includes(k);
  flat(Object.fromEntries(Object.entries(recorded).filter(([k]) => machine(k))), '', a);
  flat(Object.fromEntries(Object.entries(now).filter(([k]) => machine(k))), '', b);
  for (const k of new Set([...a.keys(), ...b.keys()])) if (a.get(k) !== b.get(k)) out.push({ what: k, recorded: a.get(k) ?? '(none)', now: b.get(k) ?? '(none)' });
  return out;
}

/**
 * Make `scratch` look like the run folder without the stage's outputs: every other file and
 * folder linked in at its place (the stage reads its inputs' siblings: masks/ beside faces/; its
 * outputs link to their inputs relatively), the outputs' parent folders real, the outputs absent.
 */
function mirrorRunFolder(workdir: string, scratch: string, outputs: string[]): void {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const outs = outputs.map((p) => p.split('/').filter(Boolean).join('/'));
  const walk = (rel: string) => {
    for (const e of readdirSync(join(workdir, rel))) {
      const r = rel ? `${rel}/${e}` : e;
      if (r === '.janus' || outs.includes(r)) continue;
      if (outs.some((p) => p.startsWith(`${r}/`))) {
        mkdirSync(join(scratch, r), { recursive: true });
        walk(r);
      } else symlinkSync(resolve(workdir, r), join(scratch, r));
    }
  };
  walk('');
  for (const p of outs) mkdirSync(join(scratch, p, '..'), { recursive: true });
}

async function verifyStage(stage: ResolvedStage, record: StageRecord | null, kind: StageKind, o: VerifyOptions & { hasher: { hash(path: string): string }; stagesByName: Map<string, ResolvedStage>; meta: Record<string, unknown> }): Promise<StageVerdict> {
  const t0 = performance.now();
  const base = { stage: stage.name, kind: stage.kind, pinned: {}, outputs: [] as OutputVerdict[], differences: [] as Difference[] };
  const seconds = () => (performance.now() - t0) / 1000;
  if (!record || record.status !== 'done') return { ...base, verdict: 'not-verified', reason: `the run did not finish it (${record ? record.status : 'never run'})`, seconds: seconds() };
  const inputs = inputPaths(stage, o.stagesByName, o.workdir);
  for (const [k, p] of Object.entries(inputs)) {
    const now = o.hasher.hash(p);
    if (record.inputs[k] !== undefined && now !== record.inputs[k]) {
      return { ...base, verdict: 'not-verified', reason: `input ${k} (${p}) changed since the stage ran (recorded ${record.inputs[k]!.slice(0, 19)}…, now ${now.slice(0, 19)}…)`, seconds: seconds() };
    }
  }
  const { params, pinned } = pinnedParams(kind, JSON.parse(record.params) as Record<string, unknown>, record.did);
  const scratch = join(o.workdir, '.janus', 'verify', stage.name);
  mirrorRunFolder(o.workdir, scratch, Object.values(stage.outputs));
  const outputs = Object.fromEntries(Object.entries(stage.outputs).map(([k, rel]) => [k, join(scratch, rel)]));
  for (const [k, p] of Object.entries(inputs)) {
    const rel = relative(o.workdir, p);
    if (!rel.startsWith('..') && !isAbsolute(rel)) inputs[k] = join(scratch, rel);
  }
  const log = stageLog(o.workdir, `verify-${stage.name}`);
  o.progress?.(`${stage.name}: recomputing${Object.keys(pinned).length ? ` (pinned: ${describePins(pinned)})` : ''}`);
  let did: StageDid | undefined;
  try {
    did = await runStageWork(await loadImplementation(kind), {
      name: stage.name,
      params,
      inputs,
      outputs,
      workdir: scratch,
      signal: o.signal ?? new AbortController().signal,
      log,
      ...(o.backend ? { backend: o.backend } : {}),
      meta: o.meta,
    });
  } catch (err) {
    if (!o.keep) rmSync(scratch, { recursive: true, force: true });
    if (o.signal?.aborted) throw err;
    return { ...base, pinned, verdict: 'differs', reason: `the recomputation failed: ${errorMessage(err)}`, seconds: seconds() };
  }
  const aliases = [
    [resolve(scratch), RUN_TOKEN],
    [resolve(o.workdir), RUN_TOKEN],
  ] as const;
  const verdicts: OutputVerdict[] = [];
  for (const [k, rel] of Object.entries(stage.outputs)) {
    const original = join(o.workdir, rel);
    if (!existsSync(original)) {
      verdicts.push({ name: k, path: rel, comparison: { identical: false, files: 0, normalised: 0, differences: [{ file: '', kind: 'missing' }], first: { file: '', kind: 'missing' } } });
      continue;
    }
    const comparison = await compareOutput(original, outputs[k]!, { aliases, clockFields: kind.clockFields ?? [] });
    const changedSinceRun = record.outputs[k] !== undefined && o.hasher.hash(original) !== record.outputs[k];
    verdicts.push({ name: k, path: rel, comparison, ...(changedSinceRun ? { changedSinceRun } : {}) });
  }
  if (!o.keep) rmSync(scratch, { recursive: true, force: true });
  const identical = verdicts.every((v) => v.comparison?.identical);
  return { ...base, pinned, verdict: identical ? 'identical' : 'differs', outputs: verdicts, differences: didDifferences(record.did, did), seconds: seconds(), ...(o.keep ? { scratch } : {}) };
}

/**
 * Check a reproduction against a kit: each output of the kit's stages, file by file, against the
 * original's fingerprints (the run folder's and the pipeline file's paths set aside).
 */
export function checkAgainstKit(workdir: string, pipeline: Pipeline, kit: ReproductionKit): VerifyReport {
  const run = resolve(workdir);
  const aliases = [[run, RUN_TOKEN], [resolve(pipeline.file), PIPELINE_TOKEN]] as const;
  const stages: StageVerdict[] = Object.entries(kit.expected).map(([name, outputs]) => {
    const t0 = performance.now();
    const stage = pipeline.stages.find((s) => s.name === name);
    const base = { stage: name, kind: stage?.kind ?? '?', pinned: {}, differences: [] as Difference[] };
    if (!stage) return { ...base, verdict: 'not-verified' as const, reason: `the run has no stage "${name}"`, outputs: [], seconds: 0 };
    const clockFields = stageRegistry.get(stage.kind).clockFields ?? [];
    const verdicts = Object.entries(outputs).map(([k, e]) => ({ name: k, path: e.path, comparison: compareWithFingerprints(join(run, e.path), e.files, { aliases, clockFields }) }));
    return { ...base, verdict: verdicts.every((v) => v.comparison.identical) ? ('identical' as const) : ('differs' as const), outputs: verdicts, seconds: (performance.now() - t0) / 1000 };
  });
  const environment = differencesFromHere(kit.environment ?? { node: kit.versions.node }, { janus: kit.versions.janus, git: { commit: kit.versions.commit } }, kit.versions.packages);
  return { run, identical: stages.length > 0 && stages.every((s) => s.verdict === 'identical'), environment, stages };
}

/** Janus's version and commit, in words. */
function codeVersion(p: { janus: string; git: { commit: string | null; dirty?: boolean | null } }): string {
  return `${p.janus} ${p.git.commit?.slice(0, 12) ?? '(no git)'}${p.git.dirty ? ' with uncommitted changes' : ''}`;
}

/**
 * What differs between a recorded machine (and the Janus and packages that ran there) and this
 * one; the uncommitted-changes flag is compared only where the record has it (a kit's has not).
 */
function differencesFromHere(recorded: Partial<Environment>, code: { janus: string; git: { commit: string | null; dirty?: boolean | null } }, packages: Record<string, string>): Difference[] {
  const now = provenance();
  const here = { janus: now.janus, git: code.git.dirty === undefined ? { commit: now.git.commit } : now.git };
  return environmentDifferences({ ...recorded, janus: codeVersion(code), packages }, { ...machineEnvironment(), janus: codeVersion(here), packages: now.packages });
}

/** What differs between the run's machine (its manifest) and this one. */
export function runEnvironmentDifferences(m: RunManifest): Difference[] {
  return differencesFromHere(m.environment ?? { node: m.provenance.node, platform: m.provenance.platform }, m.provenance, m.provenance.packages);
}

export async function verifyRun(o: VerifyOptions): Promise<VerifyReport> {
  const workdir = resolve(o.workdir);
  const manifest = readRunManifest(workdir);
  const chosen = chosenStages(o.pipeline, o.stages);
  const lock = acquireRunLock(workdir, 'verify');
  const store = openRunState(workdir);
  try {
    // every byte read (a cached hash would trust the file's stat), once per verification
    const raw = new ContentHasher(null);
    const memo = new Map<string, string>();
    const hasher = { hash: (p: string) => memo.get(p) ?? memo.set(p, raw.hash(p)).get(p)! };
    const stagesByName = new Map(o.pipeline.stages.map((s) => [s.name, s]));
    const meta = stageMeta(o.pipeline, { meta: manifest.meta });
    const stages: StageVerdict[] = [];
    for (const stage of chosen) {
      if (o.signal?.aborted) break;
      const v = await verifyStage(stage, store.stage(stage.name), stageRegistry.get(stage.kind), { ...o, workdir, hasher, stagesByName, meta });
      o.progress?.(`${stage.name}: ${v.verdict}${v.reason ? ` (${v.reason})` : ''}`);
      stages.push(v);
    }
    if (!o.keep) rmSync(join(workdir, '.janus', 'verify'), { recursive: true, force: true });
    return { run: workdir, identical: stages.length > 0 && stages.every((s) => s.verdict === 'identical'), environment: runEnvironmentDifferences(manifest), stages };
  } finally {
    store.close();
    lock.release();
  }
}
