/**
 * zod issues as Janus messages: where (the field path), what was expected and what arrived.
 * The file readers (src/util/read-json.ts) word every issue with it; the config parser
 * (src/config/parse.ts) puts the same expectation in its option sentence ("expected KEY to be ...").
 *
 *   const r = Schema.safeParse(value);
 *   if (!r.success) describeIssue(r.error.issues[0]!, value)   // 'frames.total: expected a number, got "abc"'
 *   expectation(r.error.issues[0]!)                            // 'a number'
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
function issuePath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(top level)';
}

const article = (what: string) => (/^[aeiou]/.test(what) ? `an ${what}` : `a ${what}`);

/**
 * What an issue expected, as the words after "expected": `a number`, `an int`, `one of a|b`,
 * `"t/1"`, `>= 0`, `< 1`; null where zod's own message says it better (a refinement, a union, a
 * string's length). Both wordings use it: files (issueText) and options (config/parse.ts).
 */
export function expectation(iss: z.core.$ZodIssue): string | null {
  switch (iss.code) {
    case 'invalid_type':
      return article(iss.expected);
    case 'invalid_value':
      return iss.values.length === 1 ? showValue(iss.values[0]) : `one of ${choices(iss.values.map(String))}`;
    case 'too_small':
      return iss.origin === 'number' ? `${iss.inclusive ? '>=' : '>'} ${String(iss.minimum)}` : null;
    case 'too_big':
      return iss.origin === 'number' ? `${iss.inclusive ? '<=' : '<'} ${String(iss.maximum)}` : null;
    default:
      return null;
  }
}

/**
 * One issue as text without its path: `expected a number, got "abc"`, `missing (expected a
 * string)`, `expected one of a-to-b|b-to-a, got "x"`, `expected >= 0, got -1`, `unknown key
 * "k"`, or zod's own message and the value (`Too small: expected string to have >=1 characters, got ""`).
 */
export function issueText(iss: z.core.$ZodIssue, value: unknown): string {
  if (iss.code === 'unrecognized_keys') return `unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}`;
  const got = lookup(value, iss.path as PropertyKey[]);
  const expected = expectation(iss);
  if (expected === null) return `${iss.message}${got === undefined ? '' : `, got ${showValue(got)}`}`;
  return got === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${showValue(got)}`;
}

/** One issue with its path: `frames.total: expected a number, got "abc"`. */
export function describeIssue(iss: z.core.$ZodIssue, value: unknown): string {
  return `${issuePath(iss.path as PropertyKey[])}: ${issueText(iss, value)}`;
}
