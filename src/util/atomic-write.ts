/**
 * Atomic file writes: every file Janus makes is written to a temp path beside its target and
 * renamed into place only when complete, so a crash never leaves a half-written file.
 *
 *   await writeFileAtomic('runs/demo/alignments.json', JSON.stringify(doc));
 *   await writeJsonLinesAtomic('weights/demo/loss.jsonl', entries);   // one JSON value a line
 *   await withAtomicPath('samples/a.mp4', async (tmp) => runFfmpeg([... , tmp]));
 *
 * Temp names keep the target's extension (ffmpeg picks the container from it) and start with
 * `.janus-tmp-` so they are easy to spot and git-ignored. Temp files still open when the
 * process exits (a signal, an uncaught error) are removed on the way out.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync, rmSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { faultPoint } from './fault-point.ts';

export const TEMP_PREFIX = '.janus-tmp-';

const pending = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const tmp of pending) rmSync(tmp, { force: true, recursive: true });
  });
}

/** A fresh temp path in the same folder as `target` (same file system, so rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}-${basename(target)}`);
}

/** The name of the target a temp path of tempPathFor was made for (null: not such a temp name). */
export function tempTargetName(tempName: string): string | null {
  return tempName.startsWith(TEMP_PREFIX) ? (/^\d+-[0-9a-f]+-(.+)$/.exec(tempName.slice(TEMP_PREFIX.length))?.[1] ?? null) : null;
}

export interface TempReservation {
  /** The temp path to write (nothing exists there yet). */
  tmp: string;
  /** Rename the finished temp onto the target. */
  commit(): Promise<void>;
  /** Remove the temp (file or folder), leaving the target as it was. */
  discard(): Promise<void>;
}

/** Reserve a temp path for `target`; it is removed at process exit unless committed. */
export function reserveTemp(target: string): TempReservation {
  installExitHook();
  mkdirSync(dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  pending.add(tmp);
  return {
    tmp,
    async commit() {
      faultPoint('atomic.before-rename');
      try {
        await rename(tmp, target);
      } catch (err) {
        // A folder cannot be renamed onto a non-empty folder: move the old one aside first.
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR') throw err;
        const old = tempPathFor(target);
        await rename(target, old);
        await rename(tmp, target);
        await rm(old, { force: true, recursive: true });
      }
      pending.delete(tmp);
    },
    async discard() {
      await rm(tmp, { force: true, recursive: true });
      pending.delete(tmp);
    },
  };
}

/**
 * Run `produce(tmp)`, which must create `tmp` (a file or a folder); on success rename it onto
 * `target`, on failure remove it and rethrow. The target is untouched until the rename.
 */
export async function withAtomicPath<T>(target: string, produce: (tmp: string) => Promise<T>): Promise<T> {
  const r = reserveTemp(target);
  try {
    const result = await produce(r.tmp);
    await r.commit();
    return result;
  } catch (err) {
    await r.discard();
    // a failed write on an open file names no path: name the target (what an error message should show)
    const e = err as NodeJS.ErrnoException;
    if (e instanceof Error && typeof e.code === 'string' && !e.path) e.path = target;
    throw err;
  }
}

/** Write `data` to `target` atomically, flushed to disk before the rename. */
export async function writeFileAtomic(target: string, data: string | Uint8Array, mode = 0o666): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  await withAtomicPath(target, async (tmp) => {
    const fh = await open(tmp, 'w', mode); // mode 0o600: a file holding a secret is never readable by others, even as a temp
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  });
}

/** Write JSON (2-space indented, trailing newline) atomically. */
export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/** Write JSON lines (one compact value per line; no values, an empty file) atomically; read back with readJsonLines. */
export async function writeJsonLinesAtomic(target: string, values: readonly unknown[]): Promise<void> {
  await writeFileAtomic(target, values.map((v) => `${JSON.stringify(v)}\n`).join(''));
}

/**
 * Put a file's bytes at a second path without copying them: a hard link, or a copy where the
 * file system cannot link (another device). `dst` must not exist; build it in a temp folder.
 */
export function linkOrCopy(src: string, dst: string): void {
  try {
    linkSync(src, dst);
  } catch {
    copyFileSync(src, dst);
  }
}
