/**
 * One lock per run folder: `.janus/lock` holds the pid, host and command of the run that owns
 * the folder. A second run is refused with a message naming the holder; a lock left by a
 * process that is no longer alive (same host) is cleared.
 *
 *   const lock = acquireRunLock('runs/demo', 'janus run pipelines/swap.yaml');
 *   try { … } finally { lock.release(); }
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../util/errors.ts';
import { validateJson } from '../util/read-json.ts';

/** The lock file's content (further keys, from another version, are kept: a lock is never cleared for them). */
export const LockInfo = z.object({ pid: z.number().int().positive(), host: z.string(), command: z.string(), since: z.string() }).loose();
export type LockInfo = z.infer<typeof LockInfo>;

export interface RunLock {
  path: string;
  /** True when a stale lock (dead pid) was cleared to take this one. */
  clearedStale: LockInfo | null;
  release(): void;
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

/**
 * The lock's holder; null when there is no lock or it is not JSON (empty or cut short by a crash
 * mid-write: stale). JSON that is not a lock is a UserError naming the file and the field.
 */
export function readLock(workdir: string): LockInfo | null {
  const file = lockPath(workdir);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  return validateJson(raw, LockInfo, `"${file}"`, { what: 'run lock', hint: `if no janus run is using ${workdir}, delete ${file}` });
}

export function acquireRunLock(workdir: string, command: string): RunLock {
  const path = lockPath(workdir);
  mkdirSync(join(workdir, '.janus'), { recursive: true });
  const me: LockInfo = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  let clearedStale: LockInfo | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const cur = readLock(workdir);
        if (cur && cur.pid === me.pid && cur.host === me.host) rmSync(path, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return { path, clearedStale, release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLock(workdir);
      if (holder === null) {
        // unreadable or being written: an empty/garbled lock from a crash mid-write is stale
        rmSync(path, { force: true });
        continue;
      }
      if (holder.host === me.host && !isAlive(holder.pid)) {
        clearedStale = holder;
        rmSync(path, { force: true });
        continue;
      }
      throw new UserError(
        `run folder ${workdir} is in use by pid ${holder.pid} on ${holder.host} (since ${holder.since}): ${holder.command}`,
        `wait for it to finish, or stop it; if that process is gone, delete ${path}`,
      );
    }
  }
  throw new UserError(`could not take the lock ${path} (another run keeps taking it)`);
}
