/**
 * One run per folder and clean stops, through real processes: a second `janus train` on the
 * same --out is refused naming the first, which SIGHUP then stops like SIGTERM (exit 130,
 * checkpoint saved, lock released); `janus benchmark` refuses a locked --out before writing
 * anything; SIGHUP stops `janus run` cleanly; and ffmpeg children die with their janus when it
 * is killed with SIGKILL (a long ffmpeg, and `janus extract` mid-decode; its rerun, byte-identical
 * with no temp file left: the fault suite's kill at extraction pass 1, `make faults`).
 *
 * @tier e2e (starts, kills and reruns the CLI and ffmpeg)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lockPath, processStart, readLock } from '../../src/dag/lock.ts';
import { faceCrop } from '../helpers/data.ts';
import { ROOT, SAMPLE_A, ffmpegSync, janus, requireSamples, tempDir } from '../helpers/fixtures.ts';
import { toyCase } from '../dag/toy-kinds.ts';

const test = suite('cli/lock-signals');
const tmp = tempDir('lock-signals');
test.after(() => tmp.cleanup());
const linux = existsSync('/proc/self/stat');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ready: () => boolean, ms = 180_000): Promise<void> {
  const t0 = Date.now();
  while (!ready()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function started(args: string[], script = join(ROOT, 'src/cli/bin.js')): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, output: () => output, exited };
}

/** Linux: the ffmpeg processes whose parent is `pid`. */
function ffmpegChildren(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return stat.includes('(ffmpeg)') && Number(fields[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Running (not gone, not a zombie waiting for a reaper). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

test('a second janus train on the same --out is refused naming the first; SIGHUP stops the first: exit 130, checkpoint saved, lock released', async () => {
  const faces: string[] = [];
  for (const name of ['a', 'b'] as const) {
    const dir = join(tmp.dir, `faces-${name}`);
    mkdirSync(dir, { recursive: true });
    const f = await faceCrop(name, 96);
    for (const i of [0, 1]) await sharp(Buffer.from(f.map((v) => Math.round(v * 255))), { raw: { width: 96, height: 96, channels: 3 } }).flop(i === 1).png().toFile(join(dir, `${i}.png`));
    faces.push(dir);
  }
  const out = join(tmp.dir, 'model');
  const args = ['train', '--a', faces[0]!, '--b', faces[1]!, '--out', out, '--preset', 'tiny', '--iterations', '100000', '--save-every', '2', '--batch-size', '2'];
  const first = started(args);
  await until('a first checkpoint', () => existsSync(join(out, 'checkpoints', 'ckpt-000000002', 'MANIFEST.json')));
  const holder = readLock(out)!;
  assert.is(holder.pid, first.child.pid);
  assert.match(holder.command, /^janus train --out /);
  const second = janus(args);
  assert.is(second.code, 2, second.stdout + second.stderr);
  assert.match(second.stderr, new RegExp(`folder ${out} is in use by pid ${first.child.pid} on ${hostname()} .*janus train --out`));
  first.child.kill('SIGHUP');
  assert.is(await first.exited, 130, first.output());
  assert.match(first.output(), /SIGHUP: stopping/);
  const m = /stopped by signal at iteration (\d+); checkpoint .*ckpt-0*(\d+)/.exec(first.output());
  assert.ok(m && m[1] === m[2], `the checkpoint is of the iteration it stopped at: ${first.output()}`);
  assert.not.ok(existsSync(lockPath(out)), 'lock released');
  assert.not.ok(existsSync(join(out, '.janus')), 'no .janus left in the model folder');
});

test('janus benchmark refuses a --out locked by a live process before writing anything there', () => {
  requireSamples();
  const manifest = join(tmp.dir, 'bench.csv');
  // the lock is checked before the manifest is read: any manifest would do (make test builds samples a and b only)
  writeFileSync(manifest, ['video,identity', ...['a', 'b'].map((n, i) => `${join(ROOT, 'samples', `${n}.mp4`)},person${i}`)].join('\n') + '\n');
  const out = join(tmp.dir, 'bench');
  mkdirSync(join(out, '.janus'), { recursive: true });
  const start = processStart(process.pid);
  writeFileSync(lockPath(out), JSON.stringify({ pid: process.pid, host: hostname(), command: 'janus benchmark other.csv', since: new Date().toISOString(), ...(start ? { started: start } : {}) }));
  const r = janus(['benchmark', manifest, '--out', out, '--preset', 'tiny', '--iterations', '2', '--splits', '0.5,0,0.5']);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`folder ${out} is in use by pid ${process.pid} .*janus benchmark other\\.csv`));
  assert.equal(readdirSync(out), ['.janus']);
  assert.equal(readdirSync(join(out, '.janus')), ['lock'], 'nothing written: no plan, no pipeline file');
});

test('SIGHUP stops janus run like SIGTERM: exit 130, state kept, lock released; the rerun finishes', async () => {
  const c = toyCase(tmp.dir, `
name: hup
stages:
  - name: gen
    kind: toy-items
    params: { count: 40, delayMs: 100, tag: hup }
    inputs: { seed: SEED }
    outputs: { dir: items, index: items.txt }
`);
  const toy = join(ROOT, 'test/dag/toy-cli.ts');
  const run = started(['run', c.file, '--workdir', c.workdir], toy);
  await until('a few items', () => existsSync(join(c.workdir, 'items')) && readdirSync(join(c.workdir, 'items')).length >= 3, 60_000);
  run.child.kill('SIGHUP');
  assert.is(await run.exited, 130, run.output());
  assert.match(run.output(), /SIGHUP: stopping after in-flight work/);
  assert.match(run.output(), /interrupted/);
  assert.not.ok(existsSync(lockPath(c.workdir)), 'lock released');
  const again = started(['run', c.file, '--workdir', c.workdir], toy);
  assert.is(await again.exited, 0, again.output());
  assert.match(again.output(), /gen: running \(incomplete.*\), resuming at item \d+\/40/);
});

test('SIGKILL of a process running a long ffmpeg: the ffmpeg dies within seconds', async () => {
  if (!linux) return;
  const p = started([], join(ROOT, 'test/helpers/long-ffmpeg.ts'));
  await until('its ffmpeg', () => ffmpegChildren(p.child.pid!).length > 0, 60_000);
  const ff = ffmpegChildren(p.child.pid!);
  p.child.kill('SIGKILL');
  await p.exited;
  await until(`ffmpeg ${ff.join(', ')} to die with its parent`, () => !ff.some(running), 5_000);
});

test('SIGKILL of janus extract mid-decode: no ffmpeg of it keeps running', async () => {
  if (!linux) return;
  requireSamples();
  const clip = join(tmp.dir, 'a-1s.mp4');
  ffmpegSync(['-i', SAMPLE_A, '-t', '1', '-c:v', 'libx264', '-c:a', 'copy', clip]);
  const out = join(tmp.dir, 'extract');
  const p = started(['extract', clip, '--out', out, '--detector', 'tiny']);
  // after the lock (the ffmpeg version check runs before it): the decoder's ffmpeg
  await until('the decoding ffmpeg', () => existsSync(lockPath(out)) && ffmpegChildren(p.child.pid!).length > 0);
  await sleep(500);
  const ff = ffmpegChildren(p.child.pid!);
  p.child.kill('SIGKILL');
  await p.exited;
  await until(`ffmpeg ${ff.join(', ')} to die with janus`, () => !ff.some(running), 5_000);
});

test.run();
