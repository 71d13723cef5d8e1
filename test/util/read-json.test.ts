/**
 * Reading back JSON files: a valid file reads as its schema's output; a wrong type, a missing
 * field, an unknown key, truncated JSON, an empty file, a missing file and a bad JSONL line are
 * each a UserError naming the file, the field (or line and column) and what arrived.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { writeJsonLinesAtomic } from '../../src/util/atomic-write.ts';
import { readJsonFile, readJsonLines, tryReadJsonFile } from '../../src/util/read-json.ts';
import { assertFileError } from '../helpers/corrupt.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('util/read-json');
const tmp = tempDir('read-json');
test.after(() => tmp.cleanup());

const Doc = z.object({ schema: z.literal('t/1'), identity: z.object({ share: z.number(), kind: z.enum(['a', 'b']) }).strict(), n: z.number().int().default(3) }).strict();
const kind = { what: 'test file', hint: 'write it again' };
const file = (name: string, text: string) => {
  const f = join(tmp.dir, name);
  writeFileSync(f, text);
  return f;
};

test('a valid file reads as the schema output (defaults filled)', () => {
  const f = file('ok.json', JSON.stringify({ schema: 't/1', identity: { share: 0.5, kind: 'a' } }));
  assert.equal(readJsonFile(f, Doc, kind), { schema: 't/1', identity: { share: 0.5, kind: 'a' }, n: 3 });
  assert.equal(tryReadJsonFile(f, Doc, kind), { ok: true, value: { schema: 't/1', identity: { share: 0.5, kind: 'a' }, n: 3 } });
});

test('a wrong type, a missing field, a bad choice, an unknown key: the file and the field', () => {
  const wrong = file('wrong.json', JSON.stringify({ schema: 't/1', identity: { share: 'abc', kind: 'a' } }));
  assertFileError(() => readJsonFile(wrong, Doc, kind), wrong, /is not a valid test file: identity\.share: expected a number, got "abc"$/);
  const missing = file('missing.json', JSON.stringify({ schema: 't/1', identity: { kind: 'a' } }));
  assertFileError(() => readJsonFile(missing, Doc, kind), missing, /identity\.share: missing \(expected a number\)/);
  const choice = file('choice.json', JSON.stringify({ schema: 't/1', identity: { share: 1, kind: 'c' } }));
  assertFileError(() => readJsonFile(choice, Doc, kind), choice, /identity\.kind: expected one of a\|b, got "c"/);
  const extra = file('extra.json', JSON.stringify({ schema: 't/1', identity: { share: 1, kind: 'a', more: 1 } }));
  assertFileError(() => readJsonFile(extra, Doc, kind), extra, /identity: unknown key "more"/);
  const version = file('version.json', JSON.stringify({ schema: 't/2', identity: { share: 1, kind: 'a' } }));
  assertFileError(() => readJsonFile(version, Doc, kind), version, /schema: expected "t\/1", got "t\/2"/);
  const two = file('two.json', JSON.stringify({ schema: 't/1', identity: { share: 'x', kind: 'c' } }));
  assertFileError(() => readJsonFile(two, Doc, kind), two, /\(and 1 more problem\)/);
  const top = file('top.json', '[1, 2]');
  assertFileError(() => readJsonFile(top, Doc, kind), top, /\(top level\): expected an object, got \[1,2\]/);
  const r = tryReadJsonFile(wrong, Doc, kind);
  assert.ok(!r.ok && /identity\.share: expected a number/.test(r.problem), 'the problem names the field');
});

test('not JSON: truncated, garbled, empty, missing, a folder', () => {
  const cut = file('cut.json', '{\n  "schema": "t/1",\n  "identity": {');
  assertFileError(() => readJsonFile(cut, Doc, kind), cut, /cannot read test file ".*": not valid JSON: it ends early at line 3 \(truncated\?\)/);
  const garbled = file('garbled.json', '{\n  "schema": "t/1",\n  "identity" 1\n}');
  assertFileError(() => readJsonFile(garbled, Doc, kind), garbled, /not valid JSON at line 3, column 14 \(Unexpected number\)/);
  const empty = file('empty.json', '');
  assertFileError(() => readJsonFile(empty, Doc, kind), empty, /the file is empty/);
  const none = join(tmp.dir, 'none.json');
  assertFileError(() => readJsonFile(none, Doc, kind), none, /cannot read test file ".*none\.json": no such file/);
  assertFileError(() => readJsonFile(tmp.dir, Doc, kind), tmp.dir, /it is a folder/);
});

test('JSON lines: every line validated, errors name the line', () => {
  const Entry = z.object({ iteration: z.number().int(), loss: z.number() }).strict();
  const ok = file('ok.jsonl', '{"iteration":1,"loss":0.5}\n\n{"iteration":2,"loss":0.4}\n');
  assert.equal(readJsonLines(ok, Entry, kind), [{ iteration: 1, loss: 0.5 }, { iteration: 2, loss: 0.4 }]);
  const bad = file('bad.jsonl', '{"iteration":1,"loss":0.5}\n{"iteration":2,"loss":"high"}\n');
  assertFileError(() => readJsonLines(bad, Entry, kind), bad, /bad\.jsonl" line 2 is not a valid test file: loss: expected a number, got "high"/);
  const cut = file('cut.jsonl', '{"iteration":1,"loss":0.5}\n{"iteration":2,"lo');
  assertFileError(() => readJsonLines(cut, Entry, kind), cut, /cut\.jsonl" line 2: not valid JSON/);
  const none = join(tmp.dir, 'none.jsonl');
  assert.equal(readJsonLines(none, Entry, kind, { optional: true }), [], 'an optional file not written yet: no lines');
  assertFileError(() => readJsonLines(none, Entry, kind), none, /no such file/);
});

test('JSON lines written atomically read back as written; none: an empty file', async () => {
  const Entry = z.object({ iteration: z.number().int(), loss: z.number() }).strict();
  const f = join(tmp.dir, 'written.jsonl');
  const entries = [{ iteration: 1, loss: 0.5 }, { iteration: 2, loss: 0.25 }];
  await writeJsonLinesAtomic(f, entries);
  assert.is(readFileSync(f, 'utf8'), '{"iteration":1,"loss":0.5}\n{"iteration":2,"loss":0.25}\n');
  assert.equal(readJsonLines(f, Entry, kind), entries);
  await writeJsonLinesAtomic(f, []);
  assert.is(readFileSync(f, 'utf8'), '');
  assert.equal(readJsonLines(f, Entry, kind), []);
});

test.run();
