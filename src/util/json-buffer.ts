/**
 * Parse JSON held in a Buffer, or in a file read a chunk at a time (ByteWindow), too large for
 * one JavaScript string (V8 caps a string at about
 * 2^29 characters: the alignments of a 30-minute video pretty-printed pass it). The text is
 * split at the members of its objects and the elements of its arrays wherever a value is longer
 * than `chunk` bytes, and each piece goes through JSON.parse: the same value JSON.parse would
 * give, and no string longer than `chunk` but a single value that long (one long string).
 * It recurses once per level of nesting larger than `chunk` (pathological depths overflow the
 * stack where JSON.parse would not).
 *
 *   parseJsonBuffer(readFileSync('alignments.json'))          // as JSON.parse(text)
 *   parseJsonBuffer(buf, { chunk: 64 })                       // split finely (the tests)
 *
 * Readers that take a large array an element at a time (the alignments' frames) walk the ranges
 * of a file's bytes, holding a chunk of the file and an element:
 *
 *   const bytes = ByteWindow.ofFile(fd, size);
 *   const members = jsonObjectMembers(bytes);                // [{ key, start, end }]: the values unparsed
 *   for (const e of jsonArrayElements(bytes, m.start, m.end)) use(parseJsonRange(bytes, e.start, e.end));
 *
 * Malformed text throws a JsonPositionError (a SyntaxError) whose message ends in `at position N`
 * (a byte offset).
 */
import { ByteWindow } from './byte-window.ts';

const [QUOTE, BACKSLASH, OPEN_OBJ, CLOSE_OBJ, OPEN_ARR, CLOSE_ARR, COMMA, COLON] = ['"', '\\', '{', '}', '[', ']', ',', ':'].map((c) => c.charCodeAt(0)) as [number, number, number, number, number, number, number, number];

const isSpace = (b: number | undefined) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** Where JSON text stops being JSON: `… at position N`, N a byte offset. */
export class JsonPositionError extends SyntaxError {}

function fail(what: string, at: number): never {
  throw new JsonPositionError(`${what} at position ${at}`);
}

/** V8's JSON.parse message without its quote of the text and its position. */
export function jsonMessage(message: string): string {
  return message.replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '').replace(/ (in JSON )?at position \d+.*$/s, '');
}

function skipSpace(buf: ByteWindow, i: number): number {
  while (i < buf.length && isSpace(buf.at(i))) i++;
  return i;
}

/** The index just past the string starting at `i` (its opening quote). */
function stringEnd(buf: ByteWindow, i: number): number {
  for (let j = i + 1; j < buf.length; j++) {
    const b = buf.at(j)!;
    if (b === BACKSLASH) j++;
    else if (b === QUOTE) return j + 1;
  }
  return fail('Unterminated string in JSON', buf.length);
}

/** The index just past the value starting at `i` (no leading space). */
function valueEnd(buf: ByteWindow, i: number): number {
  const b = buf.at(i);
  if (b === undefined) return fail('Unexpected end of JSON input', i);
  if (b === QUOTE) return stringEnd(buf, i);
  if (b === OPEN_OBJ || b === OPEN_ARR) {
    let depth = 0;
    for (let j = i; j < buf.length; j++) {
      const c = buf.at(j)!;
      if (c === QUOTE) j = stringEnd(buf, j) - 1;
      else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
      else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        if (--depth === 0) return j + 1;
      }
    }
    return fail('Unexpected end of JSON input', buf.length);
  }
  // a number or a literal: up to the next delimiter (JSON.parse judges it)
  let j = i;
  while (j < buf.length && !isSpace(buf.at(j)) && buf.at(j) !== COMMA && buf.at(j) !== CLOSE_OBJ && buf.at(j) !== CLOSE_ARR && buf.at(j) !== COLON) j++;
  if (j === i) fail(`Unexpected token '${String.fromCharCode(b)}' in JSON`, i); // a stray comma, a bracket where a value belongs
  return j;
}

/** JSON.parse of bytes [start, end), their errors placed at byte offsets of the whole buffer. */
function parseSlice(buf: ByteWindow, start: number, end: number): unknown {
  const text = buf.text(start, end);
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    // no position (some of V8's messages): split the piece to its smallest failing part (as deep
    // as the text nests: past the stack's depth, the piece's start is where it is placed)
    if (!pos && end - start > 1 && (buf.at(start) === OPEN_OBJ || buf.at(start) === OPEN_ARR)) {
      try {
        return parseValue(buf, start, end, 0);
      } catch (inner) {
        if (!(inner instanceof RangeError)) throw inner;
      }
    }
    // JSON.parse counts characters of the slice: as bytes of the whole buffer
    const at = pos ? start + Buffer.byteLength(text.slice(0, Number(pos[1]))) : start;
    return fail(`${jsonMessage(message)} in JSON`, at);
  }
}

