/**
 * Reading back the JSON files Janus wrote: read, parse and validate against the zod schema
 * the writer used, so a damaged file or one from another version is a clear `UserError` that
 * names the file and the field (what was expected, what arrived), never a TypeError later.
 *
 *   const m = readJsonFile('runs/x/metrics.json', SwapMetrics, { what: 'metrics file', hint: 'run the metrics stage again' });
 *   // UserError: "runs/x/metrics.json" is not a valid metrics file: frames.total: expected a number, got "abc"
 *   const losses = readJsonLines('weights/x/loss.jsonl', LossEntry, { what: 'loss log entry', hint: '…' }, { optional: true });
 *   tryReadJsonFile(f, Schema, kind)   // { ok: false, problem: '"f" is not a valid …' } instead of a throw
 *
 * A file that is not JSON (truncated, garbled) names the line and column; a missing file says so.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { ByteWindow } from './byte-window.ts';
import { JsonPositionError, jsonMessage, parseJsonBuffer } from './json-buffer.ts';
import type { z } from 'zod';
import { UserError } from './errors.ts';
import { describeIssue } from './zod-issues.ts';

/** How a file is named in messages and how to fix it. */
export interface FileKind {
  /** What the file is: `metrics file`, `checkpoint state`. */
  what: string;
  /** How to fix it, one line (e.g. which stage writes it again). */
  hint?: string;
}

const DEFAULT_FILE_HINT = 'the file is damaged or from another version of Janus: delete it and run what writes it again (janus run PIPELINE --force STAGE)';

/** Line and column of a character offset. */
function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return { line, column: pos - before.lastIndexOf('\n') };
}

/** Why `text` is not JSON, with the line and column where the parser stopped. */
function jsonProblem(text: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (!text.trim()) return 'the file is empty';
  const pos = /position (\d+)/.exec(msg);
  const at = pos ? Number(pos[1]) : breakAt(text);
  const multiline = text.includes('\n');
  if (/end of (JSON )?input|Unterminated/i.test(msg) || (at !== null && at >= text.trimEnd().length)) {
    return `not valid JSON: it ends early${multiline ? ` at line ${lineColumn(text, text.length).line}` : ''} (truncated?)`;
  }
  if (at === null) return `not valid JSON (${jsonMessage(msg)})`;
  const lc = lineColumn(text, at);
  return `not valid JSON at ${multiline ? `line ${lc.line}, column ${lc.column}` : `column ${lc.column}`} (${jsonMessage(msg)})`;
}

/** Where (a character offset) JSON text breaks, for the messages of V8's that name no position: found by parsing it in its smallest pieces. */
function breakAt(text: string): number | null {
  const buf = Buffer.from(text);
  try {
    parseJsonBuffer(buf, { chunk: 0 });
  } catch (err) {
    const pos = err instanceof JsonPositionError ? /at position (\d+)$/.exec(err.message) : null;
    if (pos) return buf.toString('utf8', 0, Number(pos[1])).length;
  }
  return null;
}

/** Parse JSON text, or a UserError naming `source`. */
export function parseJsonText(text: string, source: string, kind: FileKind): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`cannot read ${kind.what} ${source}: ${jsonProblem(text, err)}`, kind.hint ?? DEFAULT_FILE_HINT, { cause: err });
  }
}

/** The file's text, or a UserError naming it (missing, unreadable). */
function readText(file: string, kind: FileKind): string {
  return readJsonBytes(file, kind).toString('utf8');
}

/** The file's bytes, or a UserError naming it (missing, unreadable). */
export function readJsonBytes(file: string, kind: FileKind): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw unreadable(file, kind, err);
  }
}

/** Why `file` cannot be read, as a UserError naming it. */
function unreadable(file: string, kind: FileKind, err: unknown): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
  return new UserError(`cannot read ${kind.what} "${file}": ${why}`, kind.hint ?? DEFAULT_FILE_HINT, { cause: err });
}

/**
 * Run `read` over the file's bytes read a chunk at a time (a ByteWindow: a scan holds a chunk,
 * not the file); a missing or unreadable file, or JSON that breaks (util/json-buffer.ts's
 * JsonPositionError), is a UserError naming it (with the line and column of the break).
 */
export function withJsonFile<T>(file: string, kind: FileKind, read: (bytes: ByteWindow) => T): T {
  let fd: number;
  let size: number;
  let regular: boolean;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw unreadable(file, kind, err);
  }
  try {
    try {
      const stat = fstatSync(fd);
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      size = stat.size;
      regular = stat.isFile();
    } catch (err) {
      throw unreadable(file, kind, err);
    }
    // a pipe or a special file has no size to go by: read whole
    const bytes = regular ? ByteWindow.ofFile(fd, size) : ByteWindow.of(readJsonBytes(file, kind));
    return withJsonPosition(bytes, `"${file}"`, kind, () => read(bytes));
  } finally {
    closeSync(fd);
  }
}

/**
 * Files longer than this are parsed from their bytes in pieces (util/json-buffer.ts): V8 caps a
 * string at about 2^29 characters, and one JSON.parse holds the text and the value at once.
 */
export const LARGE_JSON_BYTES = 128 << 20;

