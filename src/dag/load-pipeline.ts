/**
 * Load a pipeline file: parse the YAML, validate it, apply `--set` overrides
 * (`pipeline-sets.ts`), expand templates (`foreach.ts`), interpolate `${…}`, resolve
 * `@stage.output` references and check kinds and their params (`references.ts`), and order
 * the stages (`topo-sort.ts`). Every error names the file, the stage and the key.
 *
 *   const p = await loadPipeline('pipelines/samples.yaml', registry, { sets: ['size=256'] });
 *   p.stages.map((s) => s.name)   // ['clip-a', 'clip-b', 'probe-a', 'probe-b']
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { parseConfig } from '../config/parse.ts';
import { UserError } from '../util/errors.ts';
import { expandStage } from './foreach.ts';
import { applySets, applyStageSets, withStageSets } from './pipeline-sets.ts';
import { PipelineSpec, type Pipeline, type StageSpec } from './pipeline-schema.ts';
import { stageResolver } from './references.ts';
import type { StageRegistry } from './stage-kind.ts';
import { topoSort } from './topo-sort.ts';

export interface LoadOptions {
  /** `key=value` (a pipeline param) or `stage.key=value` (a stage param); values parsed as YAML scalars. */
  sets?: string[];
  /** Folder that relative input paths are resolved against (default: the current folder). */
  cwd?: string;
}

/** The file's text and its validated spec; validation errors name the stage, not just its index. */
function readSpec(file: string): { text: string; spec: PipelineSpec } {
  if (!existsSync(file)) throw new UserError(`pipeline file not found: ${file}`, 'pass a YAML file, e.g. pipelines/samples.yaml');
  const text = readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const e = err as YAMLParseError;
    throw new UserError(`${file}: not valid YAML: ${e.message.split('\n')[0]!.replace(/:$/, '')}`, 'mend the YAML at that line (indentation, an unclosed { or [, a missing quote)');
  }
  try {
    return { text, spec: parseConfig(PipelineSpec, raw, file) };
  } catch (err) {
    const r = raw as { stages?: Array<{ name?: string }> };
    const msg = (err as Error).message.replace(/stages\.(\d+)(\.?)/g, (_m, i: string, dot: string) => `stage "${r.stages?.[Number(i)]?.name ?? i}" (stages[${i}])${dot ? ' ' : ''}`);
    throw new UserError(msg, 'correct the pipeline file as said above (pipelines/README.md describes its keys)');
  }
}

/** Stage names are unique after expansion. */
function byUniqueName(stages: readonly StageSpec[], file: string): Map<string, StageSpec> {
  const byName = new Map<string, StageSpec>();
  for (const s of stages) {
    if (byName.has(s.name)) throw new UserError(`${file}: two stages are named "${s.name}"`, 'stage names must be unique (a template needs ${item…} in its name)');
    byName.set(s.name, s);
  }
  return byName;
}

export async function loadPipeline(file: string, registry: StageRegistry, options: LoadOptions = {}): Promise<Pipeline> {
  const { text, spec } = readSpec(file);
  const sets = options.sets ?? [];
  const { params, stageSets } = applySets(sets, spec.params, file);
  const baseDir = dirname(resolve(file));
  // a template's own name (clip-${item}) sets every stage it expands to
  const expanded = spec.stages.flatMap((st, i) => expandStage(withStageSets(st, stageSets), i, params, file, baseDir));
  applyStageSets(expanded, spec.stages, stageSets, file);
  const byName = byUniqueName(expanded, file);
  const resolveStage = stageResolver({ file, registry, byName, cwd: options.cwd ?? process.cwd() });
  return {
    file,
    name: spec.name,
    sourceHash: createHash('sha256').update(text).digest('hex'),
    params,
    sets,
    stages: topoSort(expanded.map(resolveStage), file),
  };
}
