/**
 * Content hashes of files, read in 1 MiB chunks (a multi-GB video never sits in memory).
 *
 *   sha256File('samples/a.mp4')   // hex digest
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

const BUF = Buffer.allocUnsafe(1 << 20);

export function sha256File(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const n = readSync(fd, BUF, 0, BUF.length, null);
      if (n === 0) break;
      h.update(BUF.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}
