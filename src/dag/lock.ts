/**
 * One lock per folder (a run folder, a model folder, a benchmark): `.janus/lock` names the pid,
 * the process's start time, the host and the command of the process that owns the folder. A
 * second process is refused with a message naming the holder; a lock whose holder is gone (its
 * pid is dead, or alive but started at another time: a reused pid) is taken over.
 *
 *   const lock = acquireRunLock('runs/demo', 'janus run pipelines/swap.yaml');
 *   try { … } finally { lock.release(); }
 *
 * Why it is race-free:
 * - Taking a free lock: the content is written to a temp file beside it, then `link()`ed to the
 *   lock name. link() fails with EEXIST when the name exists, so exactly one of any number of
 *   racers wins, and a reader never sees an empty or half-written lock.
 * - Taking over a stale lock: its exact bytes are the stale lock's identity (they hold the pid,
 *   start time and `since`). To remove it a process must first create, again by link(), the
 *   token `.janus/lock.takeover-<hash of those bytes>`; only one process holds that token, and
 *   it removes the lock only when the lock still holds those bytes. Nothing else removes a lock
 *   it does not own (a holder removes only its own bytes, and a live holder is never judged
 *   stale), so the bytes cannot change between that check and the removal. It then removes the
 *   token and everyone races for the now-free name with link() as above. A token left by a
 *   process killed mid-takeover is itself stale and cleared the same way (its own token).
 * - Process start time (Linux): field 22 of /proc/PID/stat (clock ticks since boot) with the boot
 *   id from /proc/sys/kernel/random/boot_id. Elsewhere, or for a lock without it (an older
 *   Janus), liveness is the pid alone. A lock from another host is never judged stale.
 */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../util/errors.ts';
import { validateJson } from '../util/read-json.ts';

/** The lock file's content (further keys, from another version, are kept: a lock is never cleared for them). */
export const LockInfo = z
  .object({
    pid: z.number().int().positive(),
    host: z.string(),
    command: z.string(),
    since: z.string(),
    /** `<boot id>:<start time in clock ticks since boot>` of the holder (Linux); absent elsewhere. */
    started: z.string().optional(),
  })
  .loose();
export type LockInfo = z.infer<typeof LockInfo>;

export interface RunLock {
  path: string;
  /** The stale lock (holder gone) that was taken over to take this one, or null. */
  clearedStale: LockInfo | null;
  release(): void;
}

/** The line a command prints after taking over a stale lock, or null when it took a free one. */
export function staleLockNote(lock: RunLock): string | null {
  return lock.clearedStale ? `cleared a stale lock left by pid ${lock.clearedStale.pid} (${lock.clearedStale.command})` : null;
}

export function lockPath(workdir: string): string {
  return join(workdir, '.janus', 'lock');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootId: string | null | undefined;

/**
 * When process `pid` started, as `<boot id>:<clock ticks since boot>` (Linux), or null where
 * that cannot be read (another OS, the process is gone).
 */
export function processStart(pid: number): string | null {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootId = null;
    }
  }
  if (!bootId) return null;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count fields after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields[19]; // field 22 overall; fields[0] is field 3 (state)
  return ticks && /^\d+$/.test(ticks) ? `${bootId}:${ticks}` : null;
}

/**
 * Whether the lock's holder still runs: same host, pid alive, and (when both are known) the
 * same process start time. A lock from another host counts as alive: it cannot be checked.
 */
export function holderAlive(holder: LockInfo, host = hostname()): boolean {
  if (holder.host !== host) return true;
  if (!isAlive(holder.pid)) return false;
  if (!holder.started) return true;
  const now = processStart(holder.pid);
  return now === null || now === holder.started;
}

/** The raw bytes of a lock-like file, or null when it does not exist. */
function readRaw(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** A lock's content, or null when it is not JSON (empty or garbled: stale). */
function parseLock(raw: string, file: string, workdir: string): LockInfo | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  return validateJson(json, LockInfo, `"${file}"`, { what: 'run lock', hint: `if no janus process is using ${workdir}, delete ${file}` });
}

/**
 * The lock's holder; null when there is no lock or it is not JSON (empty or cut short: stale).
 * JSON that is not a lock is a UserError naming the file and the field.
 */
