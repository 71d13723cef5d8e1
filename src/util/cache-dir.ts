/**
 * Janus's per-user cache folder, for generated files that code is loaded from (the threaded wasm
 * worker script): `$XDG_CACHE_HOME/janus` when XDG_CACHE_HOME is an absolute path, else
 * `~/.cache/janus`. Never the shared temp folder, where another user could plant a file under
 * the name Janus is about to load.
 *
 * The folder is made with mode 0700; an existing one must be a real folder (not a link) owned by
 * this user, and is tightened to 0700 when its mode lets others in. Anything else is refused,
 * naming the folder and the fix.
 *
 *   const dir = userCacheDir();             // ~/.cache/janus, checked
 *   const path = await cachedFile(dir, 'worker', text);  // content-addressed, verified
 */
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { UserError } from './errors.ts';

/** Where the cache folder is, from the environment (not created or checked). */
export function userCachePath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return xdg && isAbsolute(xdg) ? join(xdg, 'janus') : join(homedir(), '.cache', 'janus');
}

/** The cache folder, made (0700) or checked: a folder of this user's, closed to others. */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = userCachePath(env);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // something not a folder is there: said below
  }
  checkPrivateDir(dir);
  return dir;
}

/** Refuse a link, a non-folder or another user's folder; tighten a folder of ours that others can enter. */
export function checkPrivateDir(dir: string): void {
  const st = lstatSync(dir);
  const fix = `remove it (rm -rf '${dir}') or set XDG_CACHE_HOME to a folder of your own; Janus remakes it`;
  if (st.isSymbolicLink()) throw new UserError(`the cache folder ${dir} is a symbolic link; Janus loads code from it and expects a folder of its own`, fix);
  if (!st.isDirectory()) throw new UserError(`the cache folder ${dir} is not a folder`, fix);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new UserError(`the cache folder ${dir} belongs to user id ${st.uid}, not to you (${uid}); Janus loads code from it and expects a folder of your own`, fix);
  }
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

export function sha256(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * `text` in a file of `dir` named by its hash (`NAME-HASH.js`), written atomically when missing
 * or different; the bytes on disk are read back and their hash checked before the path is
 * returned, so what is loaded from it is what Janus meant to write.
 */
export async function cachedFile(dir: string, name: string, text: string): Promise<string> {
  const want = sha256(text);
  const path = join(dir, `${name}-${want.slice(0, 16)}.js`);
  let bytes: Buffer | null = null;
  try {
    bytes = readFileSync(path);
  } catch {
    bytes = null;
  }
  if (!bytes || sha256(bytes) !== want) {
    await writeFileAtomic(path, text);
    const got = sha256(readFileSync(path));
    if (got !== want) throw new Error(`${path} does not hold what was written (sha256 ${got.slice(0, 16)}, expected ${want.slice(0, 16)})`);
  }
  return path;
}
