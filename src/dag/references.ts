/**
 * A stage spec after expansion becomes a resolved stage: its kind exists and its params
 * validate, its inputs and outputs are the ones the kind needs, each output lies inside the
 * run folder and belongs to one stage only, and each input is a file (resolved against `cwd`)
 * or a reference `@stage.output` to a stage that has that output.
 *
 *   const resolve = stageResolver({ file, registry, byName, cwd });
 *   resolve(spec).inputs.video   // { stage: 'clip-a', output: 'video' } or { file: '/abs/a.mp4' }
 */
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../util/errors.ts';
import type { ResolvedStage, StageSpec } from './pipeline-schema.ts';
import type { StageKind, StageRegistry } from './stage-kind.ts';

const REF = /^@([^.\s]+)\.([A-Za-z0-9_-]+)$/;

export interface ResolveContext {
  file: string;
  registry: StageRegistry;
  /** Every expanded stage by name (what references point at). */
  byName: ReadonlyMap<string, StageSpec>;
  /** Folder that relative input paths are resolved against. */
  cwd: string;
}

/** A resolver for the stages of one pipeline (it checks that no two stages share an output). */
export function stageResolver(c: ResolveContext): (s: StageSpec) => ResolvedStage {
  const outputOwner = new Map<string, string>();
  return (s) => {
    const where = `${c.file}: stage "${s.name}"`;
    const kind = c.registry.get(s.kind, `${where}: `);
    const params = checkParams(kind, s, where);
    checkShape(kind, s, where);
    checkOutputs(s, where, outputOwner);
    const { inputs, upstream } = resolveInputs(s, where, c);
    return { name: s.name, kind: s.kind, resource: s.resource, params, inputs, outputs: s.outputs, persist: s.persist, upstream };
  };
}

/** The params as the kind's schema parses them (defaults filled in). */
function checkParams(kind: StageKind, s: StageSpec, where: string): Record<string, unknown> {
  const parsed = kind.params.safeParse(s.params);
  if (!parsed.success) {
    const iss = parsed.error.issues[0]!;
    throw new UserError(`${where}: params.${iss.path.join('.') || ''}: ${iss.message}`.replace(/params\.: /, 'params: '));
  }
  return parsed.data as Record<string, unknown>;
}

/** The inputs and outputs the kind needs are named; `persist` names outputs. */
function checkShape(kind: StageKind, s: StageSpec, where: string): void {
  for (const need of kind.inputs ?? []) if (!(need in s.inputs)) throw new UserError(`${where}: kind "${s.kind}" needs input "${need}"`, `add inputs: { ${need}: … }`);
  for (const need of kind.outputs ?? []) if (!(need in s.outputs)) throw new UserError(`${where}: kind "${s.kind}" needs output "${need}"`, `add outputs: { ${need}: … }`);
  for (const p of s.persist) if (!(p in s.outputs)) throw new UserError(`${where}: persist names "${p}", which is not one of its outputs (${Object.keys(s.outputs).join(', ')})`);
}

/** Outputs lie inside the run folder and are no other stage's. */
function checkOutputs(s: StageSpec, where: string, outputOwner: Map<string, string>): void {
  for (const [name, path] of Object.entries(s.outputs)) {
    if (isAbsolute(path) || path.split(/[\\/]/).includes('..')) throw new UserError(`${where}: outputs.${name}: expected a path inside the run folder, got "${path}"`);
    const norm = path.replace(/\/+$/, '');
    const other = outputOwner.get(norm);
    if (other) throw new UserError(`${where}: outputs.${name}: "${path}" is also an output of stage "${other}"`);
    outputOwner.set(norm, s.name);
  }
}

/** Each input as a file or a reference, and the stages the references name. */
function resolveInputs(s: StageSpec, where: string, c: ResolveContext): Pick<ResolvedStage, 'inputs' | 'upstream'> {
  const inputs: ResolvedStage['inputs'] = {};
  const upstream = new Set<string>();
  for (const [name, value] of Object.entries(s.inputs)) {
    const ref = REF.exec(value);
    if (ref) {
      const [, stage, output] = ref as unknown as [string, string, string];
      const target = c.byName.get(stage);
      if (!target) throw new UserError(`${where}: inputs.${name}: no stage "${stage}" (stages: ${[...c.byName.keys()].join(', ')})`);
      if (!(output in target.outputs)) throw new UserError(`${where}: inputs.${name}: stage "${stage}" has no output "${output}" (its outputs: ${Object.keys(target.outputs).join(', ')})`);
      inputs[name] = { stage, output };
      upstream.add(stage);
    } else if (value.startsWith('@')) {
      throw new UserError(`${where}: inputs.${name}: expected @stage.output, got "${value}"`);
    } else {
      inputs[name] = { file: isAbsolute(value) ? value : resolve(c.cwd, value) };
    }
  }
  return { inputs, upstream: [...upstream] };
}
