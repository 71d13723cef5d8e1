/**
 * Compare a stage output with its recomputation (a file or a folder): identical, or where they
 * first differ: the file, the byte offset, and for images and videos the PSNR between the two
 * (videos: the first differing frame and how many differ).
 *
 * Two things are not differences: the records of the clock a kind declares (`clockFields`: a
 * checkpoint's savedAt, the loss log's seconds), and absolute paths of the run folder written
 * into text files (the recomputation ran in another folder): `aliases` maps both to one token.
 *
 *   const c = await compareOutput('runs/demo/swapped', '/tmp/v/swapped', { aliases: [['/tmp/v', '${run}'], ['/abs/runs/demo', '${run}']] });
 *   c.identical   // false
 *   c.first       // { file: '000012.png', offset: 4711, psnr: 51.2 }
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { TEMP_PREFIX } from '../util/atomic-write.ts';
import { sha256File } from '../util/hash.ts';

export interface ClockField {
  file: RegExp;
  /** JSON keys (paths) holding times. */
  keys?: ReadonlyArray<readonly string[]>;
  /** Text marking times (global regexes): each match is set aside. */
  patterns?: readonly RegExp[];
}

export interface CompareOptions {
  /** [absolute path, token]: occurrences in text files are replaced before comparing (longest first). */
  aliases?: ReadonlyArray<readonly [string, string]>;
  clockFields?: readonly ClockField[];
}

export interface FileDifference {
  /** The file, relative to the output (empty for an output that is one file). */
  file: string;
  /** missing: in the original, not recomputed; extra: recomputed, not in the original. */
  kind: 'bytes' | 'missing' | 'extra';
  /** The first differing byte. */
  offset?: number;
  /** Images and videos: PSNR (dB) of the first differing frame; Infinity when the pixels are equal. */
  psnr?: number;
  /** Videos: the first differing frame (0-based) and how many frames differ. */
  frame?: number;
  framesDiffering?: number;
  frames?: number;
}

export interface OutputComparison {
  identical: boolean;
  /** Files compared. */
  files: number;
  /** Files equal only once the clock's records and the run folder's path were set aside. */
  normalised: number;
  differences: FileDifference[];
  /** The first difference, in file order. */
  first?: FileDifference;
}

const TEXT = new Set(['.json', '.jsonl', '.html', '.csv', '.txt', '.yaml', '.yml', '.md']);
const IMAGE = new Set(['.png', '.jpg', '.jpeg', '.webp']);
const VIDEO = new Set(['.mp4', '.mkv', '.mov', '.avi', '.webm']);

