/**
 * Janus only deletes what it made: extract, convert, benchmark, train, pretrain and run refuse an
 * existing, non-empty folder it did not make, naming the folder and the escape; nothing there is
 * touched (every file's hash compared). With the escape, a stage still refuses to replace an
 * output path that holds the user's files.
 *
 * @tier e2e (runs the CLI)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, SAMPLE_A, janus, requireSamples, tempDir } from '../helpers/fixtures.ts';

const test = suite('cli/foreign-folder');
const tmp = tempDir('foreign');
test.before(() => requireSamples());
test.after(() => tmp.cleanup());

/** A folder of the user's: faces/holiday.jpg and notes.txt. */
function usersFolder(name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(join(dir, 'faces'), { recursive: true });
  writeFileSync(join(dir, 'faces', 'holiday.jpg'), 'not really a jpeg, but mine');
  writeFileSync(join(dir, 'notes.txt'), 'my notes');
  return dir;
}

/** Every file under dir with its hash. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

test('extract, train, pretrain, benchmark, convert and run refuse a folder of the user\'s, naming it and the escape; nothing is touched', () => {
  const dir = usersFolder('mine');
  const before = snapshot(dir);
  const manifest = join(tmp.dir, 'bench.csv');
  writeFileSync(manifest, `video,identity\n${SAMPLE_A},a\n${SAMPLE_A},b\n`);
  const cases: Array<[string[], string, string]> = [
    [['extract', SAMPLE_A, '--out', dir], 'output folder', '--force'],
    [['train', '--a', dir, '--b', dir, '--out', dir], 'model folder', '--force'],
    [['pretrain', dir, '--out', dir], 'model folder', '--force'],
    [['benchmark', manifest, '--out', dir], 'output folder', '--force'],
    [['convert', SAMPLE_A, '--alignments', join(dir, 'alignments.json'), '--model', dir, '--out', join(tmp.dir, 'x.mp4'), '--workdir', dir], 'output folder', '--force'],
    [['run', join(ROOT, 'pipelines/swap.yaml'), '--workdir', dir], 'run folder', '--force-folder'],
  ];
  for (const [args, what, escape] of cases) {
    const r = janus(args);
    assert.is(r.code, 2, `${args[0]}: ${r.stdout}${r.stderr}`);
    assert.ok(r.stderr.includes(`the ${what} "${dir}" already holds files Janus did not make (faces, notes.txt); nothing was touched`), `${args[0]}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`pass ${escape} to use this one anyway`), `${args[0]}: ${r.stderr}`);
    assert.equal(snapshot(dir), before, `${args[0]} touched the user's folder`);
  }
});

test('with --force, extract still refuses to replace the faces/ folder it did not make; the user\'s files stay', () => {
  const dir = usersFolder('forced');
  const before = snapshot(dir);
  const r = janus(['extract', SAMPLE_A, '--out', dir, '--force']);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /would replace .*faces \(.*forced\/faces\).*, which Janus did not make; nothing was touched/);
  assert.match(r.stderr, /fix: move it out of the run folder/);
  const after = snapshot(dir);
  for (const [f, h] of Object.entries(before)) assert.is(after[f], h, `${f} was changed or removed`);
});

test('an empty or missing folder, or one Janus made, is used without --force', () => {
  const empty = join(tmp.dir, 'empty');
  mkdirSync(empty);
  const r = janus(['run', join(ROOT, 'pipelines/swap.yaml'), '--workdir', empty, '--dry-run']);
  assert.is(r.code, 0, r.stderr);
  const again = janus(['run', join(ROOT, 'pipelines/swap.yaml'), '--workdir', empty, '--dry-run']);
  assert.is(again.code, 0, `a run folder is Janus's: ${again.stderr}`);
});

test.run();
