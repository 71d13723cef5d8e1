/**
 * A stage spec after expansion becomes a resolved stage: its kind exists and its params
 * validate, its inputs and outputs are the ones the kind needs, each output lies inside the
 * run folder and belongs to one stage only, and each input is a file (resolved against `cwd`)
 * or a reference `@stage.output` to a stage that has that output.
 *
 *   const resolve = stageResolver({ file, registry, byName, cwd });
 *   resolve(spec).inputs.video   // { stage: 'clip-a', output: 'video' } or { file: '/abs/a.mp4' }
 */
import { isAbsolute, posix, resolve } from 'node:path';
import { UserError } from '../util/errors.ts';
import { stageNameProblem } from './foreach.ts';
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

/**
 * Outputs lie inside the run folder, are not the run folder itself nor under `.janus/`, and are
 * neither equal to nor nested in another output (of this or another stage): removing one must
 * never remove another's. Stage names are checked here too (they name log files).
 */
function checkOutputs(s: StageSpec, where: string, outputOwner: Map<string, string>): void {
  const bad = stageNameProblem(s.name);
  if (bad) throw new UserError(`${where}: the stage name ${JSON.stringify(s.name)} ${bad}`, 'rename the stage');
  for (const [name, path] of Object.entries(s.outputs)) {
    const problem = outputPathProblem(path);
    if (problem) throw new UserError(`${where}: outputs.${name}: expected a path inside the run folder, got ${JSON.stringify(path)} (${problem})`, 'write a relative path such as faces/ or model/');
    const norm = posix.normalize(path.replace(/\\/g, '/')).replace(/\/+$/, '');
    for (const [other, owner] of outputOwner) {
      const clash = other === norm ? 'is also' : norm.startsWith(`${other}/`) ? 'lies inside' : other.startsWith(`${norm}/`) ? 'holds' : null;
      if (clash) throw new UserError(`${where}: outputs.${name}: "${path}" ${clash} ${clash === 'is also' ? 'an output' : `the output "${other}"`} of stage "${owner}"`, 'give every output a path of its own, none inside another');
    }
    outputOwner.set(norm, s.name);
  }
}

/** Why an output path is not a path inside the run folder, or null. */
export function outputPathProblem(path: string): string | null {
  if (!path.trim()) return 'empty';
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path)) return 'absolute';
  const parts = path.split(/[\\/]/);
  if (parts.includes('..')) return 'it climbs out with ..';
  const norm = posix.normalize(path.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (norm === '.' || norm === '') return 'the run folder itself';
  if (norm === '.janus' || norm.startsWith('.janus/')) return "Janus's state folder";
  return null;
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
