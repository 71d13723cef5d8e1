/**
 * The shape of a CLI command: name, arguments, which options it takes (keys of OPTIONS), and
 * what it runs. One file per command exports one of these; `main.ts` registers them all.
 *
 *   export const doctorCommand: CommandSpec = { name: 'doctor', summary: '…', options: ['backend'], run: async (args, opts) => 0 };
 */
import type { OptionKey } from './options.ts';

export interface CommandSpec {
  name: string;
  /** commander argument syntax, e.g. ['<video>'] */
  args?: string[];
  summary: string;
  options: OptionKey[];
  /** Returns the exit code. */
  run(args: string[], options: Record<string, unknown>): Promise<number>;
}

/** A numeric option's value: undefined when absent (so the zod default applies), else a number. */
export function optionNumber(v: unknown): number | undefined {
  return v === undefined ? undefined : Number(v);
}
