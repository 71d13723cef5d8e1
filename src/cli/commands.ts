/**
 * The registry of CLI commands, in the order `--help` lists them.
 *
 *   COMMANDS.map((c) => c.name)   // ['run', 'status', 'stage', 'clean', 'doctor', 'samples', 'probe']
 */
import type { CommandSpec } from './command.ts';
import { alignmentsCommand } from './alignments.ts';
import { cleanCommand } from './clean.ts';
import { benchmarkCommand } from './benchmark.ts';
import { convertCommand } from './convert.ts';
import { detectBaselineCommand } from './detect-baseline.ts';
import { latentsCommand } from './latents.ts';
import { doctorCommand } from './doctor.ts';
import { extractCommand } from './extract.ts';
import { probeCommand } from './probe.ts';
import { runCommand } from './run.ts';
import { samplesCommand } from './samples.ts';
import { stageCommand } from './stage.ts';
import { statusCommand } from './status.ts';
import { pretrainCommand } from './pretrain.ts';
import { trainCommand } from './train.ts';

export const COMMANDS: readonly CommandSpec[] = Object.freeze([
  runCommand,
  statusCommand,
  stageCommand,
  cleanCommand,
  extractCommand,
  alignmentsCommand,
  trainCommand,
  pretrainCommand,
  convertCommand,
  benchmarkCommand,
  latentsCommand,
  detectBaselineCommand,
  doctorCommand,
  samplesCommand,
  probeCommand,
]);