/** Parse the JSON bytes of a large file, or a UserError naming `source` with the line and column where it stops. */
export function parseJsonBytes(buf: Buffer, source: string, kind: FileKind, opts: { chunk?: number } = {}): unknown {
  const bytes = ByteWindow.of(buf);
  return withJsonPosition(bytes, source, kind, () => parseJsonBuffer(bytes, opts));
}

/**
 * Run `read` (which walks `bytes` with util/json-buffer.ts); its JsonPositionError becomes a UserError
 * naming `source` with the line and column where the JSON stops being JSON.
 */
export function withJsonPosition<T>(bytes: ByteWindow, source: string, kind: FileKind, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof JsonPositionError)) throw err;
    let blank = true;
    for (let i = 0; i < bytes.length && blank; i++) blank = [0x20, 0x0a, 0x0d, 0x09].includes(bytes.at(i)!);
    if (blank) throw new UserError(`cannot read ${kind.what} ${source}: the file is empty`, kind.hint ?? DEFAULT_FILE_HINT, { cause: err });
    const pos = /^(.*) at position (\d+)$/s.exec(err.message);
    let where = '';
    if (pos) {
      const at = Math.min(Number(pos[2]), bytes.length);
      let line = 1;
      let lineStart = 0;
      for (let i = 0; i < at; i++) {
        if (bytes.at(i) === 0x0a) {
          line++;
          lineStart = i + 1;
        }
      }
      // the column in characters, as the small files' messages count it
      where = at >= bytes.length ? `: it ends early at line ${line} (truncated?)` : ` at line ${line}, column ${bytes.text(lineStart, at).length + 1}`;
    }
    throw new UserError(`cannot read ${kind.what} ${source}: not valid JSON${where} (${pos ? pos[1] : err.message})`, kind.hint ?? DEFAULT_FILE_HINT, { cause: err });
  }
}

/** Read and parse a JSON file without validating it (see validateJson); `largeBytes`: where the pieces begin (LARGE_JSON_BYTES). */
export function readJson(file: string, kind: FileKind, opts: { largeBytes?: number; chunk?: number } = {}): unknown {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    // readText names what is wrong
  }
  if (size > (opts.largeBytes ?? LARGE_JSON_BYTES)) return parseJsonBytes(readJsonBytes(file, kind), `"${file}"`, kind, { chunk: opts.chunk });
  return parseJsonText(readText(file, kind), `"${file}"`, kind);
}

/**
 * Check a parsed value against the schema; the first problem becomes the message
 * (`"FILE" is not a valid WHAT: FIELD: expected …, got …`), with how many more there are.
 */
export function validateJson<S extends z.ZodType>(raw: unknown, schema: S, source: string, kind: FileKind): z.output<S> {
  return validateJsonAt(raw, schema, source, kind, []);
}

/**
 * validateJson of a part of a file (a frame of a long array read one at a time): the problem's
 * field path starts at `at` (`frames.41.faces.0.box.x: expected a number, got "a"`).
 */
export function validateJsonAt<S extends z.ZodType>(raw: unknown, schema: S, source: string, kind: FileKind, at: readonly PropertyKey[]): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const [first, ...rest] = r.error.issues;
  // the part placed at its path in the whole, for the message's "got …"
  const whole = at.reduceRight<unknown>((v, k) => ({ [k]: v }), raw);
  const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  throw new UserError(`${source} is not a valid ${kind.what}: ${describeIssue({ ...first!, path: [...at, ...first!.path] } as typeof first & object, whole)}${more}`, kind.hint ?? DEFAULT_FILE_HINT);
}

/** Read, parse and validate a JSON file (see the header). */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S, kind: FileKind): z.output<S> {
  return validateJson(readJson(file, kind), schema, `"${file}"`, kind);
}

/**
 * Read a JSON-lines file (one JSON value per line, blank lines skipped), each line validated:
 * errors name the line (`"FILE" line 3 is not a valid WHAT: …`). With `optional`, a file that
 * does not exist (nothing logged yet) reads as no lines.
 */
export function readJsonLines<S extends z.ZodType>(file: string, schema: S, kind: FileKind, opts: { optional?: boolean } = {}): Array<z.output<S>> {
  if (opts.optional && !existsSync(file)) return [];
  const out: Array<z.output<S>> = [];
  for (const [i, line] of readText(file, kind).split('\n').entries()) {
    if (!line.trim()) continue;
    const source = `"${file}" line ${i + 1}`;
    out.push(validateJson(parseJsonText(line, source, kind), schema, source, kind));
  }
  return out;
}

/** A file read back as its schema, or why it could not be (one line: the UserError's message). */
export type FileRead<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * readJsonFile without the throw: the value, or the problem as one line (for callers that try
 * several files and report why each was passed over).
 *
 *   const r = tryReadJsonFile(f, Schema, kind);   // r.ok ? r.value : r.problem
 */
export function tryReadJsonFile<S extends z.ZodType>(file: string, schema: S, kind: FileKind): FileRead<z.output<S>> {
  try {
    return { ok: true, value: readJsonFile(file, schema, kind) };
  } catch (err) {
    if (err instanceof UserError) return { ok: false, problem: err.message };
    throw err;
  }
}