/** Files under a folder (relative, sorted), skipping temp files. */
function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith(TEMP_PREFIX)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** The first differing byte of two files, or -1 when they are equal (read in 1 MiB blocks). */
export function firstDifferingByte(a: string, b: string): number {
  const fa = openSync(a, 'r');
  const fb = openSync(b, 'r');
  try {
    const size = 1 << 20;
    const ba = Buffer.alloc(size);
    const bb = Buffer.alloc(size);
    for (let pos = 0; ; pos += size) {
      const na = readSync(fa, ba, 0, size, pos);
      const nb = readSync(fb, bb, 0, size, pos);
      const n = Math.min(na, nb);
      if (ba.subarray(0, n).equals(bb.subarray(0, n))) {
        if (na !== nb) return pos + n;
        if (na < size) return -1;
        continue;
      }
      for (let i = 0; i < n; i++) if (ba[i] !== bb[i]) return pos + i;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

function deletePath(o: unknown, path: readonly string[]): void {
  if (o === null || typeof o !== 'object') return;
  const [k, ...rest] = path;
  if (k === undefined) return;
  const rec = o as Record<string, unknown>;
  if (!rest.length) delete rec[k];
  else deletePath(rec[k], rest);
}

/** Whether a file is compared after `normalised()`: a text file, or one a kind says holds records of the clock. */
function normalisable(file: string, rel: string, o: CompareOptions): boolean {
  return TEXT.has(extname(rel || file).toLowerCase()) || (o.clockFields ?? []).some((c) => c.file.test(rel || basename(file)));
}

/** A text file's content with the aliases replaced and the clock's keys removed (JSON: per document; .jsonl: per line). */
function normalised(file: string, rel: string, o: CompareOptions): string {
  rel ||= basename(file);
  let text = readFileSync(file, 'utf8');
  for (const [from, to] of [...(o.aliases ?? [])].sort((x, y) => y[0].length - x[0].length)) text = text.split(from).join(to);
  const fields = (o.clockFields ?? []).filter((c) => c.file.test(rel));
  for (const p of fields.flatMap((c) => c.patterns ?? [])) text = text.replace(p, '(clock)');
  const keys = fields.flatMap((c) => c.keys ?? []);
  if (!keys.length) return text;
  const strip = (doc: string) => {
    try {
      const v = JSON.parse(doc) as unknown;
      for (const k of keys) deletePath(v, k);
      return JSON.stringify(v);
    } catch {
      return doc;
    }
  };
  return rel.endsWith('.jsonl') ? text.split('\n').map((l) => (l.trim() ? strip(l) : l)).join('\n') : strip(text);
}

/** PSNR (dB) of two 8-bit buffers; Infinity when equal. */
export function psnr8(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return 0;
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / a.length));
}

async function imagePsnr(a: string, b: string): Promise<number | undefined> {
  try {
    const { default: sharp } = await import('sharp');
    const [ra, rb] = await Promise.all([a, b].map((f) => sharp(f).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
    if (ra!.info.width !== rb!.info.width || ra!.info.height !== rb!.info.height) return 0;
    return psnr8(ra!.data, rb!.data);
  } catch {
    return undefined; // not decodable: the byte offset says where
  }
}

/** The first differing frame of two videos, its PSNR, and how many frames differ. */
async function videoDifference(a: string, b: string): Promise<Pick<FileDifference, 'frame' | 'psnr' | 'framesDiffering' | 'frames'>> {
  try {
    const { decodeFrames } = await import('../media/decode.ts');
    const ia = decodeFrames(a);
    const ib = decodeFrames(b);
    let frames = 0;
    let differing = 0;
    let first: { frame: number; psnr: number } | undefined;
    for (;;) {
      const [fa, fb] = await Promise.all([ia.next(), ib.next()]);
      if (fa.done || fb.done) {
        if (!fa.done || !fb.done) {
          // one video is longer: its extra frames differ
          differing++;
          first ??= { frame: frames, psnr: 0 };
          await (fa.done ? ib : ia).return(undefined);
        }
        break;
      }
      const p = fa.value.width === fb.value.width && fa.value.height === fb.value.height ? psnr8(fa.value.data, fb.value.data) : 0;
      if (p !== Infinity) {
        differing++;
        first ??= { frame: frames, psnr: p };
      }
      frames++;
    }
    return { ...(first ? first : { psnr: Infinity }), framesDiffering: differing, frames };
  } catch {
    return {}; // not decodable: the byte offset says where
  }
}

async function compareFile(a: string, b: string, rel: string, o: CompareOptions): Promise<{ difference: FileDifference | null; normalised: boolean }> {
  const offset = firstDifferingByte(a, b);
  if (offset < 0) return { difference: null, normalised: false };
  const ext = extname(rel || a).toLowerCase();
  if (normalisable(a, rel, o) && normalised(a, rel, o) === normalised(b, rel, o)) return { difference: null, normalised: true };
  const d: FileDifference = { file: rel, kind: 'bytes', offset };
  if (IMAGE.has(ext)) {
    const p = await imagePsnr(a, b);
    if (p !== undefined) d.psnr = p;
  } else if (VIDEO.has(ext)) Object.assign(d, await videoDifference(a, b));
  return { difference: d, normalised: false };
}

/**
 * Per-file fingerprints of an output (relative path -> sha256 hex; '' for an output that is
 * one file), text files after the aliases and the clock's records are set aside: what a
 * reproduction kit expects of a rerun made elsewhere.
 */
export function outputFingerprints(path: string, o: CompareOptions = {}): Record<string, string> {
  const one = (file: string, rel: string) => (normalisable(file, rel, o) ? createHash('sha256').update(normalised(file, rel, o)).digest('hex') : sha256File(file));
  if (!statSync(path).isDirectory()) return { '': one(path, '') };
  return Object.fromEntries(filesOf(path).map((rel) => [rel, one(join(path, rel), rel)]));
}

/** Compare an output with the fingerprints a kit expects (no bytes to locate a difference in: the files that differ). */
export function compareWithFingerprints(path: string, expected: Record<string, string>, o: CompareOptions = {}): OutputComparison {
  const got = existsSync(path) ? outputFingerprints(path, o) : {};
  const differences: FileDifference[] = [];
  for (const [rel, h] of Object.entries(expected)) {
    if (!(rel in got)) differences.push({ file: rel, kind: 'missing' });
    else if (got[rel] !== h) differences.push({ file: rel, kind: 'bytes' });
  }
  for (const rel of Object.keys(got)) if (!(rel in expected)) differences.push({ file: rel, kind: 'extra' });
  differences.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0));
  const files = Object.keys(expected).filter((rel) => rel in got).length;
  return { identical: differences.length === 0, files, normalised: 0, differences, ...(differences[0] ? { first: differences[0] } : {}) };
}

/** Compare an output (file or folder) with its recomputation. */
export async function compareOutput(original: string, recomputed: string, o: CompareOptions = {}): Promise<OutputComparison> {
  const differences: FileDifference[] = [];
  let files = 0;
  let norm = 0;
  if (!existsSync(recomputed)) return { identical: false, files: 0, normalised: 0, differences: [{ file: '', kind: 'missing' }], first: { file: '', kind: 'missing' } };
  if (!statSync(original).isDirectory() || !statSync(recomputed).isDirectory()) {
    if (statSync(original).isDirectory() !== statSync(recomputed).isDirectory()) differences.push({ file: '', kind: 'bytes', offset: 0 });
    else {
      files = 1;
      const r = await compareFile(original, recomputed, '', o);
      if (r.difference) differences.push(r.difference);
      if (r.normalised) norm++;
    }
  } else {
    const want = filesOf(original);
    const got = new Set(filesOf(recomputed));
    for (const rel of want) {
      if (!got.has(rel)) {
        differences.push({ file: rel, kind: 'missing' });
        continue;
      }
      got.delete(rel);
      files++;
      const r = await compareFile(join(original, rel), join(recomputed, rel), rel, o);
      if (r.difference) differences.push(r.difference);
      if (r.normalised) norm++;
    }
    for (const rel of got) differences.push({ file: rel, kind: 'extra' });
    differences.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0));
  }
  return { identical: differences.length === 0, files, normalised: norm, differences, ...(differences[0] ? { first: differences[0] } : {}) };
}
