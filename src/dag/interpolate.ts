/**
 * `${…}` substitution in pipeline values: `${params.size}`, `${item}`, `${item.id}`.
 * A string that is exactly one `${…}` keeps the value's type (a number stays a number, a list
 * stays a list); otherwise values are spliced in as text.
 *
 *   interpolate('clip-${item.id}', { item: { id: 'a' } }, 'stage x')   // 'clip-a'
 *   interpolate('${params.n}', { params: { n: 3 } }, 'stage x')        // 3
 *   interpolate('${params.${item}}', { item: 'a', params: { a: 'x.mp4' } }, 'stage x')   // 'x.mp4' (innermost first)
 */
import { UserError } from '../util/errors.ts';

const WHOLE = /^\$\{([^${}]+)\}$/;
const INNER = /\$\{([^${}]+)\}/;

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

export function interpolate(value: unknown, vars: Record<string, unknown>, where: string): unknown {
  if (typeof value === 'string') {
    // innermost references first, so `${params.${item}}` looks up the param named by the item
    let s = value;
    for (;;) {
      const whole = WHOLE.exec(s);
      if (whole) return lookup(whole[1]!, vars, where);
      const inner = INNER.exec(s);
      if (!inner) return s;
      s = s.slice(0, inner.index) + text(lookup(inner[1]!, vars, where)) + s.slice(inner.index + inner[0].length);
    }
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