export function readLock(workdir: string): LockInfo | null {
  const file = lockPath(workdir);
  const raw = readRaw(file);
  return raw === null ? null : parseLock(raw, file, workdir);
}

/** Create `file` holding `content`, atomically and exclusively: false when it exists already. */
function linkExclusive(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, content, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // the .janus folder went (a holder that released removes it when empty): make it again
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, content, { flag: 'wx' });
  }
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function takeoverToken(file: string, staleRaw: string): string {
  return `${file}.takeover-${createHash('sha256').update(staleRaw).digest('hex').slice(0, 16)}`;
}

/**
 * Remove `file` if it still holds exactly `staleRaw`, holding the takeover token for those
 * bytes while checking and removing. Returns without removing when another process holds the
 * token (it is doing the same) or the bytes changed; the caller retries either way.
 */
function removeStale(file: string, staleRaw: string, me: string, workdir: string, depth = 0): void {
  const token = takeoverToken(file, staleRaw);
  if (!linkExclusive(token, me)) {
    const raw = readRaw(token);
    if (raw === null || depth > 4) return; // gone meanwhile (retry), or a pile of crashed takeovers
    const holder = parseLock(raw, token, workdir);
    if (holder === null || !holderAlive(holder)) removeStale(token, raw, me, workdir, depth + 1);
    return;
  }
  try {
    if (readRaw(file) === staleRaw) unlinkSync(file);
  } finally {
    unlinkIfPresent(token);
  }
}

/** Temp files of the lock left by a process killed between writing and linking one (its pid is dead). */
function removeDeadTemps(file: string): void {
  const dir = dirname(file);
  const re = new RegExp(`^${basename(file).replace(/\W/g, '\\$&')}\\.(\\d+)-[0-9a-f]+\\.tmp$`);
  for (const name of readdirSync(dir)) {
    const m = re.exec(name);
    if (m && !isAlive(Number(m[1]))) rmSync(join(dir, name), { force: true });
  }
}

/** Sleep this thread (the lock is taken synchronously; waits are a few milliseconds). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function acquireRunLock(workdir: string, command: string): RunLock {
  const path = lockPath(workdir);
  const made = mkdirSync(join(workdir, '.janus'), { recursive: true }); // the first folder made, if any
  const started = processStart(process.pid);
  const info: LockInfo = { pid: process.pid, host: hostname(), command, since: new Date().toISOString(), ...(started ? { started } : {}) };
  const mine = JSON.stringify(info);
  let clearedStale: LockInfo | null = null;
  for (let attempt = 0; attempt < 200; attempt++) {
    if (linkExclusive(path, mine)) {
      removeDeadTemps(path);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        // remove only our own bytes: a lock that is not ours any more is not ours to remove
        if (readRaw(path) === mine) unlinkIfPresent(path);
        // a folder whose .janus held only the lock (a model folder) is left as it was, and the
        // folders made for the lock go again when nothing else was put there
        const stop = resolve(made === undefined ? dirname(path) : dirname(made));
        for (let d = resolve(dirname(path)); d.length > stop.length && d.startsWith(stop); d = dirname(d)) {
          try {
            rmdirSync(d);
          } catch {
            break; // not empty (a run folder's state, a model's checkpoints), or gone
          }
        }
      };
      process.on('exit', release);
      return { path, clearedStale, release };
    }
    const raw = readRaw(path);
    if (raw === null) continue; // released meanwhile
    const holder = parseLock(raw, path, workdir);
    if (holder !== null && holderAlive(holder)) {
      throw new UserError(
        `folder ${workdir} is in use by pid ${holder.pid} on ${holder.host} (since ${holder.since}): ${holder.command}`,
        `wait for it to finish, or stop it; if that process is gone, delete ${path}`,
      );
    }
    // the holder is gone (or the lock is garbled, left by an older Janus): take it over
    removeStale(path, raw, mine, workdir);
    if (holder !== null) clearedStale = holder;
    if (attempt > 0) pause(Math.min(20, 1 + attempt));
  }
  throw new UserError(`could not take the lock ${path}: other processes keep taking it over`, `if no janus process is using ${workdir}, delete ${path} and any ${path}.takeover-* files`);
}
