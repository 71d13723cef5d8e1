#!/usr/bin/env node
// The `janus` executable: registers tsx (TypeScript on the fly) and runs the CLI.
//   npx janus doctor
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('./main.ts');
await runCli();
