/**
 * Crash safety with a real child process: `janus run` killed with SIGKILL mid-items and in the
 * stage after, then run again, ends with outputs byte-identical to an uninterrupted run (the
 * fault suite, `make faults`, kills the real pipelines at each of 20 named points). SIGINT stops cleanly with exit 130 and
 * the next run resumes. Also: status through the CLI.
 *
 * @tier e2e (kills and reruns processes)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, tempDir } from '../helpers/fixtures.ts';
import { toyCase } from './toy-kinds.ts';

const test = suite('dag/crash');
const tmp = tempDir('crash');
test.after(() => tmp.cleanup());

const TOY_CLI = join(ROOT, 'test/dag/toy-cli.ts');
const ITEMS = 16;

const PIPELINE = `
name: crashy
stages:
  - name: gen
    kind: toy-items
    params: { count: ${ITEMS}, delayMs: 40, tag: crash }
    inputs: { seed: SEED }
    outputs: { dir: items, index: items.txt }
  - name: join
    kind: toy-join
    params: { delayMs: 400 }
    inputs: { dir: "@gen.dir" }
    outputs: { out: joined.txt }
  - name: copy
    kind: toy-copy
    params: { suffix: "\\n-- end" }
    inputs: { src: "@join.out" }
    outputs: { dst: final/copy.txt }
`;

const setup = () => toyCase(tmp.dir, PIPELINE, 'crash seed\n');

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', TOY_CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under the run folder's outputs (not the state, logs or manifest), with its bytes. */
function snapshot(workdir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.name === '.janus' || e.name === 'run-manifest.json') continue;
      if (e.isDirectory()) walk(p);
      else out.set(relative(workdir, p), readFileSync(p, 'base64'));
    }
  };
  walk(workdir);
  return out;
}

function itemCount(workdir: string): number {
  const d = join(workdir, 'items');
  return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.txt')).length : 0;
}

/** Start a run, wait for `ready()`, then send `signal`; resolve with the exit code or signal. */
async function interruptRun(c: { file: string; workdir: string }, ready: () => boolean, signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', TOY_CLI, 'run', c.file, '--workdir', c.workdir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stdout += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.on('exit', (code, sig) => res({ code, signal: sig })));
  const t0 = Date.now();
  let done = false;
  void exited.then(() => (done = true));
  while (!ready() && !done) {
    if (Date.now() - t0 > 60_000) throw new Error('the run never reached the kill point');
    await new Promise((r) => setTimeout(r, 5));
  }
  if (done) throw new Error(`the run finished before the kill point:\n${stdout}`);
  child.kill(signal);
  return { ...(await exited), stdout };
}

let reference: Map<string, string>;

test.before(() => {
  const c = setup();
  const r = cli(['run', c.file, '--workdir', c.workdir]);
  assert.is(r.code, 0, r.stderr);
  reference = snapshot(c.workdir);
  assert.is(reference.size, ITEMS + 3); // the items, items.txt, joined.txt, final/copy.txt
});

/** Where to kill, and what the rerun should then say about stage gen. */
const killPoints: Array<[string, (w: string) => boolean, RegExp]> = [
  ['after 3 items', (w) => itemCount(w) >= 3, /gen: running \(incomplete.*\), resuming at item \d+\/16/],
  ['in the stage after (join)', (w) => existsSync(join(w, '.janus/logs/join.log')), /gen: up to date/],
];

for (const [label, ready, genSays] of killPoints) {
  test(`SIGKILL ${label}, then a rerun: outputs byte-identical to an uninterrupted run`, async () => {
    const c = setup();
    const k = await interruptRun(c, () => ready(c.workdir), 'SIGKILL');
    assert.is(k.signal, 'SIGKILL');
    const r = cli(['run', c.file, '--workdir', c.workdir]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /cleared a stale lock/);
    const got = snapshot(c.workdir);
    assert.equal([...got.keys()].sort(), [...reference.keys()].sort());
    for (const [f, bytes] of reference) assert.ok(got.get(f) === bytes, `${f} differs`);
    assert.match(r.stderr, genSays, 'finished items are not redone');
  });
}

test('SIGINT mid-items: exit 130, status shows progress, the next run resumes and finishes identically', async () => {
  const c = setup();
  const k = await interruptRun(c, () => itemCount(c.workdir) >= 5, 'SIGINT');
  assert.is(k.code, 130, k.stdout);
  assert.match(k.stdout, /interrupted/);
  assert.not.ok(existsSync(join(c.workdir, '.janus/lock')), 'lock released');
  const s = cli(['status', '--workdir', c.workdir]);
  assert.is(s.code, 0, s.stderr);
  assert.match(s.stdout, /gen: would run: incomplete: a run started and did not finish \(\d+\/16 items done\)/);
  assert.match(s.stdout, /join: would run: upstream stage "gen" will run/);
  const r = cli(['run', c.file, '--workdir', c.workdir]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /gen: running \(incomplete.*\), resuming at item \d+\/16/);
  const got = snapshot(c.workdir);
  for (const [f, bytes] of reference) assert.ok(got.get(f) === bytes, `${f} differs`);
  const again = cli(['run', c.file, '--workdir', c.workdir]);
  assert.match(again.stdout, /0 ran, 3 up to date/);
});

test('a second janus run on a busy run folder is refused (exit 2), naming the holder', async () => {
  const c = setup();
  // the first run's items wait for this file: it stays busy until the second has been refused, however slow the machine
  const release = join(c.dir, 'release');
  writeFileSync(c.file, readFileSync(c.file, 'utf8').replace('delayMs: 40', `delayMs: 0, holdUntil: ${JSON.stringify(release)}`));
  const child = spawn(process.execPath, ['--import', 'tsx', TOY_CLI, 'run', c.file, '--workdir', c.workdir], { cwd: ROOT, stdio: 'ignore' });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const t0 = Date.now();
  while (!existsSync(join(c.workdir, '.janus/lock')) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 5));
  const second = cli(['run', c.file, '--workdir', c.workdir]);
  assert.is(second.code, 2, second.stdout + second.stderr);
  assert.match(second.stderr, new RegExp(`is in use by pid ${child.pid} .*janus run ${c.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.is(child.exitCode, null, 'the first run is still going');
  writeFileSync(release, '');
  assert.is(await exited, 0, 'the first run is not disturbed');
  assert.is(itemCount(c.workdir), ITEMS);
});

test('janus status and clean through the CLI', async () => {
  const c = setup();
  assert.is(cli(['run', c.file, '--workdir', c.workdir]).code, 0);
  writeFileSync(join(c.workdir, 'final/copy.txt'), 'tampered');
  const s = cli(['status', '--workdir', c.workdir]);
  assert.match(s.stdout, /gen: up to date/);
  assert.match(s.stdout, /copy: would run: output changed since it was made: dst \(final\/copy\.txt\)/);
  const clean = cli(['clean', '--workdir', c.workdir, '--all']);
  assert.is(clean.code, 0, clean.stderr);
  assert.not.ok(existsSync(join(c.workdir, 'items')));
  assert.not.ok(existsSync(join(c.workdir, '.janus/state.db')));
  void statSync;
});

test.run();
