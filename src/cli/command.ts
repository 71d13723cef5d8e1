/**
 * The shape of a CLI command: name, arguments, the schema its options come from, and how to
 * load what it runs. `commands.ts` lists them; the implementation (one file per command,
 * exporting `run`) is imported only when that command runs, so `janus --help` or `janus probe`
 * load no tfjs, sharp or face-api (nor do `status`, `clean`, or `run`/`stage` until a stage
 * runs: the stage registry holds light specs, each implementation loads when its stage runs).
 *
 *   defineCommand({ name: 'doctor', summary: '…', options: BackendOption.extend(OutputConfig.shape), load: () => import('./doctor.ts') });
 *   // doctor.ts: export async function run(args: string[], opts: DoctorOpts): Promise<number>
 */
import type { z } from 'zod';

export interface CommandModule<O> {
  /** Runs the command; returns the exit code. `given`: the option keys set on the command line. */
  run(args: string[], opts: O, given: ReadonlySet<string>): Promise<number>;
}

export interface CommandSpec<S extends z.ZodObject = z.ZodObject> {
  name: string;
  /** commander argument syntax, e.g. ['<video>'] */
  args?: string[];
  summary: string;
  /** Its options: the fields of this schema with `cli` metadata (src/config/cli-meta.ts). */
  options: S;
  /** A command line shown when a required option is missing. */
  example?: string;
  /** It reads or writes video: ffmpeg (5.1 or newer) is checked before anything runs. */
  needsFfmpeg?: true;
  /** The implementation, imported on demand. */
  load(): Promise<CommandModule<z.output<S>>>;
}

/** A command, type-checked against its implementation's `run`. */
export function defineCommand<S extends z.ZodObject>(spec: CommandSpec<S>): CommandSpec<S> {
  return spec;
}
