/**
 * Template stages: a stage with `foreach` expands to one stage per item of a list (inline, a
 * `${params.x}` holding one, or `{ file: manifest }`: YAML, JSON, or CSV with a header row),
 * with `${item…}` and `${index}` interpolated; a template whose name does not use `${item…}`
 * gets `-<index>` appended.
 *
 *   expandStage({ name: 'clip-${item}', foreach: ['a', 'b'], kind: 'sample-clip', … }, 0, params, file, baseDir)
 *   // [{ name: 'clip-a', … }, { name: 'clip-b', … }]
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { csvRecords, parseCsv } from '../util/csv.ts';
import { UserError } from '../util/errors.ts';
import { hasVariable, interpolate } from './interpolate.ts';
import type { StageSpec } from './pipeline-schema.ts';

/** The items of a foreach file: a YAML/JSON list, or a CSV's rows as objects keyed by its header. */
function readForeachFile(path: string, where: string): unknown[] {
  if (!existsSync(path)) throw new UserError(`${where}: foreach file not found: ${path}`);
  const text = readFileSync(path, 'utf8');
  if (/\.csv$/i.test(path)) return csvRecords(parseCsv(text, path));
  const data = parseYaml(text) as unknown;
  if (!Array.isArray(data)) throw new UserError(`${where}: expected the foreach file ${path} to hold a list, got ${typeof data}`);
  return data;
}

/** The stage itself (interpolated), or one stage per item of its `foreach`. */
export function expandStage(spec: StageSpec, index: number, params: Record<string, unknown>, file: string, baseDir: string): StageSpec[] {
  const where = `${file}: stage "${spec.name}" (stages[${index}])`;
  if (spec.foreach === undefined) {
    return [interpolate({ ...spec }, { params }, where) as StageSpec];
  }
  let list: unknown;
  if (typeof spec.foreach === 'string' || Array.isArray(spec.foreach)) list = interpolate(spec.foreach, { params }, `${where}.foreach`);
  else {
    const f = interpolate(spec.foreach.file, { params }, `${where}.foreach.file`) as string;
    list = readForeachFile(isAbsolute(f) ? f : resolve(baseDir, f), `${where}.foreach`);
  }
  if (!Array.isArray(list)) throw new UserError(`${where}.foreach: expected a list, got ${JSON.stringify(list)}`);
  const named = hasVariable(spec.name, 'item');
  // a row of a manifest file is named by its line (CSV: the header is line 1) or list position
  const rowOf = (i: number) => (typeof spec.foreach === 'object' && !Array.isArray(spec.foreach) ? ` (row ${/\.csv$/i.test(spec.foreach.file) ? i + 2 : i + 1} of the foreach file)` : '');
  return list.map((item, i) => {
    const { foreach: _f, ...rest } = spec;
    const s = interpolate(rest, { params, item, index: i }, `${where} [item ${i}]`) as StageSpec;
    if (!named) s.name = `${s.name}-${i}`;
    const bad = stageNameProblem(s.name);
    if (bad) throw new UserError(`${where} [item ${i}${rowOf(i)}]: the item makes the stage name ${JSON.stringify(s.name)}, which ${bad}`, 'change that row of the foreach list so the name has only letters, digits, _ . -');
    return s;
  });
}

/** Why a stage name is not allowed (it names the stage's log file), or null: letters, digits, _ . - only, not `.` or `..`. */
export function stageNameProblem(name: string): string | null {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return 'may hold only letters, digits, _ . -';
  if (name === '.' || name === '..') return 'cannot be . or ..';
  return null;
}
