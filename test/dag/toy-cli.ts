/**
 * The janus CLI with the toy stage kinds registered, for tests that run (and kill) a real
 * child process: `node --import tsx test/dag/toy-cli.ts run pipeline.yaml --workdir …`.
 */
import { runCli } from '../../src/cli/main.ts';
import { stageRegistry } from '../../src/stages/registry.ts';
import { registerToyKinds } from './toy-kinds.ts';

registerToyKinds(stageRegistry);
await runCli();
