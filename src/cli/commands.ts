/**
 * The registry of CLI commands, in the order `--help` lists them.
 *
 *   COMMANDS.map((c) => c.name)   // ['doctor', 'samples', 'probe']
 */
import type { CommandSpec } from './command.ts';
import { doctorCommand } from './doctor.ts';
import { probeCommand } from './probe.ts';
import { samplesCommand } from './samples.ts';

export const COMMANDS: readonly CommandSpec[] = Object.freeze([doctorCommand, samplesCommand, probeCommand]);
