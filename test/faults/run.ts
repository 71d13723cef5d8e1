/**
 * The fault suite (`make faults`, also run by .ci/run): SIGKILL at many points of a swap
 * pipeline and a mini benchmark, each followed by a rerun that must end byte-identical to an
 * uninterrupted run without redoing finished work (kills.ts); and bad inputs, each answered
 * with exit 2 (or success where the input is valid after all), a message naming the file and
 * the fix, and no pre-existing file lost (bad-inputs.ts). Prints one figures line, then
 * "N passed, N failed" like the test runner.
 *
 *   npx tsx test/faults/run.ts [kills|bad-inputs ...]
 */
import type { FaultPart } from './lib.ts';

const PARTS: Record<string, () => Promise<FaultPart & { label: (n: number) => string }>> = {
  kills: async () => ({ ...(await (await import('./kills.ts')).runKills()), label: (n) => `${n} kill points byte-identical` }),
  'bad-inputs': async () => ({ ...(await (await import('./bad-inputs.ts')).runBadInputs()), label: (n) => `${n} bad inputs clear` }),
};

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(PARTS);
for (const c of chosen) if (!PARTS[c]) throw new Error(`unknown part "${c}": expected ${Object.keys(PARTS).join(' or ')}`);

const started = Date.now();
const figures: string[] = [];
let passed = 0;
const failures: string[] = [];
const lost: string[] = [];
for (const name of chosen) {
  const t0 = Date.now();
  process.stdout.write(`== faults: ${name} ==\n`);
  let part;
  try {
    part = await PARTS[name]!();
  } catch (err) {
    failures.push(`${name}: the part itself failed: ${(err as Error).stack ?? String(err)}`);
    continue;
  }
  process.stdout.write(`  ${name}: ${part.passed} passed, ${part.failures.length} failed, ${part.lost.length} files lost in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  figures.push(part.label(part.passed));
  passed += part.passed;
  failures.push(...part.failures);
  lost.push(...part.lost);
}
for (const f of failures) process.stdout.write(`FAIL ${f}\n`);
for (const l of lost) process.stdout.write(`LOST ${l}\n`);
process.stdout.write(`faults: ${figures.join(', ')}, ${lost.length} files lost (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
process.stdout.write(`${passed} passed, ${failures.length + lost.length} failed\n`);
process.exit(failures.length + lost.length ? 1 : 0);
