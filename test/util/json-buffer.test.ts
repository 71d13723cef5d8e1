/**
 * JSON parsed from a Buffer in pieces gives what JSON.parse gives, however finely it is split
 * (strings holding quotes, brackets, escapes and multi-byte characters; nesting; numbers;
 * literals; repeated and __proto__ keys), and malformed text is an error at the byte where it
 * goes wrong, read from a Buffer or from a file a few bytes at a time (ByteWindow): the same
 * values, members, elements and positions; readJson reads a file larger than LARGE_JSON_BYTES through it (the threshold
 * lowered here), and a malformed one is a UserError with the line and column of the break.
 */
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonArrayElements, jsonObjectMembers, parseJsonBuffer, parseJsonRange } from '../../src/util/json-buffer.ts';
import { ByteWindow } from '../../src/util/byte-window.ts';
import { LARGE_JSON_BYTES, parseJsonBytes, readJson } from '../../src/util/read-json.ts';
import { UserError } from '../../src/util/errors.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('util/json-buffer');
const tmp = tempDir('json-buffer');
test.after(() => tmp.cleanup());

const docs = [
  '{"a": [1, 2.5, -3e-7, 1E+21, 0], "b": {"c": "q\\"uo]te}", "d": ["[", "{", "\\\\", "\\u00e9t\\u00e9"]}, "e": true, "f": false, "g": null}',
  ' \n[ {"x": "héllo wörld ✓ 日本"}, [], {}, [[[]]], "", "\\"", -0, 123456789012345678901234567890 ] \n',
  '{"k": 1, "k": 2, "__proto__": {"polluted": true}, "arr": [{"__proto__": 1}]}',
  JSON.stringify({ frames: Array.from({ length: 50 }, (_, i) => ({ index: i, faces: [{ box: [i, i * 0.5], label: `face "${i}" {` }] })) }, null, 2),
  '"just a string"',
  '42',
];

test('the same value as JSON.parse at every split size', () => {
  for (const text of docs) {
    const want = JSON.parse(text);
    for (const chunk of [1, 7, 64, 1 << 20]) {
      const got = parseJsonBuffer(Buffer.from(text), { chunk });
      assert.equal(got, want, `chunk ${chunk}: ${text.slice(0, 40)}`);
    }
    const split = parseJsonBuffer(Buffer.from(text), { chunk: 1 }) as Record<string, unknown>;
    if (text.includes('__proto__')) {
      assert.ok(Object.hasOwn(split, '__proto__'), '__proto__ is an own key, as JSON.parse makes it');
      assert.is(({} as Record<string, unknown>).polluted, undefined, 'no prototype touched');
      assert.is(split.k, 2, 'a repeated key keeps its last value');
    }
  }
});

test('malformed text is a SyntaxError at the byte where it goes wrong', () => {
  const cases: Array<[string, number]> = [
    ['{"a": [1, 2', 11],
    ['{"a": "unterminated', 19],
    ['{"a": 1 "b": 2}', 8],
    ['{"a": 1} x', 9],
    ['[1, 2,, 3]', 6],
    ['{"é": tru}', 7],
    ['', 0],
  ];
  for (const [text, at] of cases) {
    assert.throws(() => parseJsonBuffer(Buffer.from(text), { chunk: 1 }), (e: Error) => e instanceof SyntaxError && new RegExp(`at position ${at}$`).test(e.message), `${JSON.stringify(text)}: at ${at}`);
    assert.throws(() => JSON.parse(text), 'JSON.parse refuses it too');
  }
});

/** `text` written to a file and read through a window of `chunk` bytes. */
function throughFile<T>(text: string, chunk: number, use: (bytes: ByteWindow) => T): T {
  const file = join(tmp.dir, 'chunked.json');
  writeFileSync(file, text);
  const fd = openSync(file, 'r');
  try {
    return use(ByteWindow.ofFile(fd, Buffer.byteLength(text), chunk));
  } finally {
    closeSync(fd);
  }
}

