/**
 * The fault suite (`make faults`, also run by .ci/run): SIGKILL at many points of a swap
 * pipeline and a mini benchmark, each followed by a rerun that must end byte-identical to an
 * uninterrupted run without redoing finished work (kills.ts); and bad inputs, each answered
 * with exit 2 (or success where the input is valid after all), a message naming the file and
 * the fix, and no pre-existing file lost (bad-inputs.ts). Prints one figures line, then
 * "N passed, N failed" like the test runner.
 *
 *   npx tsx test/faults/run.ts [kills|bad-inputs ...]
 *
 * Two or more parts run side by side, one process each (each runs one command at a time), with
 * one wasm thread per command: two thread pools on two cores would spin against each other.
 */
import { spawn } from 'node:child_process';
import type { FaultPart } from './lib.ts';

const PARTS: Record<string, { run: () => Promise<FaultPart>; label: (n: number) => string }> = {
  kills: { run: async () => (await import('./kills.ts')).runKills(), label: (n) => `${n} kill points byte-identical` },
  'bad-inputs': { run: async () => (await import('./bad-inputs.ts')).runBadInputs(), label: (n) => `${n} bad inputs clear` },
};
const RESULT_MARK = '@@janus-faults-result ';

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(PARTS);
for (const c of chosen) if (!PARTS[c]) throw new Error(`unknown part "${c}": expected ${Object.keys(PARTS).join(' or ')}`);

/** One part in this process; its result as one marked JSON line when a parent reads it. */
async function runHere(name: string): Promise<FaultPart> {
  const t0 = Date.now();
  let part: FaultPart;
  try {
    part = await PARTS[name]!.run();
  } catch (err) {
    part = { passed: 0, failures: [`${name}: the part itself failed: ${(err as Error).stack ?? String(err)}`], lost: [] };
  }
  process.stdout.write(`  ${name}: ${part.passed} passed, ${part.failures.length} failed, ${part.lost.length} files lost in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  return part;
}

/** One part in a child process; its output passed through, its result read back. */
function runChild(name: string): Promise<FaultPart> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, name], { env: { ...process.env, JANUS_FAULTS_CHILD: '1', JANUS_WASM_THREADS: process.env.JANUS_WASM_THREADS ?? '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let result: FaultPart | null = null;
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) {
        if (l.startsWith(RESULT_MARK)) result = JSON.parse(l.slice(RESULT_MARK.length)) as FaultPart;
        else process.stdout.write(`${l}\n`);
      }
    });
    child.on('close', (code, signal) => resolve(result ?? { passed: 0, failures: [`${name}: the part's process ended (${signal ?? `exit ${code}`}) without a result`], lost: [] }));
  });
}

if (process.env.JANUS_FAULTS_CHILD) {
  const part = await runHere(chosen[0]!);
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(part)}\n`);
  process.exit(0);
}

const started = Date.now();
const parts = chosen.length > 1 ? await Promise.all(chosen.map(runChild)) : [await runHere(chosen[0]!)];
const figures = parts.map((p, i) => PARTS[chosen[i]!]!.label(p.passed));
const passed = parts.reduce((n, p) => n + p.passed, 0);
const failures = parts.flatMap((p) => p.failures);
const lost = parts.flatMap((p) => p.lost);
for (const f of failures) process.stdout.write(`FAIL ${f}\n`);
for (const l of lost) process.stdout.write(`LOST ${l}\n`);
process.stdout.write(`faults: ${figures.join(', ')}, ${lost.length} files lost (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
process.stdout.write(`${passed} passed, ${failures.length + lost.length} failed\n`);
process.exit(failures.length + lost.length ? 1 : 0);
