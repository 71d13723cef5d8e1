/**
 * Recognition descriptors of aligned face crops on disk, remembered for the life of the process
 * by file identity (path, size, mtime, ctime, inode) and crop settings: a benchmark scores every
 * fake against the same identities' real faces, which are then described once, not per fake.
 * A file rewritten since (another swap, a re-extraction) has another identity and is described
 * again.
 *
 *   const d = await fileDescriptors(fa, ['faces/000001_0.png'], { size: 256, coverage: 1.6 });
 */
import { statSync } from 'node:fs';
import { readImage } from '../media/image.ts';
import { templateInCrop } from './align.ts';
import { describeFace, type FaceApi } from './face-api.ts';

/** About 1 KB each; past this many the memory is cleared and starts again. */
const REMEMBERED_MAX = 20_000;
const remembered = new Map<string, number[]>();

function key(file: string, settings: { size: number; coverage: number }): string {
  const st = statSync(file);
  return [file, st.size, st.mtimeMs, st.ctimeMs, st.ino, settings.size, settings.coverage].join('\0');
}

/** Descriptors of aligned crops made with `settings` (described on the template's landmark box). */
export async function fileDescriptors(fa: FaceApi, files: readonly string[], settings: { size: number; coverage: number }): Promise<number[][]> {
  const points = templateInCrop(settings);
  const out: number[][] = [];
  for (const file of files) {
    const k = key(file, settings);
    let d = remembered.get(k);
    if (!d) {
      d = await describeFace(fa, await readImage(file), points);
      if (remembered.size >= REMEMBERED_MAX) remembered.clear();
      remembered.set(k, d);
    }
    out.push(d);
  }
  return out;
}

/** How many descriptors are remembered (for tests). */
export function rememberedDescriptors(): number {
  return remembered.size;
}
