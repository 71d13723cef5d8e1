/**
 * The folder lock (src/dag/lock.ts): its content is complete the moment it exists, it names pid,
 * process start time, host and command; a dead holder, or a live pid started at another time
 * (a reused pid), is stale and taken over; a live holder, an older lock without a start time
 * whose pid lives, and a lock from another host are respected. Two processes racing for a free
 * folder 50 times, and for a folder holding a stale lock 50 times: exactly one wins each time.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { acquireRunLock, lockPath, processStart, readLock, type LockInfo } from '../../src/dag/lock.ts';
import { UserError } from '../../src/util/errors.ts';
import { ROOT, tempDir } from '../helpers/fixtures.ts';

const test = suite('dag/lock');
const tmp = tempDir('lock');
test.after(() => tmp.cleanup());
let n = 0;
const folder = () => {
  const d = join(tmp.dir, `f${n++}`);
  mkdirSync(d);
  return d;
};
const linux = existsSync('/proc/self/stat');

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout);
}

function plant(dir: string, lock: Partial<LockInfo> & { pid: number }): void {
  mkdirSync(join(dir, '.janus'), { recursive: true });
  writeFileSync(lockPath(dir), JSON.stringify({ host: hostname(), command: 'janus run old.yaml', since: '2026-01-01T00:00:00Z', ...lock }));
}

function refused(dir: string, pattern: RegExp): void {
  try {
    acquireRunLock(dir, 'janus run second.yaml').release();
    assert.unreachable('should be refused');
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, pattern);
  }
}

test('the lock names pid, start time, host and command; no temp file stays; release removes it (and an emptied .janus)', () => {
  const dir = folder();
  const lock = acquireRunLock(dir, 'janus train --out x');
  const info = readLock(dir)!;
  assert.is(info.pid, process.pid);
  assert.is(info.host, hostname());
  assert.is(info.command, 'janus train --out x');
  if (linux) assert.match(info.started!, /^[0-9a-f-]{36}:\d+$/);
  assert.is(info.started, processStart(process.pid) ?? undefined);
  assert.equal(readdirSync(join(dir, '.janus')), ['lock'], 'only the lock: its temp is gone');
  lock.release();
  assert.not.ok(existsSync(join(dir, '.janus')), 'a .janus that held only the lock goes with it');
  const fresh = join(tmp.dir, 'fresh/model');
  acquireRunLock(fresh, 'janus train --out fresh/model').release();
  assert.not.ok(existsSync(join(tmp.dir, 'fresh')), 'folders made for the lock go when nothing else was put there');
  const kept = join(tmp.dir, 'kept');
  const l2 = acquireRunLock(kept, 'janus train --out kept');
  writeFileSync(join(kept, 'loss.jsonl'), '');
  l2.release();
  assert.equal(readdirSync(kept), ['loss.jsonl'], 'a folder that got files stays');
  const run = folder();
  mkdirSync(join(run, '.janus'));
  writeFileSync(join(run, '.janus/state.db'), '');
  acquireRunLock(run, 'janus run x.yaml').release();
  assert.equal(readdirSync(join(run, '.janus')), ['state.db'], "a run folder's state stays");
});

test('a live holder is respected: by pid and start time, by pid alone for a lock without one, and any lock from another host', () => {
  const dir = folder();
  plant(dir, { pid: process.pid, ...(processStart(process.pid) ? { started: processStart(process.pid)! } : {}) });
  refused(dir, new RegExp(`folder ${dir} is in use by pid ${process.pid} on ${hostname()} .*janus run old\\.yaml`));
  plant(dir, { pid: process.pid });
  refused(dir, /is in use by pid/);
  plant(dir, { pid: deadPid(), host: 'elsewhere.example' });
  refused(dir, /is in use by pid \d+ on elsewhere\.example/);
});

test('a dead holder, a reused pid (alive, started at another time) and a garbled lock are stale: taken over', () => {
  const cases: Array<[string, (d: string) => void, number | null]> = [
    ['dead pid', (d) => plant(d, { pid: 999_999_999 }), 999_999_999],
    ['garbled', (d) => writeFileSync(lockPath(d), '{"pid": 12'), null],
  ];
  if (linux) cases.push(['reused pid', (d) => plant(d, { pid: process.pid, started: `${processStart(process.pid)!.split(':')[0]}:1` }), process.pid]);
  for (const [label, make, pid] of cases) {
    const dir = folder();
    mkdirSync(join(dir, '.janus'));
    make(dir);
    const lock = acquireRunLock(dir, 'janus run new.yaml');
    assert.is(lock.clearedStale?.pid ?? null, pid, label);
    assert.is(readLock(dir)!.command, 'janus run new.yaml', label);
    assert.equal(readdirSync(join(dir, '.janus')), ['lock'], `${label}: no takeover token or temp stays`);
    lock.release();
  }
});

test('a takeover token left by a process killed mid-takeover is stale too: cleared, then the lock is taken', () => {
  const dir = folder();
  plant(dir, { pid: 999_999_999 });
  const stale = readFileSync(lockPath(dir), 'utf8');
  // the token's name is the hash of the stale lock's bytes; its holder (a dead pid) never removed it
  const token = `${lockPath(dir)}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  writeFileSync(token, JSON.stringify({ pid: deadPid(), host: hostname(), command: 'janus run killed.yaml', since: '2026-01-01T00:00:01Z' }));
  const lock = acquireRunLock(dir, 'janus run new.yaml');
  assert.is(readLock(dir)!.command, 'janus run new.yaml');
  assert.equal(readdirSync(join(dir, '.janus')), ['lock']);
  lock.release();
});

test("a temp lock left by a process killed before linking it is removed; a live process's is not", () => {
  const dir = folder();
  mkdirSync(join(dir, '.janus'));
  const dead = `lock.${deadPid()}-0123456789ab.tmp`;
  const live = `lock.${process.pid}-0123456789ab.tmp`;
  for (const f of [dead, live]) writeFileSync(join(dir, '.janus', f), '{}');
  const lock = acquireRunLock(dir, 'janus run new.yaml');
  assert.equal(readdirSync(join(dir, '.janus')).sort(), [live, 'lock'].sort());
  lock.release();
});

test('release removes only its own lock', () => {
  const dir = folder();
  const lock = acquireRunLock(dir, 'janus run a.yaml');
  plant(dir, { pid: process.pid, command: 'someone else' });
  lock.release();
  assert.is(readLock(dir)!.command, 'someone else');
});

/** A racer child (test/dag/lock-racer.ts) and its output lines. */
interface Racer {
  child: ChildProcessWithoutNullStreams;
  lines: Interface;
  next(): Promise<string>;
}

