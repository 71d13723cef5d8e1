/**
 * The `janus` CLI entry: builds commander from the command and option tables, runs the
 * command, and turns errors into exit codes (2 with a clear message for a user's mistake,
 * 1 with a stack for a bug, 130 on Ctrl-C).
 *
 *   npx janus --help
 *   npx janus doctor
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { releaseWebgpu } from '../engine/webgpu.ts';
import { isUserError } from '../util/errors.ts';
import { installSignalHandlers } from '../util/signals.ts';
import { COMMANDS } from './commands.ts';
import { OPTIONS, type OptionSpec } from './options.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(onExit: (code: number) => void): Command {
  const program = new Command('janus')
    .description('Janus: face-swap research pipeline (shared encoder, two Conv2DTranspose decoders, resumable job DAG)')
    .version(pkg.version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const spec of COMMANDS) {
    const cmd = program.command(spec.name).description(spec.summary);
    for (const a of spec.args ?? []) cmd.argument(a);
    for (const key of spec.options) {
      const o: OptionSpec = OPTIONS[key];
      const extra = [o.defaultValue !== undefined ? `default: ${String(o.defaultValue)}` : '', o.env ? `env ${o.env}` : ''].filter(Boolean);
      // Defaults are applied by the zod schemas, not by commander; the help text only shows them.
      const opt = new Option(o.flags, extra.length ? `${o.description} (${extra.join('; ')})` : o.description);
      if (o.choices) opt.choices(o.choices as string[]);
      if ('repeatable' in o && o.repeatable) opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
      cmd.addOption(opt);
    }
    cmd.action(async (...params: unknown[]) => {
      const c = params[params.length - 1] as Command;
      // a variadic argument (`<faces...>`) arrives as one array: spread it
      const args = (params.slice(0, spec.args?.length ?? 0) as Array<string | string[]>).flat();
      onExit(await spec.run(args, c.opts()));
    });
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      // commander already printed its message (help, version, bad option)
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    if (isUserError(err)) {
      process.stderr.write(`janus: ${err.message}\n${err.hint ? `  fix: ${err.hint}\n` : ''}`);
      return 2;
    }
    process.stderr.write(`janus: internal error (a bug; please report it with this trace):\n${(err as Error).stack ?? String(err)}\n`);
    return 1;
  } finally {
    releaseWebgpu(); // Dawn keeps Node alive while referenced
  }
}

/** Run the CLI as the `janus` executable: signals, exit code. */
export async function runCli(argv = process.argv): Promise<void> {
  installSignalHandlers();
  process.exitCode = await main(argv);
}
