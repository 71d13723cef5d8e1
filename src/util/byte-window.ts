/**
 * The bytes of a Buffer or of an open file, read by index through a window: a file is read a
 * chunk at a time as the index moves, so a scan of a large file (the alignments of a long video)
 * holds one chunk, not the file. Made for forward scans (util/json-buffer.ts walks JSON text
 * with it); a jump back re-reads a chunk.
 *
 *   const bytes = ByteWindow.ofFile(fd, fstatSync(fd).size);   // or ByteWindow.of(buffer)
 *   bytes.at(0)              // 123: the first byte ('{'); undefined past the end
 *   bytes.text(10, 20)       // bytes [10, 20) as UTF-8
 */
import { readSync } from 'node:fs';

/** The chunk a file is read by: large enough that a read costs little beside the scan of its bytes. */
export const FILE_CHUNK = 1 << 20;

export class ByteWindow {
  private window: Buffer;
  /** The index of window[0], and how many of window's bytes are the file's. */
  private base = 0;
  private filled: number;
  /** Where the bytes end: `length`, or less once a read found the file shorter. */
  private end: number;

  private constructor(
    /** How many bytes there are (a file's size when it was opened). */
    readonly length: number,
    private readonly fd: number | null,
    window: Buffer,
    filled: number,
  ) {
    this.window = window;
    this.filled = filled;
    this.end = length;
  }

  /** The bytes of a Buffer: the window is the whole buffer. */
  static of(buf: Buffer): ByteWindow {
    return new ByteWindow(buf.length, null, buf, buf.length);
  }

  /** The first `length` bytes of an open file, read `chunk` bytes at a time (the caller closes the file). */
  static ofFile(fd: number, length: number, chunk = FILE_CHUNK): ByteWindow {
    return new ByteWindow(length, fd, Buffer.allocUnsafe(Math.max(1, Math.min(chunk, length))), 0);
  }

  /** The byte at `i`, or undefined outside [0, length) (and past what the file holds, if it shrank). */
  at(i: number): number | undefined {
    const k = i - this.base;
    if (k >= 0 && k < this.filled) return this.window[k];
    return this.move(i);
  }

  private move(i: number): number | undefined {
    if (this.fd === null || i < 0 || i >= this.end) return undefined;
    this.base = i;
    const want = Math.min(this.window.length, this.end - i);
    this.filled = readFull(this.fd, this.window, want, i);
    if (this.filled < want) this.end = i + this.filled; // the file shrank: it ends here, not read again
    return this.filled > 0 ? this.window[0] : undefined;
  }

  /** Bytes [start, end) as UTF-8 text (from the window where it holds them, else read on their own). */
  text(start: number, end: number): string {
    const s = Math.max(0, start);
    const e = Math.min(end, this.end);
    if (e <= s) return '';
    if (s >= this.base && e <= this.base + this.filled) return this.window.toString('utf8', s - this.base, e - this.base);
    const own = Buffer.allocUnsafe(e - s);
    const got = readFull(this.fd!, own, e - s, s);
    if (got < e - s) this.end = s + got;
    return own.toString('utf8', 0, got);
  }
}

/** Read `want` bytes at `position` into buf[0, want), as many reads as it takes; fewer only where the file ends. */
function readFull(fd: number, buf: Buffer, want: number, position: number): number {
  let got = 0;
  while (got < want) {
    const n = readSync(fd, buf, got, want - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}