function racer(): Racer {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/dag/lock-racer.ts')], { cwd: ROOT });
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiting: Array<(l: string) => void> = [];
  lines.on('line', (l) => (waiting.length ? waiting.shift()!(l) : queue.push(l)));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w(`exited ${code}: ${stderr}`);
  });
  return { child, lines, next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((res) => waiting.push(res))) };
}

test('two processes race for a lock 100 times (50 free folders, 50 holding a stale lock): exactly one wins each time', async () => {
  const racers = [racer(), racer()];
  try {
    const now = () => performance.timeOrigin + performance.now();
    // warm up: both racers loaded and answering
    for (const r of racers) r.child.stdin.write(`${folder()} ${now()}\n`);
    for (const r of racers) assert.match(await r.next(), /^won /);
    for (const r of racers) r.child.stdin.write('release\n');
    for (const r of racers) assert.is(await r.next(), 'released');
    const dead = deadPid();
    const start = processStart(process.pid);
    let staleTakeovers = 0;
    for (let round = 0; round < 100; round++) {
      const dir = folder();
      const stale = round >= 50;
      // stale: a dead holder, or (Linux, every other round) a live pid that started at another time
      if (stale) plant(dir, round % 2 && start ? { pid: process.pid, started: `${start.split(':')[0]}:1` } : { pid: dead });
      const at = now() + 30;
      for (const r of racers) r.child.stdin.write(`${dir} ${at}\n`);
      const said = await Promise.all(racers.map((r) => r.next()));
      const winners = said.filter((l) => l === `won ${dir}`);
      assert.is(winners.length, 1, `round ${round} (${stale ? 'stale lock' : 'free'}): ${said.join(' | ')}`);
      const loser = said.find((l) => l !== `won ${dir}`)!;
      const winnerPid = racers[said.indexOf(`won ${dir}`)]!.child.pid;
      assert.match(loser, new RegExp(`^lost ${dir} folder .* is in use by pid ${winnerPid} `), `round ${round}: the loser names the winner`);
      assert.is(readLock(dir)!.pid, winnerPid, `round ${round}: the lock on disk is the winner's`);
      if (stale) staleTakeovers++;
      for (const r of racers) r.child.stdin.write('release\n');
      for (const r of racers) assert.is(await r.next(), 'released');
      assert.not.ok(existsSync(lockPath(dir)), `round ${round}: released`);
    }
    assert.is(staleTakeovers, 50);
  } finally {
    for (const r of racers) r.child.stdin.end();
  }
});

test.run();
