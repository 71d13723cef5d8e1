/**
 * Command-line options generated from a zod object schema: every field with `cli` metadata
 * (src/config/cli-meta.ts) becomes an option; its flag, value name, default (shown, applied by
 * zod), choices (from z.enum) and help text come from the field. Values are read back through
 * zod (`parseConfig`), so a bad value gets the one Janus message format, naming the flag.
 *
 *   const fields = optionFields(TrainConfig);      // [{ key: 'preset', flags: '--preset <name>', choices: ['tiny', …], shownDefault: 'small' }, …]
 *   addSchemaOptions(cmd, TrainConfig);            // commander options
 *   const { opts, given } = readSchemaOptions(cmd, TrainConfig, 'train');
 *   // --preset huge: UserError "invalid --preset: expected preset to be one of tiny|small|original|large128, got "huge""
 */
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { cliMetaOf, type CliMeta } from '../config/cli-meta.ts';
import { parseConfig } from '../config/parse.ts';
import { UserError } from '../util/errors.ts';

export interface OptionField {
  /** The schema key (`batchSize`). */
  key: string;
  /** commander syntax: `--batch-size <n>`, `--no-dssim`, `--force <stage>`. */
  flags: string;
  /** The flag alone: `--batch-size`, `--no-dssim`. */
  flag: string;
  /** boolean: `--x` sets true; negated: `--no-x` sets false (the default is true); list: repeatable (an array field); value: one value. */
  kind: 'boolean' | 'negated' | 'value' | 'list';
  /** Valid values (z.enum), listed in help; zod checks them. */
  choices?: string[];
  /** The default as help and README show it (none for flags without a value). */
  shownDefault?: string;
  help: string;
  env?: string;
  /** Absent without a default: the command refuses to run without it. */
  required: boolean;
  meta: CliMeta;
  schema: z.ZodType;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The field without its default/optional/nullable wrappers, and its default if any. */
function unwrap(field: z.ZodType): { base: z.ZodType; hasDefault: boolean; defaultValue: unknown } {
  let s = field;
  let hasDefault = false;
  let defaultValue: unknown;
  for (;;) {
    const def = s.def as { type: string; innerType?: z.ZodType; defaultValue?: unknown };
    if (def.type === 'default' && !hasDefault) {
      hasDefault = true;
      defaultValue = def.defaultValue;
    }
    if (!def.innerType || !['default', 'optional', 'nullable', 'prefault', 'readonly'].includes(def.type)) return { base: s, hasDefault, defaultValue };
    s = def.innerType;
  }
}

function choicesOf(base: z.ZodType): string[] | undefined {
  const def = base.def as { type: string; entries?: Record<string, string>; options?: z.ZodType[]; values?: unknown[] };
  if (def.type === 'enum') return Object.values(def.entries!);
  if (def.type === 'literal') return def.values!.map(String);
  if (def.type === 'union') {
    const parts = def.options!.map((o) => choicesOf(o));
    return parts.every((p) => p) ? parts.flat() as string[] : undefined;
  }
  return undefined;
}

/** Whether a number may stand where this field is (a number, or a union with one: `all|N`). */
function takesNumber(base: z.ZodType): boolean {
  const def = base.def as { type: string; options?: z.ZodType[] };
  if (def.type === 'number') return true;
  return def.type === 'union' && def.options!.some((o) => takesNumber(unwrap(o).base));
}

/** The option of each field of `schema` that has `cli` metadata, in the schema's order. */
export function optionFields(schema: z.ZodObject): OptionField[] {
  const out: OptionField[] = [];
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const meta = cliMetaOf(field);
    if (!meta) continue;
    const { base, hasDefault, defaultValue } = unwrap(field);
    const type = (base.def as { type: string }).type;
    const name = meta.flag ?? kebab(key);
    const kind: OptionField['kind'] = type === 'boolean' ? (hasDefault && defaultValue === true ? 'negated' : 'boolean') : type === 'array' ? 'list' : 'value';
    const flag = kind === 'negated' ? `--no-${name}` : `--${name}`;
    const shownDefault =
      meta.shownDefault ?? (kind === 'value' && hasDefault && defaultValue !== undefined ? (meta.toText ? meta.toText(defaultValue) : String(defaultValue)) : undefined);
    out.push({
      key,
      flags: kind === 'boolean' || kind === 'negated' ? flag : `${flag} <${meta.value ?? 'value'}>`,
      flag,
      kind,
      choices: kind === 'value' ? choicesOf(base) : undefined,
      shownDefault,
      help: kind === 'list' ? `${meta.help}; repeatable` : meta.help,
      env: meta.env,
      required: !field.safeParse(undefined).success,
      meta,
      schema: field,
    });
  }
  return out;
}

/** Help text of an option: its help, then choices, default and environment variable. */
function helpLine(f: OptionField): string {
  const extra = [f.choices ? `one of ${f.choices.join('|')}` : '', f.shownDefault !== undefined ? `default: ${f.shownDefault}` : '', f.env ? `env ${f.env}` : '', f.required ? 'required' : ''].filter(Boolean);
  return extra.length ? `${f.help} (${extra.join('; ')})` : f.help;
}

/** Add one commander option per field. Defaults are zod's, applied when reading: commander only shows them. */
export function addSchemaOptions(cmd: Command, schema: z.ZodObject): void {
  for (const f of optionFields(schema)) {
    const opt = new Option(f.flags, helpLine(f));
    if (f.kind === 'list') opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    cmd.addOption(opt);
  }
}

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;

/** A flag's text as the field's value: a number where a number may stand, else the text (zod says what is wrong). */
function fromText(f: OptionField, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw; // booleans, lists
  if (f.meta.fromText) return f.meta.fromText(raw);
  return takesNumber(unwrap(f.schema).base) && NUMBER.test(raw) ? Number(raw) : raw;
}

export interface ReadOptions<S extends z.ZodObject> {
  /** Every field of the schema: given values, else defaults. */
  opts: z.output<S>;
  /** The keys the user gave on the command line. */
  given: ReadonlySet<string>;
}

/**
 * Read the options commander collected for `schema`'s fields: each given value is checked on
 * its own (the error names the flag), then the whole through `parseConfig` (defaults applied).
 * `example`: a command line to show when a required option is missing.
 */
export function readSchemaOptions<S extends z.ZodObject>(cmd: Command, schema: S, command: string, example?: string): ReadOptions<S> {
  const given: Record<string, unknown> = {};
  for (const f of optionFields(schema)) {
    const attr = new Option(f.flags).attributeName();
    if (cmd.getOptionValueSource(attr) !== 'cli') {
      if (f.required) throw new UserError(`janus ${command} needs ${f.flag}`, example ? `e.g. ${example}` : undefined);
      continue;
    }
    const value = fromText(f, cmd.getOptionValue(attr));
    parseConfig(z.object({ [f.key]: f.schema }), { [f.key]: value }, f.flag);
    given[f.key] = value;
  }
  return { opts: parseConfig(schema, given, `${command} options`), given: new Set(Object.keys(given)) };
}