test('from a file read a few bytes at a time: the same values, members, elements and positions', () => {
  for (const text of docs) {
    for (const chunk of [1, 3, 16]) {
      for (const split of [1, 1 << 20]) assert.equal(throughFile(text, chunk, (b) => parseJsonBuffer(b, { chunk: split })), JSON.parse(text), `window ${chunk}, split ${split}: ${text.slice(0, 40)}`);
    }
  }
  const doc = { head: { n: 1, s: 'a "quoted" ] string' }, frames: Array.from({ length: 30 }, (_, i) => ({ i, s: `é ${i} ✓ }` })), tail: [1, 2] };
  const text = JSON.stringify(doc, null, 1);
  for (const chunk of [1, 7, 64]) {
    throughFile(text, chunk, (bytes) => {
      const members = jsonObjectMembers(bytes);
      assert.equal(members.map((m) => m.key), ['head', 'frames', 'tail']);
      for (const m of members) assert.equal(parseJsonRange(bytes, m.start, m.end), doc[m.key as keyof typeof doc], `window ${chunk}: ${m.key}`);
      const frames = members.find((m) => m.key === 'frames')!;
      assert.equal(Array.from(jsonArrayElements(bytes, frames.start, frames.end), (e) => parseJsonRange(bytes, e.start, e.end)), doc.frames, `window ${chunk}: the frames one at a time`);
    });
  }
  const cases: Array<[string, number]> = [
    ['{"a": [1, 2', 11],
    ['{"a": "unterminated', 19],
    ['{"a": 1 "b": 2}', 8],
    ['{"a": 1} x', 9],
    ['{"a": 1}  ', -1],
    ['[1, 2,, 3]', 6],
    ['{"é": tru}', 7],
    ['', 0],
  ];
  for (const [text, at] of cases) {
    for (const chunk of [1, 4]) {
      if (at < 0) {
        assert.is(throughFile(text, chunk, (b) => jsonObjectMembers(b)).length, 1, 'trailing whitespace is fine');
        continue;
      }
      assert.throws(() => throughFile(text, chunk, (b) => parseJsonBuffer(b, { chunk: 1 })), (e: Error) => e instanceof SyntaxError && new RegExp(`at position ${at}$`).test(e.message), `${JSON.stringify(text)}: at ${at}`);
      // the members' walk finds the same break (the value's own breaks come when it is parsed)
      if (!text.startsWith('[') && !text.includes('tru}')) assert.throws(() => throughFile(text, chunk, (b) => jsonObjectMembers(b)), (e: Error) => e instanceof SyntaxError && new RegExp(`at position ${at}$`).test(e.message), `members of ${JSON.stringify(text)}: at ${at}`);
    }
  }
});

test('a malformed large file is a UserError naming the file, the line and the column', () => {
  const text = '{\n  "a": [1, 2],\n  "b": [3 4]\n}\n';
  try {
    parseJsonBytes(Buffer.from(text), '"x.json"', { what: 'test file', hint: 'fix it' }, { chunk: 1 });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /^cannot read test file "x\.json": not valid JSON at line 3, column 11 /);
  }
  try {
    parseJsonBytes(Buffer.from('{"a": [1,'), '"y.json"', { what: 'test file' }, { chunk: 1 });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /not valid JSON: it ends early at line 1 \(truncated\?\)/);
  }
  try {
    parseJsonBytes(Buffer.from(' \n'), '"z.json"', { what: 'test file' });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /"z\.json": the file is empty$/);
  }
});

test(`readJson reads a file over LARGE_JSON_BYTES (${LARGE_JSON_BYTES >> 20} MB) in pieces, as JSON.parse would; a broken one names the line and column`, () => {
  const file = join(tmp.dir, 'large.json');
  const text = `{"head": {"n": 1},\n "rows": [\n${Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, name: `row "${i}" ]} é`, v: [i / 3, -i] })).join(',\n')}\n]}\n`;
  writeFileSync(file, text);
  // the switch at a small size: the pieces path on a small file
  assert.equal(readJson(file, { what: 'test file' }, { largeBytes: 100, chunk: 50 }), JSON.parse(text));
  writeFileSync(file, text.replace('{"i":17,', '{"i":x17,'));
  assert.ok(readFileSync(file, 'utf8').includes('x17'), 'the break is in the file');
  const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('x17')) + 1;
  const column = readFileSync(file, 'utf8').split('\n')[line - 1]!.indexOf('x17') + 1;
  for (const opts of [{ largeBytes: 100, chunk: 50 }, { largeBytes: 100 }, {}]) {
    try {
      readJson(file, { what: 'test file' }, opts);
      assert.unreachable();
    } catch (err) {
      assert.instance(err, UserError);
      assert.match((err as Error).message, new RegExp(`not valid JSON at line ${line}, column ${column} `), `${JSON.stringify(opts)}: ${(err as Error).message}`);
      assert.not.match((err as Error).message, /is not valid JSON|\.\.\./, 'no quote of the text left in the message');
    }
  }
  // nesting deeper than the stack, broken inside: still a UserError
  try {
    parseJsonBytes(Buffer.from(`${'['.repeat(100000)}x${']'.repeat(100000)}`), '"deep.json"', { what: 'test file' });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /"deep\.json": not valid JSON at line 1, column \d+ /);
  }
  // a stray comma is an unexpected comma, not the end of the input
  try {
    parseJsonBytes(Buffer.from('{"a": [1,,2]}'), '"comma.json"', { what: 'test file' }, { chunk: 1 });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /at line 1, column 10 \(Unexpected token ',' in JSON\)/);
  }
  // a break at the very first byte
  try {
    parseJsonBytes(Buffer.from(']\n\n'), '"w.json"', { what: 'test file' });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /not valid JSON at line 1, column 1 /);
  }
});

test.run();
