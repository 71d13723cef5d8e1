/**
 * The one CSV reader: quoted cells with commas, quotes and line breaks, a BOM, CRLF and mixed
 * line ends, blank lines, `#` comment lines (only where asked, only at the start of a line),
 * the line of each row, a clear error for a broken quote; csvRow quotes what needs it and reads
 * back the same. The benchmark manifest and a pipeline's foreach file read through it.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readBenchmarkManifest } from '../../src/benchmark/manifest.ts';
import { csvRecords, csvRow, parseCsv } from '../../src/util/csv.ts';
import { UserError } from '../../src/util/errors.ts';
import { SAMPLE_A, SAMPLE_B, tempDir } from '../helpers/fixtures.ts';

const test = suite('util/csv');
const tmp = tempDir('csv');
test.after(() => tmp.cleanup());

test('quotes, commas in cells, a BOM, CRLF, blank lines, trimmed cells, extra columns', () => {
  const t = parseCsv('\ufeffvideo, identity\r\n\r\n   \n"clips/a, take 2.mp4" , alice\n"say ""hi"".mp4",bob,extra\r\nplain.mp4,carol\n', 'x.csv');
  assert.equal(t.header, ['video', 'identity']);
  assert.equal(
    t.rows.map((r) => r.cells),
    [['clips/a, take 2.mp4', 'alice'], ['say "hi".mp4', 'bob', 'extra'], ['plain.mp4', 'carol']],
  );
  assert.equal(t.rows.map((r) => r.line), [4, 5, 6]);
  assert.equal(csvRecords(t)[1], { video: 'say "hi".mp4', identity: 'bob', col2: 'extra' });
});

test('a line break inside quotes stays in the cell; the row keeps the line it starts on', () => {
  const t = parseCsv('a,b\n"two\nlines",x\ny,z\n', 'x.csv');
  assert.equal(t.rows, [{ cells: ['two\nlines', 'x'], line: 2 }, { cells: ['y', 'z'], line: 4 }]);
});

test('comments: whole lines starting with # when asked; a # inside a cell is data', () => {
  const text = 'video,identity\n# a note, with a comma\nq#1.mp4,alice\n';
  assert.equal(parseCsv(text, 'x.csv', { comments: true }).rows.map((r) => r.cells), [['q#1.mp4', 'alice']]);
  assert.equal(parseCsv(text, 'x.csv').rows.length, 2);
});

test('an unclosed quote is a UserError naming the file', () => {
  try {
    parseCsv('a,b\n"x,1\n', 'broken.csv');
    assert.unreachable('expected an error');
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /broken\.csv: expected CSV.*Quote Not Closed/);
  }
});

test('csvRow quotes commas, quotes, line breaks and edge spaces, and reads back the same', () => {
  const cells = ['a,b', 'x"y', 'two\nlines', ' s', 'plain', '3'];
  assert.is(csvRow(['a,b', 3, 'plain']), '"a,b",3,plain');
  assert.equal(parseCsv(`h1,h2,h3,h4,h5,h6\n${csvRow(cells)}\n`, 'x.csv').rows[0]!.cells, cells);
});

test('the benchmark manifest reads paths with commas, a BOM and comments; a bad row names its line', () => {
  const dir = join(tmp.dir, 'clips, 2024');
  mkdirSync(dir, { recursive: true });
  const a = join(dir, 'alice, take 1.mp4');
  copyFileSync(SAMPLE_A, a);
  const file = join(tmp.dir, 'bench.csv');
  writeFileSync(file, `\ufeffVideo,Identity\r\n# two people\r\n${csvRow([a, 'alice'])}\r\n${SAMPLE_B},bob\r\n`);
  const m = readBenchmarkManifest(file);
  assert.equal(m.videos.map((v) => [v.video, v.identity]), [[a, 'alice'], [SAMPLE_B, 'bob']]);
  writeFileSync(file, `video,identity\n${SAMPLE_A},alice\n\n${SAMPLE_B},\n`);
  try {
    readBenchmarkManifest(file);
    assert.unreachable('expected an error');
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /bench\.csv: line 4: expected a video and an identity/);
  }
});

test.run();
