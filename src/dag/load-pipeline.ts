/**
 * Load a pipeline file: parse the YAML, validate it, apply `--set` overrides, expand
 * templates (`foreach`), interpolate `${…}`, resolve `@stage.output` references, check kinds
 * and their params, and order the stages. Every error names the file, the stage and the key.
 *
 *   const p = await loadPipeline('pipelines/samples.yaml', registry, { sets: ['size=256'] });
 *   p.stages.map((s) => s.name)   // ['clip-a', 'clip-b', 'probe-a', 'probe-b']
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { parseConfig } from '../config/parse.ts';
import { csvRecords, parseCsv } from '../util/csv.ts';
import { UserError } from '../util/errors.ts';
import { hasVariable, interpolate } from './interpolate.ts';
import { PipelineSpec, type Pipeline, type ResolvedStage, type StageSpec } from './pipeline-schema.ts';
import type { StageRegistry } from './stage-kind.ts';

export interface LoadOptions {
  /** `key=value` (a pipeline param) or `stage.key=value` (a stage param); values parsed as YAML scalars. */
  sets?: string[];
  /** Folder that relative input paths are resolved against (default: the current folder). */
  cwd?: string;
}

const REF = /^@([^.\s]+)\.([A-Za-z0-9_-]+)$/;

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
  return dot > 0 ? { stage: lhs.slice(0, dot), key: lhs.slice(dot + 1), value } : { key: lhs, value };
}

function readManifest(path: string, where: string): unknown[] {
  if (!existsSync(path)) throw new UserError(`${where}: foreach file not found: ${path}`);
  const text = readFileSync(path, 'utf8');
  if (/\.csv$/i.test(path)) return csvRecords(parseCsv(text, path));
  const data = parseYaml(text) as unknown;
  if (!Array.isArray(data)) throw new UserError(`${where}: expected the foreach file ${path} to hold a list, got ${typeof data}`);
  return data;
}

function expandStage(spec: StageSpec, index: number, params: Record<string, unknown>, file: string, baseDir: string): StageSpec[] {
  const where = `${file}: stage "${spec.name}" (stages[${index}])`;
  if (spec.foreach === undefined) {
    return [interpolate({ ...spec }, { params }, where) as StageSpec];
  }
  let list: unknown;
  if (typeof spec.foreach === 'string') list = interpolate(spec.foreach, { params }, `${where}.foreach`);
  else if (Array.isArray(spec.foreach)) list = interpolate(spec.foreach, { params }, `${where}.foreach`);
  else {
    const f = interpolate(spec.foreach.file, { params }, `${where}.foreach.file`) as string;
    list = readManifest(isAbsolute(f) ? f : resolve(baseDir, f), `${where}.foreach`);
  }
  if (!Array.isArray(list)) throw new UserError(`${where}.foreach: expected a list, got ${JSON.stringify(list)}`);
  const named = hasVariable(spec.name, 'item');
  return list.map((item, i) => {
    const { foreach: _f, ...rest } = spec;
    const s = interpolate(rest, { params, item, index: i }, `${where} [item ${i}]`) as StageSpec;
    if (!named) s.name = `${s.name}-${i}`;
    return s;
  });
}

