/**
 * `--set` overrides of a pipeline: `key=value` sets a pipeline param, `stage.key=value` a
 * stage's param (a template's own name sets every stage it expands to). Values are read as
 * YAML scalars or flow collections (`[…]`, `{…}`); anything else stays text.
 *
 *   const { params, stageSets } = applySets(['size=256', 'train.iterations=100'], spec.params, file);
 *   params.size                           // 256
 *   stageSets.get('train')                // { iterations: 100 }
 */
import { parse as parseYaml } from 'yaml';
import { UserError } from '../util/errors.ts';
import type { StageSpec } from './pipeline-schema.ts';

function parseSet(s: string, file: string): { stage?: string; key: string; value: unknown } {
  const eq = s.indexOf('=');
  if (eq <= 0) throw new UserError(`--set ${JSON.stringify(s)}: expected key=value or stage.key=value`, `e.g. --set iterations=100 (params of ${file})`);
  const lhs = s.slice(0, eq).trim();
  const raw = s.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = parseYaml(raw);
  } catch {
    value = raw;
  }
  if (value === null && raw.trim() !== 'null') value = raw;
  // Only scalars and explicit flow collections ([…], {…}) are parsed; anything else stays text.
  if (value !== null && typeof value === 'object' && !/^\s*[[{]/.test(raw)) value = raw;
  const dot = lhs.indexOf('.');
  const parsed = dot > 0 ? { stage: lhs.slice(0, dot), key: lhs.slice(dot + 1), value } : { key: lhs, value };
  // names that reach an object's prototype are never params (and must not be written as if they were)
  for (const name of [parsed.key, ('stage' in parsed ? parsed.stage : undefined) ?? '']) {
    if (['__proto__', 'constructor', 'prototype'].includes(name)) throw new UserError(`--set ${lhs}: "${name}" is not a param or stage name`, 'name a param of the pipeline (janus status lists them) or STAGE.param');
  }
  return parsed;
}

/** The pipeline params with the `key=value` sets applied, and the `stage.key=value` sets by stage name. */
export function applySets(sets: readonly string[], specParams: Record<string, unknown>, file: string): { params: Record<string, unknown>; stageSets: Map<string, Record<string, unknown>> } {
  const params = { ...specParams };
  const stageSets = new Map<string, Record<string, unknown>>();
  for (const s of sets) {
    const { stage, key, value } = parseSet(s, file);
    if (stage === undefined) {
      if (!Object.hasOwn(params, key)) {
        throw new UserError(`--set ${key}: ${file} has no param "${key}"`, `its params are: ${Object.keys(params).join(', ') || '(none)'}; a stage's param is set with --set STAGE.${key}=…`);
      }
      params[key] = value;
    } else {
      stageSets.set(stage, { ...stageSets.get(stage), [key]: value });
    }
  }
  return { params, stageSets };
}

/** A stage spec with the sets named after it (before expansion: a template's own name). */
export function withStageSets(spec: StageSpec, stageSets: ReadonlyMap<string, Record<string, unknown>>): StageSpec {
  return stageSets.has(spec.name) ? { ...spec, params: { ...spec.params, ...stageSets.get(spec.name) } } : spec;
}

/**
 * Apply the stage sets to the expanded stages named by them (in place); a set naming neither an
 * expanded stage nor a template is the user's mistake.
 */
export function applyStageSets(expanded: StageSpec[], templates: readonly StageSpec[], stageSets: ReadonlyMap<string, Record<string, unknown>>, file: string): void {
  for (const [stage, values] of stageSets) {
    const targets = expanded.filter((e) => e.name === stage);
    if (!targets.length && !templates.some((st) => st.name === stage)) {
      throw new UserError(`--set ${stage}.${Object.keys(values)[0]}: ${file} has no stage "${stage}"`, `stages: ${expanded.map((e) => e.name).join(', ')}`);
    }
    for (const t of targets) t.params = { ...t.params, ...values };
  }
}
