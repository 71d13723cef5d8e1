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
import { UserError, expectedOneOf } from '../util/errors.ts';
import { lookup } from '../util/zod-issues.ts';

export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const parts = r.error.issues.map((iss) => {
    const key = iss.path.join('.') || 'value';
    const got = lookup(value, iss.path as PropertyKey[]);
    if (iss.code === 'invalid_value' && 'values' in iss) {
      return expectedOneOf(key, (iss.values as unknown[]).map(String), got);
    }
    if (iss.code === 'invalid_type' && got !== undefined) return `expected ${key} to be ${article(String(iss.expected))}, got ${JSON.stringify(got)}`;
    if ((iss.code === 'too_small' || iss.code === 'too_big') && iss.origin === 'number') {
      const bound = iss.code === 'too_small' ? `${iss.inclusive ? '>=' : '>'} ${String(iss.minimum)}` : `${iss.inclusive ? '<=' : '<'} ${String(iss.maximum)}`;
      return `expected ${key} to be ${bound}, got ${JSON.stringify(got)}`;
    }
    if (iss.code === 'unrecognized_keys' && 'keys' in iss) {
      const at = iss.path.length ? `${iss.path.join('.')}: ` : '';
      return `${at}unknown key${(iss.keys as string[]).length > 1 ? 's' : ''} ${(iss.keys as string[]).map((k) => `"${k}"`).join(', ')}`;
    }
    return `${key}: ${iss.message}${got === undefined ? '' : `, got ${JSON.stringify(got)}`}`;
  });
  throw new UserError(`invalid ${source}: ${parts.join('; ')}`);
}

const article = (what: string) => (/^[aeiou]/.test(what) ? `an ${what}` : `a ${what}`);


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
