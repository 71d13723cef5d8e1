/**
 * The `janus` CLI entry: builds commander from the command list and its option schemas, reads
 * the options through zod, imports and runs the command, and turns errors into exit codes (2
 * with a clear message for a user's mistake, 1 with a stack for a bug, 130 on Ctrl-C).
 *
 *   npx janus --help
 *   npx janus doctor
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { asUserError } from '../util/errors.ts';
import { installSignalHandlers } from '../util/signals.ts';
import { COMMANDS } from './commands.ts';
import { addSchemaOptions, readSchemaOptions } from './schema-options.ts';

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
    addSchemaOptions(cmd, spec.options);
    cmd.action(async (...params: unknown[]) => {
      const c = params[params.length - 1] as Command;
      // a variadic argument (`<faces...>`) arrives as one array: spread it
      const args = (params.slice(0, spec.args?.length ?? 0) as Array<string | string[]>).flat();
      const { opts, given } = readSchemaOptions(c, spec.options, spec.name, spec.example);
      // ffmpeg checked (its version asked without blocking) while the implementation loads; a
      // missing or old one is refused before any work (its message first, whatever the load did)
      const ffmpegReady = spec.needsFfmpeg ? (await import('../media/ffmpeg.ts')).readyFfmpeg() : null;
      ffmpegReady?.catch(() => undefined); // awaited below
      const impl = await spec.load().catch(async (err: unknown) => {
        await ffmpegReady;
        throw err;
      }); // only now: the implementation pulls tfjs, sharp, ffmpeg…
      await ffmpegReady;
      onExit(await impl.run(args, opts, given));
    });
  }
  return program;
}

/**
 * Dawn keeps Node alive while referenced: release it if a command loaded it (src/engine/webgpu.ts
 * publishes it as `navigator.gpu`), without importing tfjs for commands that never did.
 */
async function releaseGpu(): Promise<void> {
  if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu === undefined) return;
  const { releaseWebgpu } = await import('../engine/webgpu.ts');
  releaseWebgpu();
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
      // commander already printed its message (help, version, bad option); a file named like an option gets the way out
      const named = e.code === 'commander.unknownOption' ? /unknown option '(.+)'/.exec((err as Error).message)?.[1] : undefined;
      if (named && existsSync(named)) process.stderr.write(`  fix: "${named}" is a file: write it as ./${named}, or put -- before it\n`);
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    const user = asUserError(err); // a mistake in the input, or the machine's (disk full, no permission)
    if (user) {
      process.stderr.write(`janus: ${user.message}\n${user.hint ? `  fix: ${user.hint}\n` : ''}`);
      return 2;
    }
    process.stderr.write(`janus: internal error (a bug; please report it with this trace):\n${(err as Error).stack ?? String(err)}\n`);
    return 1;
  } finally {
    await releaseGpu();
  }
}

/** Run the CLI as the `janus` executable: signals, exit code. */
export async function runCli(argv = process.argv): Promise<void> {
  installSignalHandlers();
  process.exitCode = await main(argv);
}
