/**
 * Validate user-supplied settings against a zod schema, turning zod's issues into one Janus
 * error that names where the value came from, what was expected and what arrived.
 *
 *   const cfg = parseConfig(EngineConfig, { backend: 'gpu2' }, 'JANUS_BACKEND');
 *   // UserError: invalid JANUS_BACKEND: expected backend to be one of auto|tensorflow|webgpu|wasm|cpu, got "gpu2"
 */
import type { z } from 'zod';
import { UserError, choices } from '../util/errors.ts';
import { lookup } from '../util/zod-issues.ts';

export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const parts = r.error.issues.map((iss) => {
    const key = iss.path.join('.') || 'value';
    const got = lookup(value, iss.path as PropertyKey[]);
    if (iss.code === 'invalid_value' && 'values' in iss) {
      return `expected ${key} to be one of ${choices((iss.values as unknown[]).map(String))}, got ${JSON.stringify(got)}`;
    }
    if (iss.code === 'unrecognized_keys' && 'keys' in iss) {
      const at = iss.path.length ? `${iss.path.join('.')}: ` : '';
      return `${at}unknown key${(iss.keys as string[]).length > 1 ? 's' : ''} ${(iss.keys as string[]).map((k) => `"${k}"`).join(', ')}`;
    }
    return `${key}: ${iss.message}${got === undefined ? '' : `, got ${JSON.stringify(got)}`}`;
  });
  throw new UserError(`invalid ${source}: ${parts.join('; ')}`);
}
