/**
 * Errors that tell the user what was expected, what arrived and how to fix it.
 *
 *   throw new UserError(`cannot read video "${file}": no video stream`, 'pass a file with a video track');
 *
 * A `UserError` is a mistake in the input or the environment: the CLI prints its message and
 * hint without a stack and exits with code 2. So is a failure of the machine (disk full, no
 * permission, read-only disk, name too long, too many open files): environmentError() names
 * the path, the operation, why and the fix. Anything else is a bug: printed with its stack.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';

export class UserError extends Error {
  override readonly name = 'UserError';
  readonly exitCode = 2;
  constructor(
    message: string,
    /** How to fix it, one line. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

/** Format a list of valid values the way every error in Janus does: `a|b|c`. */
export function choices(values: readonly string[]): string {
  return values.join('|');
}

/** Render any thrown value as one line (for logs and error chains). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}

/** What an environment failure (disk full, no permission, ...) means for the user, and the fix. */
const ENVIRONMENT: Record<string, { why: string; fix: string }> = {
  ENOSPC: { why: 'no space left on the device', fix: 'free some space (or point --workdir/--out at a disk with room) and rerun: finished work is kept and not redone' },
  EDQUOT: { why: 'the disk quota is used up', fix: 'free some space (or point --workdir/--out at a disk with room) and rerun: finished work is kept and not redone' },
  SQLITE_FULL: { why: 'the run state database (.janus/state.db in the run folder) could not grow: the disk is full', fix: 'free some space (or point --workdir/--out at a disk with room) and rerun: finished work is kept and not redone' },
  EACCES: { why: 'permission denied', fix: 'give yourself access to that path (chmod/chown), or choose another folder' },
  EPERM: { why: 'operation not permitted', fix: 'give yourself access to that path (chmod/chown), or choose another folder' },
  EROFS: { why: 'the file system is read-only', fix: 'choose a folder on a writable disk (--workdir/--out)' },
  SQLITE_READONLY: { why: 'the run state database (.janus/state.db in the run folder) is read-only', fix: 'make the run folder writable for you, or choose another one' },
  ENAMETOOLONG: { why: 'a file name is too long for the file system', fix: 'use a shorter --workdir/--out path, or shorter stage and file names' },
  EMFILE: { why: 'too many files are open in this process', fix: 'raise the limit (ulimit -n 4096) and rerun' },
  ENFILE: { why: 'too many files are open on this machine', fix: 'close other programs or raise the system limit (fs.file-max) and rerun' },
};

const SYSCALL_WORDS: Record<string, string> = { open: 'open', mkdir: 'create the folder', write: 'write', rename: 'rename into', unlink: 'remove', rmdir: 'remove the folder', copyfile: 'copy', link: 'link', scandir: 'list', symlink: 'link', spawn: 'start' };

/** Why the nearest existing folder above `path` cannot be written to (EROFS, EACCES...), or null. */
function ancestorProblem(path: string): string | null {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      try {
        accessSync(dir, constants.W_OK);
        return null;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return code && code in ENVIRONMENT ? code : null;
      }
    }
    if (dir === dirname(dir)) return null;
  }
}

/** The errno code of an error or of one in its cause chain (`No space left on device` in a child's words counts as ENOSPC). */
function environmentCode(err: unknown): { code: string; path?: string; dest?: string; syscall?: string } | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { code?: unknown; path?: unknown; dest?: unknown; syscall?: unknown; message?: unknown };
    if (x.code === 'ENOENT' && x.syscall === 'mkdir' && typeof x.path === 'string') {
      // Node's recursive mkdir says ENOENT where the disk is read-only (or closed to us): ask the nearest existing folder
      const real = ancestorProblem(x.path);
      if (real) return { code: real, path: x.path, syscall: 'mkdir' };
    }
    if (typeof x.code === 'string' && x.code in ENVIRONMENT) {
      return { code: x.code, ...(typeof x.path === 'string' ? { path: x.path } : {}), ...(typeof x.dest === 'string' ? { dest: x.dest } : {}), ...(typeof x.syscall === 'string' ? { syscall: x.syscall } : {}) };
    }
    if (typeof x.message === 'string' && /No space left on device/i.test(x.message)) return { code: 'ENOSPC', ...(typeof x.path === 'string' ? { path: x.path } : {}) };
  }
  return null;
}

/**
 * An environment failure (disk full, permission denied, read-only disk, name too long, too many
 * open files) as a UserError naming what failed (path and operation), why, and the fix; null
 * for anything else. Such a failure is the machine's, not a bug of Janus's: exit code 2.
 *
 *   asUserError(Object.assign(new Error('…'), { code: 'ENOSPC', syscall: 'write', path: '/runs/x/a.png' }))
 *   // UserError: cannot write "/runs/x/a.png": no space left on the device (ENOSPC)
 */
export function environmentError(err: unknown): UserError | null {
  const env = environmentCode(err);
  if (!env) return null;
  const { why, fix } = ENVIRONMENT[env.code]!;
  const verb = env.syscall ? (SYSCALL_WORDS[env.syscall] ?? env.syscall) : 'write';
  const where = env.path ? ` "${env.path}"${env.dest ? ` to "${env.dest}"` : ''}` : '';
  const what = where ? `cannot ${verb}${where}` : errorMessage(err);
  return new UserError(`${what}: ${why} (${env.code})`, fix, { cause: err });
}

/** The UserError an error is or stands for (an environment failure), else null. */
export function asUserError(err: unknown): UserError | null {
  return err instanceof UserError ? err : environmentError(err);
}