/** A member of an object, or an element of an array: its value's bytes [start, end). */
export interface JsonRange {
  start: number;
  end: number;
}

/**
 * The members of the object, or the elements of the array, at [start, end): each value's range
 * (unparsed) and, in an object, its key (parsed). The one walk of a container's top level.
 */
function* children(buf: ByteWindow, start: number, end: number): Generator<JsonRange & { key: string | null }> {
  const isObject = buf.at(start) === OPEN_OBJ;
  const close = isObject ? CLOSE_OBJ : CLOSE_ARR;
  let i = skipSpace(buf, start + 1);
  if (buf.at(i) === close) return;
  for (;;) {
    let key: string | null = null;
    if (isObject) {
      if (buf.at(i) !== QUOTE) fail('Expected a property name in JSON', i);
      const keyEnd = stringEnd(buf, i);
      key = parseSlice(buf, i, keyEnd) as string;
      i = skipSpace(buf, keyEnd);
      if (buf.at(i) !== COLON) fail("Expected ':' after a property name in JSON", i);
      i = skipSpace(buf, i + 1);
    }
    const vEnd = valueEnd(buf, i);
    yield { key, start: i, end: vEnd };
    i = skipSpace(buf, vEnd);
    if (buf.at(i) === COMMA) {
      i = skipSpace(buf, i + 1);
      continue;
    }
    if (buf.at(i) === close) return;
    if (i >= end) fail('Unexpected end of JSON input', i);
    fail(`Expected ',' or '${String.fromCharCode(close)}' in JSON`, i);
  }
}

function parseValue(buf: ByteWindow, start: number, end: number, chunk: number): unknown {
  const first = buf.at(start);
  if (end - start <= chunk || (first !== OPEN_OBJ && first !== OPEN_ARR)) return parseSlice(buf, start, end);
  if (first === OPEN_ARR) return Array.from(children(buf, start, end), (c) => parseValue(buf, c.start, c.end, chunk));
  const obj: Record<string, unknown> = {};
  for (const c of children(buf, start, end)) {
    // as JSON.parse: a repeated key keeps its last value; __proto__ is an own property
    Object.defineProperty(obj, c.key!, { value: parseValue(buf, c.start, c.end, chunk), enumerable: true, writable: true, configurable: true });
  }
  return obj;
}

export function parseJsonBuffer(buf: Buffer | ByteWindow, opts: { chunk?: number } = {}): unknown {
  const bytes = buf instanceof ByteWindow ? buf : ByteWindow.of(buf);
  const { start, end } = topLevel(bytes);
  return parseJsonRange(bytes, start, end, opts);
}

/** The bytes of the one top-level value (nothing but whitespace around it). */
function topLevel(buf: ByteWindow): JsonRange {
  const start = skipSpace(buf, 0);
  if (start >= buf.length) fail('Unexpected end of JSON input', start);
  const end = valueEnd(buf, start);
  afterTopLevel(buf, end);
  return { start, end };
}

/** Nothing but whitespace from `end` on. */
function afterTopLevel(buf: ByteWindow, end: number): void {
  const rest = skipSpace(buf, end);
  if (rest < buf.length) fail('Unexpected non-whitespace character after JSON', rest);
}

/**
 * The members of the top-level object, keys parsed and values as ranges (a repeated key: each
 * occurrence): one walk of the text, the members' values skipped over (not parsed).
 */
export function jsonObjectMembers(buf: ByteWindow): Array<JsonRange & { key: string }> {
  const start = skipSpace(buf, 0);
  if (buf.at(start) !== OPEN_OBJ) {
    topLevel(buf); // what is wrong with it as JSON first
    fail('Expected an object in JSON', start);
  }
  const members = Array.from(children(buf, start, buf.length), (c) => ({ key: c.key!, start: c.start, end: c.end }));
  // children stopped at the closing brace: just past the last member (or the opening one)
  const close = skipSpace(buf, members.length ? members[members.length - 1]!.end : start + 1);
  afterTopLevel(buf, close + 1);
  return members;
}

/** The elements of the array at [start, end) as ranges, one at a time (none parsed). */
export function* jsonArrayElements(buf: ByteWindow, start: number, end: number): Generator<JsonRange> {
  if (buf.at(start) !== OPEN_ARR) fail('Expected an array in JSON', start);
  for (const c of children(buf, start, end)) yield { start: c.start, end: c.end };
}

/** The value at [start, end), as JSON.parse gives it (split as parseJsonBuffer splits). */
export function parseJsonRange(buf: ByteWindow, start: number, end: number, opts: { chunk?: number } = {}): unknown {
  return parseValue(buf, start, end, opts.chunk ?? 64 << 20);
}
