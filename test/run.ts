/**
 * Runs every `*.test.ts` under test/ in one process with uvu and ends with the line CI reads:
 * `N passed, N failed` (counting every test across files; a suite whose hook threw counts all
 * its tests that did not pass as failed). Exit code 1 on any failure.
 *
 *   npx tsx test/run.ts                 # all tests
 *   npx tsx test/run.ts media/decode    # files whose path contains the filter
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type SuiteRunner = () => Promise<[true | string, number, number, number]>;
type Group = [string | null, ...SuiteRunner[]];
const g = globalThis as unknown as { UVU_DEFER: number; UVU_QUEUE: Group[]; UVU_INDEX: number };

const root = resolve(import.meta.dirname);
const filters = process.argv.slice(2);

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = findTests(root).filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)));
g.UVU_DEFER = 1;
g.UVU_QUEUE = [];
await import('uvu');

let passed = 0;
let failed = 0;
let skipped = 0;
const failures: string[] = [];
const started = Date.now();

for (const [i, file] of files.entries()) {
  const name = relative(root, file);
  g.UVU_QUEUE.push([name]);
  g.UVU_INDEX = i;
  try {
    await import(pathToFileURL(file).href);
  } catch (err) {
    failed++;
    failures.push(`${name}: failed to load: ${(err as Error).stack ?? String(err)}`);
  }
}

const timings: Array<[string, number]> = [];
for (const group of g.UVU_QUEUE) {
  const name = group.shift() as string;
  process.stdout.write(`${name}\n`);
  const t0 = Date.now();
  for (const run of group as SuiteRunner[]) {
    const [errs, ran, skip, total] = await run();
    passed += ran;
    skipped += skip;
    const bad = Math.max(0, total - ran - 0);
    failed += bad;
    if (errs !== true) failures.push(errs);
    else if (bad > 0) failures.push(`${name}: ${bad} test(s) did not run (a hook threw)`);
  }
  timings.push([name, (Date.now() - t0) / 1000]);
}

const secs = ((Date.now() - started) / 1000).toFixed(1);
if (failures.length) {
  process.stdout.write(`\nFailures:\n${failures.join('\n')}\n`);
}
const slowest = [...timings].sort((a, b) => b[1] - a[1]).slice(0, 5);
process.stdout.write(`\n${files.length} files, ${secs}s (slowest: ${slowest.map(([n, t]) => `${n} ${t.toFixed(0)}s`).join(', ')})\n`);
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