export async function loadPipeline(file: string, registry: StageRegistry, options: LoadOptions = {}): Promise<Pipeline> {
  if (!existsSync(file)) throw new UserError(`pipeline file not found: ${file}`, 'pass a YAML file, e.g. pipelines/samples.yaml');
  const text = readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const e = err as YAMLParseError;
    throw new UserError(`${file}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  // Validation errors name the stage, not just its index.
  const spec = (() => {
    try {
      return parseConfig(PipelineSpec, raw, file);
    } catch (err) {
      const r = raw as { stages?: Array<{ name?: string }> };
      const msg = (err as Error).message.replace(/stages\.(\d+)(\.?)/g, (_m, i: string, dot: string) => `stage "${r.stages?.[Number(i)]?.name ?? i}" (stages[${i}])${dot ? ' ' : ''}`);
      throw new UserError(msg);
    }
  })();

  const sets = options.sets ?? [];
  const params = { ...spec.params };
  const stageSets = new Map<string, Record<string, unknown>>();
  for (const s of sets) {
    const { stage, key, value } = parseSet(s, file);
    if (stage === undefined) {
      if (!(key in params)) {
        throw new UserError(`--set ${key}: ${file} has no param "${key}"`, `its params are: ${Object.keys(params).join(', ') || '(none)'}; a stage's param is set with --set STAGE.${key}=…`);
      }
      params[key] = value;
    } else {
      stageSets.set(stage, { ...stageSets.get(stage), [key]: value });
    }
  }

  const baseDir = dirname(resolve(file));
  const expanded: StageSpec[] = [];
  spec.stages.forEach((st, i) => {
    // a template's own name (clip-${item}) sets every stage it expands to
    const withSets = stageSets.has(st.name) ? { ...st, params: { ...st.params, ...stageSets.get(st.name) } } : st;
    expanded.push(...expandStage(withSets, i, params, file, baseDir));
  });
  for (const [stage, values] of stageSets) {
    const targets = expanded.filter((e) => e.name === stage);
    if (!targets.length && !spec.stages.some((st) => st.name === stage)) {
      throw new UserError(`--set ${stage}.${Object.keys(values)[0]}: ${file} has no stage "${stage}"`, `stages: ${expanded.map((e) => e.name).join(', ')}`);
    }
    for (const t of targets) t.params = { ...t.params, ...values };
  }

  const byName = new Map<string, StageSpec>();
  for (const s of expanded) {
    if (byName.has(s.name)) throw new UserError(`${file}: two stages are named "${s.name}"`, 'stage names must be unique (a template needs ${item…} in its name)');
    byName.set(s.name, s);
  }

  const outputOwner = new Map<string, string>();
  const cwd = options.cwd ?? process.cwd();
  const resolved: ResolvedStage[] = expanded.map((s) => {
    const where = `${file}: stage "${s.name}"`;
    const kind = registry.get(s.kind, `${where}: `);
    const parsed = kind.params.safeParse(s.params);
    if (!parsed.success) {
      const iss = parsed.error.issues[0]!;
      throw new UserError(`${where}: params.${iss.path.join('.') || ''}: ${iss.message}`.replace(/params\.: /, 'params: '));
    }
    for (const need of kind.inputs ?? []) if (!(need in s.inputs)) throw new UserError(`${where}: kind "${s.kind}" needs input "${need}"`, `add inputs: { ${need}: … }`);
    for (const need of kind.outputs ?? []) if (!(need in s.outputs)) throw new UserError(`${where}: kind "${s.kind}" needs output "${need}"`, `add outputs: { ${need}: … }`);
    for (const p of s.persist) if (!(p in s.outputs)) throw new UserError(`${where}: persist names "${p}", which is not one of its outputs (${Object.keys(s.outputs).join(', ')})`);
    for (const [name, path] of Object.entries(s.outputs)) {
      if (isAbsolute(path) || path.split(/[\\/]/).includes('..')) throw new UserError(`${where}: outputs.${name}: expected a path inside the run folder, got "${path}"`);
      const norm = path.replace(/\/+$/, '');
      const other = outputOwner.get(norm);
      if (other) throw new UserError(`${where}: outputs.${name}: "${path}" is also an output of stage "${other}"`);
      outputOwner.set(norm, s.name);
    }
    const inputs: ResolvedStage['inputs'] = {};
    const upstream = new Set<string>();
    for (const [name, value] of Object.entries(s.inputs)) {
      const ref = REF.exec(value);
      if (ref) {
        const [, stage, output] = ref as unknown as [string, string, string];
        const target = byName.get(stage);
        if (!target) throw new UserError(`${where}: inputs.${name}: no stage "${stage}" (stages: ${[...byName.keys()].join(', ')})`);
        if (!(output in target.outputs)) throw new UserError(`${where}: inputs.${name}: stage "${stage}" has no output "${output}" (its outputs: ${Object.keys(target.outputs).join(', ')})`);
        inputs[name] = { stage, output };
        upstream.add(stage);
      } else if (value.startsWith('@')) {
        throw new UserError(`${where}: inputs.${name}: expected @stage.output, got "${value}"`);
      } else {
        inputs[name] = { file: isAbsolute(value) ? value : resolve(cwd, value) };
      }
    }
    return { name: s.name, kind: s.kind, resource: s.resource, params: parsed.data as Record<string, unknown>, inputs, outputs: s.outputs, persist: s.persist, upstream: [...upstream] };
  });

  return {
    file,
    name: spec.name,
    sourceHash: createHash('sha256').update(text).digest('hex'),
    params,
    sets,
    stages: topoSort(resolved, file),
  };
}

/** Kahn's algorithm, keeping file order among ready stages; a cycle is an error naming it. */
export function topoSort(stages: ResolvedStage[], file: string): ResolvedStage[] {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const indeg = new Map(stages.map((s) => [s.name, s.upstream.length]));
  const out: ResolvedStage[] = [];
  const ready = stages.filter((s) => s.upstream.length === 0).map((s) => s.name);
  const downstream = new Map<string, string[]>();
  for (const s of stages) for (const u of s.upstream) downstream.set(u, [...(downstream.get(u) ?? []), s.name]);
  while (ready.length) {
    const n = ready.shift()!;
    out.push(byName.get(n)!);
    for (const d of downstream.get(n) ?? []) {
      indeg.set(d, indeg.get(d)! - 1);
      if (indeg.get(d) === 0) ready.push(d);
    }
  }
  if (out.length !== stages.length) {
    // find one cycle to report
    const left = new Set(stages.filter((s) => !out.includes(s)).map((s) => s.name));
    let cur = [...left][0]!;
    const path: string[] = [];
    while (!path.includes(cur)) {
      path.push(cur);
      cur = byName.get(cur)!.upstream.find((u) => left.has(u))!;
    }
    const cycle = [...path.slice(path.indexOf(cur)), cur];
    throw new UserError(`${file}: the stages form a cycle: ${cycle.reverse().join(' -> ')}`, 'a stage cannot depend, directly or not, on its own output');
  }
  return out;
}
