/**
 * `janus reproduce RUN --out DIR`: a reproduction kit of a finished run (src/verify/kit.ts):
 * `bash DIR/reproduce.sh` checks the inputs and the environment, runs the pipeline with the
 * run's sets and its budgets pinned, and compares every output with the original's.
 *
 *   npx janus reproduce runs/demo --out kits/demo
 *   npx janus reproduce runs/bench --out kits/bench      (a benchmark folder: every pair's stages)
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeKit } from '../verify/kit.ts';
import type { ReproduceOpts } from './commands.ts';
import { resolveRun } from './run-folder.ts';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));
const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

export async function run([dir]: string[], opts: ReproduceOpts): Promise<number> {
  const { pipeline, workdir } = await resolveRun({ workdir: dir! });
  const kit = await writeKit({ workdir, pipeline, out: opts.out, janus: [process.execPath, BIN] });
  const out = resolve(opts.out);
  process.stdout.write(`wrote the reproduction kit of ${kit.run} to ${out}: ${Object.keys(kit.expected).length} stages, ${kit.inputs.length} inputs${kit.pinnedSets.length ? `, pinned ${kit.pinnedSets.join(' ')}` : ''}\n`);
  process.stdout.write(`reproduce and check it: bash ${q(join(out, 'reproduce.sh'))} [RUN_DIR]\n`);
  return 0;
}
