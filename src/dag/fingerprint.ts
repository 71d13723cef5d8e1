/**
 * Is a stage up to date, and if not, why? A stage's fingerprint hashes its definition, its
 * implementation version, its params and the content hashes of its inputs (DVC's dvc.lock).
 * The reason compares the recorded run with now, in the order a person would ask: did it
 * finish, did the code change, the params, the definition, an input, an output?
 *
 *   const ev = evaluateStage(stage, ctx);
 *   ev.reason   // null when up to date, else e.g. { kind: 'params-changed', changes: [{ key: 'count', before: 20, after: 30 }] }
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ContentHasher, MISSING } from './content-hash.ts';
import type { ResolvedStage } from './pipeline-schema.ts';
import type { StageKind, StageRegistry } from './stage-kind.ts';
import type { ParamChange, RunReason } from './stage-reason.ts';
import type { StageRecord, StateStore } from './state-store.ts';

/** JSON with sorted keys, so equal values give equal text. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function definitionHash(stage: ResolvedStage): string {
  const inputs = Object.fromEntries(Object.entries(stage.inputs).map(([k, v]) => [k, 'file' in v ? `file:${v.file}` : `@${v.stage}.${v.output}`]));
  return sha256(canonicalJson({ kind: stage.kind, inputs, outputs: stage.outputs, persist: stage.persist }));
}

/** Absolute path of each input (a file, or an upstream stage's output in the run folder). */
export function inputPaths(stage: ResolvedStage, stagesByName: Map<string, ResolvedStage>, workdir: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(stage.inputs).map(([k, v]) => [k, 'file' in v ? v.file : join(workdir, stagesByName.get(v.stage)!.outputs[v.output]!)]),
  );
}

export function outputPaths(stage: ResolvedStage, workdir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(stage.outputs).map(([k, v]) => [k, join(workdir, v)]));
}

export interface Evaluation {
  fingerprint: string;
  defHash: string;
  params: string;
  codeVersion: string;
  inputHashes: Record<string, string>;
  /** null: up to date. */
  reason: RunReason | null;
  record: StageRecord | null;
  kind: StageKind;
}

export interface EvalContext {
  workdir: string;
  store: StateStore;
  hasher: ContentHasher;
  registry: StageRegistry;
  stagesByName: Map<string, ResolvedStage>;
}

/** The params whose values differ between two canonical-JSON param records, by key. */
function paramChanges(before: string, after: string): ParamChange[] {
  const a = JSON.parse(before) as Record<string, unknown>;
  const b = JSON.parse(after) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k])).map((key) => ({ key, before: a[key], after: b[key] }));
}

export function evaluateStage(stage: ResolvedStage, ctx: EvalContext): Evaluation {
  const kind = ctx.registry.get(stage.kind);
  const defHash = definitionHash(stage);
  const params = canonicalJson(stage.params);
  const codeVersion = `${stage.kind}@${kind.version}`;
  const ins = inputPaths(stage, ctx.stagesByName, ctx.workdir);
  const inputHashes = Object.fromEntries(Object.entries(ins).map(([k, p]) => [k, ctx.hasher.hash(p)]));
  const fingerprint = sha256(canonicalJson({ defHash, codeVersion, params, inputHashes }));
  const record = ctx.store.stage(stage.name);
  const ev = { fingerprint, defHash, params, codeVersion, inputHashes, record, kind };

  const missingInput = Object.entries(inputHashes).find(([, h]) => h === MISSING);
  if (missingInput) return { ...ev, reason: { kind: 'missing-input', input: missingInput[0], path: ins[missingInput[0]]! } };

  const outs = outputPaths(stage, ctx.workdir);
  const firstMissingOutput = () => Object.entries(outs).find(([, p]) => ctx.hasher.hash(p) === MISSING);

  if (!record) {
    const m = firstMissingOutput();
    return { ...ev, reason: m ? { kind: 'missing-output', output: m[0], path: stage.outputs[m[0]]! } : { kind: 'never-run' } };
  }
  if (record.status === 'started') {
    const done = ctx.store.countDoneItems(stage.name, record.fingerprint);
    const total = Number(ctx.store.meta(`items-total:${stage.name}`) ?? 0);
    return { ...ev, reason: { kind: 'incomplete', changedSince: record.fingerprint !== fingerprint, items: total ? { done, total } : null } };
  }
  if (record.status === 'failed') return { ...ev, reason: { kind: 'failed-last-time', error: record.error } };
  if (record.codeVersion !== codeVersion) return { ...ev, reason: { kind: 'code-changed', before: record.codeVersion, after: codeVersion } };
  if (record.params !== params) return { ...ev, reason: { kind: 'params-changed', changes: paramChanges(record.params, params) } };
  if (record.defHash !== defHash) return { ...ev, reason: { kind: 'definition-changed' } };
  for (const [k, h] of Object.entries(inputHashes)) {
    if (record.inputs[k] !== h) return { ...ev, reason: { kind: 'input-changed', input: k, path: ins[k]! } };
  }
  for (const [k, p] of Object.entries(outs)) {
    const h = ctx.hasher.hash(p);
    if (h === MISSING) return { ...ev, reason: { kind: 'missing-output', output: k, path: stage.outputs[k]! } };
    if (record.outputs[k] !== h) return { ...ev, reason: { kind: 'output-changed', output: k, path: stage.outputs[k]! } };
  }
  return { ...ev, reason: null };
}
