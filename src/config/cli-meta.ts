/**
 * How a setting shows up on the command line: metadata carried by the zod schema field itself
 * (zod 4 `.meta({ cli })`), so one edit of a schema in `src/config/` adds the option to the CLI,
 * its `--help` and the README check. A field without `cli` metadata is not an option; an array
 * field is a repeatable flag (its values are collected; its help says "repeatable").
 * `src/cli/schema-options.ts` reads it.
 *
 *   batchSize: z.number().int().min(1).default(16).meta({ cli: { help: 'faces per identity per iteration', value: 'n' } })
 *   // janus train --batch-size <n>   faces per identity per iteration (default: 16)
 *   cliMetaOf(TrainConfig.shape.batchSize)?.value   // 'n'
 */
import type { z } from 'zod';

export interface CliMeta {
  /** Help text (one line; `--help` and the README table show it). */
  help: string;
  /** Flag name without the dashes, when it is not the kebab-cased key (`--a` for `a` is the kebab case). */
  flag?: string;
  /** Name of the value in `--flag <value>` (default: `value`); booleans take none. */
  value?: string;
  /** Environment variable read when the flag is absent (read by the code that resolves it; shown in help). */
  env?: string;
  /**
   * The default as help shows it, for a field whose default is applied after parsing or depends on
   * other values (`runs/<pipeline name>`); otherwise help shows the schema's own default.
   */
  shownDefault?: string;
  /** Read the flag's text into the field's value (e.g. `0.7,0.15,0.15` into an object); may throw a UserError. */
  fromText?: (text: string) => unknown;
  /** Write a value (the default) as the flag's text, the inverse of fromText. */
  toText?: (value: unknown) => string;
}

declare module 'zod' {
  interface GlobalMeta {
    /** Present when the field is a command-line option. */
    cli?: CliMeta;
  }
}

/** The `cli` metadata of a schema field, looked for on the field and on what it wraps (default, optional). */
export function cliMetaOf(field: z.ZodType): CliMeta | undefined {
  let s: z.ZodType | undefined = field;
  while (s) {
    const m = s.meta()?.cli;
    if (m) return m;
    const def = s.def as { innerType?: z.ZodType };
    s = def.innerType;
  }
  return undefined;
}
