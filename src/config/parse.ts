/**
 * Validate user-supplied settings against a zod schema, turning zod's issues into one Janus
 * error that names where the value came from, what was expected and what arrived.
 *
 *   const cfg = parseConfig(EngineConfig, { backend: 'gpu2' }, 'JANUS_BACKEND');
 *   // UserError: invalid JANUS_BACKEND: expected backend to be one of auto|tensorflow|webgpu|wasm|cpu, got "gpu2"
 *   parseConfig(TrainConfig, { batchSize: 'x' }, '--batch-size')
 *   // UserError: invalid --batch-size: expected batchSize to be a number, got "x"
 */
import type { z } from 'zod';
import { UserError } from '../util/errors.ts';
import { expectation, issueText, lookup, showValue } from '../util/zod-issues.ts';

export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new UserError(`invalid ${source}: ${r.error.issues.map((iss) => optionIssue(iss, value)).join('; ')}`, fixFor(source));
}

/** The fix for a setting that did not validate, by where it came from: an option, an environment variable, a file. */
function fixFor(source: string): string {
  if (source.startsWith('--')) return `give ${source} a value as expected above (--help lists every option with its values and default)`;
  if (/^[A-Z][A-Z0-9_]*$/.test(source)) return `set ${source} to a value as expected above, or unset it`;
  return `correct ${source} as said above`;
}

/**
 * One issue worded for a setting: `expected KEY to be EXPECTATION, got VALUE` (the expectation
 * as util/zod-issues words it for files too), else the file wording after the key.
 */
function optionIssue(iss: z.core.$ZodIssue, value: unknown): string {
  const key = iss.path.join('.') || 'value';
  const got = lookup(value, iss.path as PropertyKey[]);
  const expected = expectation(iss);
  if (expected !== null && got !== undefined) return `expected ${key} to be ${expected}, got ${showValue(got)}`;
  return `${iss.path.length || iss.code !== 'unrecognized_keys' ? `${key}: ` : ''}${issueText(iss, value)}`;
}

/** The schema's own default of one field: `defaultOf(SwapConfig, 'batchSize')` is 16. */
export function defaultOf<S extends z.ZodObject, K extends keyof z.output<S> & string>(schema: S, key: K): z.output<S>[K] {
  const field = (schema.shape as Record<string, z.ZodType>)[key];
  if (!field) throw new Error(`defaultOf: the schema has no field "${key}"`);
  return field.parse(undefined) as z.output<S>[K];
}

/**
 * The fields of `schema` picked out of a wider, already validated object (a command's options),
 * parsed by it: `fieldsOf(SwapConfig, convertOptions)` is the SwapConfig they hold.
 */
export function fieldsOf<S extends z.ZodObject>(schema: S, value: Readonly<Record<string, unknown>>): z.output<S> {
  return schema.parse(Object.fromEntries(Object.keys(schema.shape).filter((k) => k in value).map((k) => [k, value[k]])));
}
