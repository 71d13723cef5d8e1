/**
 * `${…}` substitution in pipeline values: `${params.size}`, `${item}`, `${item.id}`.
 * A string that is exactly one `${…}` keeps the value's type (a number stays a number, a list
 * stays a list); otherwise values are spliced in as text.
 *
 *   interpolate('clip-${item.id}', { item: { id: 'a' } }, 'stage x')   // 'clip-a'
 *   interpolate('${params.n}', { params: { n: 3 } }, 'stage x')        // 3
 */
import { UserError } from '../util/errors.ts';

const WHOLE = /^\$\{([^}]+)\}$/;
const ANY = /\$\{([^}]+)\}/g;

function lookup(path: string, vars: Record<string, unknown>, where: string): unknown {
  let v: unknown = vars;
  for (const part of path.trim().split('.')) {
    if (v === null || typeof v !== 'object' || !(part in (v as object))) {
      const top = path.split('.')[0]!;
      const known = top in vars && vars[top] && typeof vars[top] === 'object' ? Object.keys(vars[top] as object) : Object.keys(vars);
      throw new UserError(`${where}: unknown variable \${${path}} (known ${top in vars ? `${top}.` : ''}names: ${known.join(', ') || 'none'})`);
    }
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export function interpolate(value: unknown, vars: Record<string, unknown>, where: string): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(whole[1]!, vars, where);
    return value.replace(ANY, (_, expr: string) => {
      const v = lookup(expr, vars, where);
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, vars, where));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars, `${where}.${k}`)]));
  }
  return value;
}

export function hasVariable(value: string, name: string): boolean {
  return new RegExp(`\\$\\{\\s*${name}[.}\\s]`).test(value);
}
