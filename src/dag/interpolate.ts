/**
 * `${…}` substitution in pipeline values: `${params.size}`, `${item}`, `${item.id}`.
 * A string that is exactly one `${…}` keeps the value's type (a number stays a number, a list
 * stays a list); otherwise values are spliced in as text. A key whose value is exactly a
 * reference to a null value (a param written `~`) is left out of its object, so a stage param
 * bound to it takes its kind's schema default (the one place defaults live) unless `--set` gives one.
 *
 *   interpolate('clip-${item.id}', { item: { id: 'a' } }, 'stage x')   // 'clip-a'
 *   interpolate('${params.n}', { params: { n: 3 } }, 'stage x')        // 3
 *   interpolate('${params.${item}}', { item: 'a', params: { a: 'x.mp4' } }, 'stage x')   // 'x.mp4' (innermost first)
 *   interpolate({ size: '${params.size}' }, { params: { size: null } }, 'stage x')       // {}: the stage's default
 */
import { UserError } from '../util/errors.ts';

function lookup(path: string, vars: Record<string, unknown>, where: string): unknown {
  let v: unknown = vars;
  const parts = path.trim().split('.');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (v === null || typeof v !== 'object' || !(part in (v as object))) {
      const at = parts.slice(0, i).join('.');
      const known = v !== null && typeof v === 'object' ? Object.keys(v as object) : [];
      throw new UserError(`${where}: unknown variable \${${path}} (known names${at ? ` in ${at}` : ''}: ${known.join(', ') || 'none'})`);
    }
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

const text = (v: unknown) => (typeof v === 'object' ? JSON.stringify(v) : String(v));

/** The top-level `${…}` references of a template: [start, end) of each, braces balanced. */
function references(t: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== '$' || t[i + 1] !== '{') continue;
    let depth = 0;
    let j = i + 1;
    for (; j < t.length; j++) {
      if (t[j] === '{') depth++;
      else if (t[j] === '}' && --depth === 0) break;
    }
    if (j >= t.length) break; // unbalanced: left as text
    out.push([i, j + 1]);
    i = j;
  }
  return out;
}

/** The value of one reference: its inner references resolved first (`${params.${item}}`). */
function resolveReference(ref: string, vars: Record<string, unknown>, where: string): unknown {
  const path = text(interpolateText(ref.slice(2, -1), vars, where));
  return lookup(path, vars, where);
}

/** Substitute every reference of a template, left to right; substituted text is not scanned again. */
function interpolateText(t: string, vars: Record<string, unknown>, where: string): string {
  let out = '';
  let at = 0;
  for (const [a, b] of references(t)) {
    out += t.slice(at, a) + text(resolveReference(t.slice(a, b), vars, where));
    at = b;
  }
  return out + t.slice(at);
}

export function interpolate(value: unknown, vars: Record<string, unknown>, where: string): unknown {
  if (typeof value === 'string') {
    const refs = references(value);
    // exactly one reference and nothing else: keep the value's type
    if (refs.length === 1 && refs[0]![0] === 0 && refs[0]![1] === value.length) return resolveReference(value, vars, where);
    return refs.length ? interpolateText(value, vars, where) : value;
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, vars, where));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = interpolate(v, vars, `${where}.${k}`);
      if (r === null && v !== null) continue; // a reference to a null (`~`) param: the key is left out
      out[k] = r;
    }
    return out;
  }
  return value;
}

export function hasVariable(value: string, name: string): boolean {
  return new RegExp(`\\$\\{\\s*${name}[.}\\s]`).test(value);
}
