/**
 * PNG text chunks (`tEXt`): the provenance mark of the synthetic images Janus writes (swapped
 * faces, previews), readable with any PNG tool (`exiftool`, `identify -verbose`, Python's PIL
 * `Image.info`). Chunks go right after IHDR, so a reader that stops early still sees them.
 *
 *   const marked = addPngText(png, { Comment: 'SYNTHETIC: …', synthetic: 'true' });
 *   readPngText(marked).synthetic   // 'true'
 */
import { crc32 } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function checkPng(png: Uint8Array): Buffer {
  const b = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (b.length < 33 || !b.subarray(0, 8).equals(SIGNATURE) || b.toString('latin1', 12, 16) !== 'IHDR') throw new Error(`expected PNG bytes (signature and IHDR), got ${b.length} bytes starting ${b.subarray(0, 8).toString('hex')}`);
  return b;
}

/** The PNG with a tEXt chunk per entry after IHDR. Keys: 1-79 Latin-1 characters; values Latin-1 (others are replaced by `?`). */
export function addPngText(png: Uint8Array, entries: Record<string, string>): Buffer {
  const b = checkPng(png);
  const ihdrEnd = 8 + 8 + b.readUInt32BE(8) + 4;
  const chunks = Object.entries(entries).map(([k, v]) => {
    if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(k)) throw new Error(`expected a PNG text keyword of 1-79 Latin-1 characters, got ${JSON.stringify(k)}`);
    return chunk('tEXt', Buffer.concat([Buffer.from(k, 'latin1'), Buffer.from([0]), Buffer.from(v.replace(/[^\x00-\xff]/g, '?'), 'latin1')]));
  });
  return Buffer.concat([b.subarray(0, ihdrEnd), ...chunks, b.subarray(ihdrEnd)]);
}

/** The tEXt entries of a PNG (CRCs checked). */
export function readPngText(png: Uint8Array): Record<string, string> {
  const b = checkPng(png);
  const out: Record<string, string> = {};
  for (let at = 8; at + 12 <= b.length; ) {
    const len = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    const data = b.subarray(at + 8, at + 8 + len);
    if (type === 'tEXt') {
      if ((crc32(b.subarray(at + 4, at + 8 + len)) >>> 0) !== b.readUInt32BE(at + 8 + len)) throw new Error(`PNG tEXt chunk at byte ${at}: bad CRC`);
      const zero = data.indexOf(0);
      out[data.toString('latin1', 0, zero)] = data.toString('latin1', zero + 1);
    }
    if (type === 'IEND') break;
    at += 12 + len;
  }
  return out;
}
