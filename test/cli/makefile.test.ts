/**
 * The Makefile hands every variable a user sets to the shell as one quoted argument: a path with
 * spaces, quotes, backquotes, `$(...)` (shell or make syntax) or `$VAR` arrives exactly as typed
 * and runs nothing. `janus` is replaced by a script that prints its arguments.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, tempDir } from '../helpers/fixtures.ts';

const test = suite('cli/makefile');

/** The argument lists the recipe's janus commands got, one per janus call. */
function makeArgs(target: string, vars: Record<string, string>): string[][] {
  const r = spawnSync('make', ['-s', '--no-print-directory', target, 'JANUS=node test/helpers/print-argv.mjs', ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.startsWith('[')).map((l) => JSON.parse(l) as string[]);
}

const tmp = tempDir('make');
const dir = tmp.dir;
test.after(() => tmp.cleanup());
const trap = (n: string) => join(dir, `ran-${n}`);
// each would create a file if a shell or make ever ran it
const nasty = `${dir}/it's "a" clip $(touch ${trap('shell')}) \`touch ${trap('tick')}\` $(shell touch ${trap('make')}) $HOME.mp4`;

test('make swap: A, B, NAME and the knobs arrive as typed, one argument each, and run nothing', () => {
  const [args] = makeArgs('swap', { A: nasty, B: 'b b.mp4', NAME: "n 'm'", PRESET: 'tiny', ITERATIONS: '5' });
  assert.equal(args, ['run', 'pipelines/swap.yaml', '--workdir', "runs/n 'm'", '--set', `a=${nasty}`, '--set', 'b=b b.mp4', '--set', 'preset=tiny', '--set', 'iterations=5']);
  for (const n of ['shell', 'tick', 'make']) assert.not.ok(existsSync(trap(n)), `the path's ${n} text was executed`);
});

test('make benchmark and make status: MANIFEST, OUT and NAME arrive as typed', () => {
  assert.equal(makeArgs('benchmark', { MANIFEST: nasty, OUT: 'out dir', PRESET: 'tiny' }), [['benchmark', nasty, '--out', 'out dir', '--preset', 'tiny']]);
  assert.equal(makeArgs('status', { NAME: '$(shell echo x) y' }), [['status', '--workdir', 'runs/$(shell echo x) y']]);
  for (const n of ['shell', 'tick', 'make']) assert.not.ok(existsSync(trap(n)), `the path's ${n} text was executed`);
});

test.run();
