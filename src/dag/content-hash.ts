/**
 * Content hashes of files and folders, with a cheap pre-check: a file whose size, mtime,
 * ctime and inode match the cached entry is not read again (ctime cannot be set back by a
 * user, so content changed under a restored mtime is still caught).
 *
 *   const h = new ContentHasher(store);
 *   h.hash('samples/a.mp4')   // 'sha256:…'  (a folder: a hash over its files' names and hashes)
 *
 * Folders skip temp files (`.janus-tmp-*`) so an interrupted write never changes a hash.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { TEMP_PREFIX } from '../util/atomic-write.ts';
import { sha256File } from '../util/hash.ts';
import type { FileStat, StateStore } from './state-store.ts';

export const MISSING = 'missing';

function fileStat(st: BigIntStats): FileStat {
  return { size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, ino: st.ino };
}

export class ContentHasher {
  constructor(private readonly store: StateStore | null) {}

  /** 'sha256:<hex>' of a file or folder, or 'missing'. */
  hash(path: string): string {
    let st: BigIntStats;
    try {
      st = statSync(path, { bigint: true });
    } catch {
      return MISSING;
    }
    if (st.isDirectory()) return `dir:${this.hashDir(path)}`;
    return `sha256:${this.hashFile(path, st)}`;
  }

  private hashFile(path: string, st: BigIntStats): string {
    const fs = fileStat(st);
    const cached = this.store?.cachedHash(path, fs);
    if (cached) return cached;
    const h = sha256File(path);
    this.store?.cacheHash(path, fs, h);
    return h;
  }

  private hashDir(dir: string): string {
    const h = createHash('sha256');
    const walk = (d: string, rel: string) => {
      for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (e.name.startsWith(TEMP_PREFIX)) continue;
        const p = join(d, e.name);
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(p, r);
        else if (e.isFile()) h.update(`${r}\0${this.hashFile(p, statSync(p, { bigint: true }))}\n`);
      }
    };
    if (this.store) this.store.transaction(() => walk(dir, ''));
    else walk(dir, '');
    return h.digest('hex');
  }
}
