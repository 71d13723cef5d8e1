/**
 * zod issues as Janus messages: where (the field path), what was expected and what arrived.
 * The file readers (src/util/read-json.ts) word every issue with it; the config parser
 * (src/config/parse.ts) takes its value lookup and words its issues for options ("expected KEY to be ...").
 *
 *   const r = Schema.safeParse(value);
 *   if (!r.success) describeIssue(r.error.issues[0]!, value)
 *   // { path: 'frames.total', text: 'expected number, got "abc"' }
 */
import type { z } from 'zod';
import { choices } from './errors.ts';

/** The value at `path` inside `value` (undefined when the path does not exist). */
export function lookup(value: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** A value as it appears in a message: JSON, cut to `max` characters. */
export function showValue(v: unknown, max = 60): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** `frames.3.box.x`, or '(top level)' for the value itself. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(top level)';
}

/**
 * One issue as text without its path: `expected number, got "abc"`, `missing (expected
 * string)`, `expected one of a-to-b|b-to-a, got "x"`, `unknown key "k"`, or zod's own message
 * and the value (`Too small: expected number to be >=0, got -1`).
 */
export function issueText(iss: z.core.$ZodIssue, value: unknown): string {
  const got = lookup(value, iss.path as PropertyKey[]);
  switch (iss.code) {
    case 'invalid_type':
      return got === undefined ? `missing (expected ${iss.expected})` : `expected ${iss.expected}, got ${showValue(got)}`;
    case 'invalid_value':
      return iss.values.length === 1 ? `expected ${showValue(iss.values[0])}, got ${showValue(got)}` : `expected one of ${choices(iss.values.map(String))}, got ${showValue(got)}`;
    case 'unrecognized_keys':
      return `unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return `${iss.message}${got === undefined ? '' : `, got ${showValue(got)}`}`;
  }
}

/** One issue with its path: `frames.total: expected number, got "abc"`. */
export function describeIssue(iss: z.core.$ZodIssue, value: unknown): string {
  return `${issuePath(iss.path as PropertyKey[])}: ${issueText(iss, value)}`;
}
