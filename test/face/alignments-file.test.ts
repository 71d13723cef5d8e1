/**
 * The alignments file across schema versions: a schema-1 file (written before face tracks and
 * identity clusters) still reads, as schema 2 without them; a file of an unknown schema is
 * refused naming the ones that read; writeAlignments writes a frame a line and reads back as
 * the document it was given, and writeAlignmentsFrames the same bytes from frames made one at a
 * time (a failure among them leaves the file as it was); readAlignmentsEach hands the frames over one at a time (keys in any
 * order, schema 1 upgraded, a bad field named by its frame), a file of several read chunks
 * included (the same frames as JSON.parse gives, a break far in named by line and column), and
 * the composite stage's kept faces read that way are those of the whole document.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALIGNMENTS_SCHEMA, readAlignments, readAlignmentsEach, summarise, summariseFile, writeAlignments, writeAlignmentsFrames } from '../../src/face/alignments-file.ts';
import { KeptFaceTable, keptFacesByFrame, readKeptFacesByFrame } from '../../src/swap/kept-faces.ts';
import { writeContactSheets } from '../../src/face/contact-sheet.ts';
import { formatSummary } from '../../src/cli/alignments.ts';
import { UserError } from '../../src/util/errors.ts';
import { FILE_CHUNK } from '../../src/util/byte-window.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('face/alignments-file');
const tmp = tempDir('alignments-file');
test.after(() => tmp.cleanup());

const landmarks = Array.from({ length: 68 }, (_, i) => [100 + i, 120 + (i % 7)]);
const v1 = {
  schema: 'janus.alignments/1',
  video: { file: '/videos/x.mp4', width: 320, height: 240, fps: { num: 25, den: 1 }, frameCount: 1 },
  settings: { detector: 'ssd', size: 128, identityThreshold: 0.6 },
  target: { source: 'most-frequent', reference: null, clusterSize: 1, clusters: 1 },
  jitter: { unit: 'px in the aligned crop', before: null, after: null },
  warnings: [],
  frames: [
    {
      index: 0,
      time: 0,
      faces: [{ box: { x: 90, y: 100, width: 80, height: 80 }, score: 0.9, landmarks, smoothed: landmarks, matrix: [1, 0, 0, 0, 1, 0], identityDistance: 0.1, blur: 40, kept: true, reason: null, face: 'faces/000000_0.png', mask: 'masks/000000_0.png' }],
    },
  ],
};

writeFileSync(join(tmp.dir, 'v1-again.json'), JSON.stringify(v1));

test('a schema-1 file reads as schema 2, without tracks and clusters', async () => {
  const file = join(tmp.dir, 'v1.json');
  writeFileSync(file, JSON.stringify(v1));
  const doc = readAlignments(file);
  assert.is(doc.schema, ALIGNMENTS_SCHEMA);
  assert.is(doc.clustering, null);
  assert.equal(doc.target, { source: 'most-frequent', reference: null, cluster: null, clusterSize: 1, clusters: 1 });
  assert.equal([doc.frames[0]!.faces[0]!.track, doc.frames[0]!.faces[0]!.cluster], [null, null]);
  assert.equal([doc.settings.size, doc.settings.cluster, doc.settings.clusterThreshold], [128, 1, 'auto'], 'new settings take their defaults');
  assert.is(summarise(doc).kept, 1);
  assert.match(formatSummary(file, summarise(doc), doc), /target\s+the most frequent identity \(1 face\)/);
  try {
    await writeContactSheets(doc, join(tmp.dir, 'clusters'));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /no identity clusters \(schema 1/);
  }
});

test('a schema-1 file with schema-2 fields, or an unknown schema, is refused', () => {
  const mixed = join(tmp.dir, 'mixed.json');
  writeFileSync(mixed, JSON.stringify({ ...v1, clustering: null }));
  assert.throws(() => readAlignments(mixed), (e: Error) => e instanceof UserError && /not a valid janus\.alignments\/1 file/.test(e.message));
  const future = join(tmp.dir, 'future.json');
  writeFileSync(future, JSON.stringify({ ...v1, schema: 'janus.alignments/9' }));
  assert.throws(() => readAlignments(future), (e: Error) => e instanceof UserError && /not a valid alignments file \(schema janus\.alignments\/1\|janus\.alignments\/2\): schema: expected "janus\.alignments\/2", got "janus\.alignments\/9"/.test(e.message));
});

test('writeAlignments: the header indented, a frame a line, read back as the document; no frames as JSON.stringify writes it', async () => {
  const one = readAlignments(join(tmp.dir, 'v1-again.json'));
  const frames = Array.from({ length: 5 }, (_, i) => ({ ...one.frames[0]!, index: i, time: i / 25, faces: i === 2 ? [] : one.frames[0]!.faces }));
  const doc = { ...one, video: { ...one.video, frameCount: 5 }, frames };
  const dir = join(tmp.dir, 'written');
  const file = join(dir, 'alignments.json');
  await writeAlignments(file, doc);
  assert.equal(readAlignments(file), doc);
  const lines = readFileSync(file, 'utf8').split('\n');
  const frameLines = lines.filter((l) => l.startsWith('    {"index":'));
  assert.is(frameLines.length, 5, 'one line a frame');
  assert.equal(JSON.parse(frameLines[2]!.replace(/,$/, '')), frames[2]);
  assert.ok(lines.includes('  "schema": "janus.alignments/2",'), 'the header indented');
  assert.ok(readFileSync(file, 'utf8').length < JSON.stringify(doc, null, 2).length * 0.7, 'smaller than indented JSON');
  assert.equal(readdirSync(dir), ['alignments.json'], 'no temp left');
  // more frames than one batch (1 MiB) holds
  const many = { ...doc, frames: Array.from({ length: 1500 }, (_, i) => ({ ...frames[0]!, index: i })) };
  await writeAlignments(file, many);
  assert.ok(readFileSync(file).length > 2 << 20, 'several batches written');
  assert.equal(readAlignments(file), many);
  const { frames: _, ...head } = doc;
  const empty = { ...head, frames: [] }; // the frames last, as extraction builds a document
  await writeAlignments(file, empty);
  assert.is(readFileSync(file, 'utf8'), `${JSON.stringify(empty, null, 2)}\n`);
});

test('writeAlignmentsFrames: frames from a generator, the same bytes as the whole document; a generator that fails leaves the old file and no temp', async () => {
  const one = readAlignments(join(tmp.dir, 'v1-again.json'));
  const frames = Array.from({ length: 1200 }, (_, i) => ({ ...one.frames[0]!, index: i, time: i / 25, faces: i % 3 ? one.frames[0]!.faces : [] }));
  const { frames: _, ...head } = one;
  const dir = join(tmp.dir, 'streamed');
  const whole = join(dir, 'whole.json');
  const streamed = join(dir, 'streamed.json');
  await writeAlignments(whole, { ...head, frames });
  let made = 0;
  let writtenBeforeTheEnd = 0;
  async function* each(fail: number | null) {
    for (const f of frames) {
      if (made === fail) throw new Error('the second pass failed');
      if (made === 1100) writtenBeforeTheEnd = readdirSync(dir).filter((e) => e.startsWith('.janus-tmp-')).reduce((n, e) => n + statSync(join(dir, e)).size, 0);
      made++;
      yield f;
    }
  }
  await writeAlignmentsFrames(streamed, head, each(null));
  assert.is(made, frames.length);
  assert.ok(writtenBeforeTheEnd > 1 << 20, `frames written as they come (${writtenBeforeTheEnd} bytes in the temp file before the last frame)`);
  // the layout: the header indented, then a frame a line, commas between
  const header = JSON.stringify({ ...head, frames: [] }, null, 2).replace(/"frames": \[\]\n\}$/, '');
  const layout = `${header}"frames": [\n${frames.map((f) => `    ${JSON.stringify(f)}`).join(',\n')}\n  ]\n}\n`;
  assert.ok(readFileSync(streamed, 'utf8') === layout, 'a frame a line, commas between');
  assert.ok(readFileSync(streamed).equals(readFileSync(whole)), 'the same bytes as writeAlignments');
  // its summary read a frame at a time (janus extract and janus alignments print it): the whole document's
  const frameless = summariseFile(streamed);
  assert.equal(frameless.summary, summarise(readAlignments(streamed)));
  assert.equal(frameless.summary, { frames: 1200, framesWithoutFace: 400, multiFaceFrames: 0, faces: 800, kept: 800, dropped: {}, jitterBefore: null, jitterAfter: null });
  assert.equal(frameless.header, head);
  await writeAlignmentsFrames(streamed, head, []);
  assert.is(readFileSync(streamed, 'utf8'), `${JSON.stringify({ ...head, frames: [] }, null, 2)}\n`, 'no frames');
  const before = readFileSync(streamed);
  made = 0;
  const err = await writeAlignmentsFrames(streamed, head, each(700)).then(() => null, (e: Error) => e);
  assert.match(String(err), /the second pass failed/);
  assert.is(made, 700, 'frames taken one at a time until the failure');
  assert.ok(readFileSync(streamed).equals(before), 'the file as it was');
  assert.equal(readdirSync(dir).sort(), ['streamed.json', 'whole.json'], 'no temp left');
});

test('readAlignmentsEach: each frame in order and the header; keys in any order; schema 1 upgraded; a bad field named with its frame', async () => {
  const one = readAlignments(join(tmp.dir, 'v1-again.json'));
  const frames = Array.from({ length: 4 }, (_, i) => ({ ...one.frames[0]!, index: i * 2, time: i / 10, faces: i === 1 ? [] : one.frames[0]!.faces.map((f) => ({ ...f, face: `faces/${i}_0.png`, mask: `masks/${i}_0.png`, kept: i !== 3 })) }));
  const doc = { ...one, frames };
  const file = join(tmp.dir, 'each.json');
  // the frames first, before the schema that says how to read them
  const { frames: _, ...want } = doc;
  writeFileSync(file, JSON.stringify({ frames, ...want }));
  assert.ok(readFileSync(file, 'utf8').startsWith('{"frames":'), 'the frames come first');
  const seen: Array<[number, number]> = [];
  const header = readAlignmentsEach(file, (f, i) => seen.push([i, f.index]));
  assert.equal(seen, [[0, 0], [1, 2], [2, 4], [3, 6]]);
  assert.equal(header, want);
  const table = readKeptFacesByFrame(file).byFrame;
  const byFrame = keptFacesByFrame(doc, file);
  assert.equal([...table.keys()], [0, 4], 'frames with a kept face only');
  assert.equal([...table.keys()], [...byFrame.keys()]);
  for (const [index, faces] of byFrame) assert.equal(table.get(index), faces, `frame ${index}'s kept faces`);
  assert.equal([table.size, table.faces, table.get(2), table.get(6)], [2, 2, undefined, undefined]);
  // schema 1, a frame at a time: its faces upgraded with no track and no cluster
  const v1Frames: unknown[] = [];
  readAlignmentsEach(join(tmp.dir, 'v1-again.json'), (f) => v1Frames.push(f));
  assert.equal(v1Frames, v1.frames.map((f) => ({ ...f, faces: f.faces.map((x) => ({ ...x, track: null, cluster: null })) })));
  // a repeated frames key: the last counts, but an earlier one that is not JSON is refused
  const text = JSON.stringify(doc);
  writeFileSync(file, `{"frames": [1,,2],${text.slice(1)}`);
  assert.throws(() => readAlignmentsEach(file, () => undefined), (e: Error) => e instanceof UserError && /not valid JSON at line 1, column 15 \(Unexpected token/.test(e.message));
  writeFileSync(file, `{"frames": [],${text.slice(1)}`);
  assert.is(readAlignments(file).frames.length, 4, 'the last frames key read');
  // not an object at all
  writeFileSync(file, '[1, 2]');
  assert.throws(() => readAlignmentsEach(file, () => undefined), (e: Error) => e instanceof UserError && /is not a valid alignments file \(schema janus\.alignments\/1\|janus\.alignments\/2\): \(top level\): expected an object/.test(e.message));
  // a bad field deep in a frame
  const bad = JSON.parse(JSON.stringify(doc));
  bad.frames[2].faces[0].box.x = 'left';
  writeFileSync(file, JSON.stringify(bad));
  assert.throws(() => readAlignmentsEach(file, () => undefined), (e: Error) => e instanceof UserError && e.message === `"${file}" is not a valid janus.alignments/2 file: frames.2.faces.0.box.x: expected a number, got "left"`);
});

test('the kept faces table: a frame met twice has its faces joined in order; each face as keptFacesByFrame gives it', () => {
  const one = readAlignments(join(tmp.dir, 'v1-again.json'));
  const face = (name: string, kept = true, m = 1) => ({ ...one.frames[0]!.faces[0]!, kept, face: `faces/${name}.png`, mask: `../m/${name}.png`, matrix: [m, 0, m + 0.5, 0, m, -m / 3] as [number, number, number, number, number, number] });
  const frames = [
    { index: 3, time: 0.1, faces: [face('3a', true, 2), face('3b', false), face('3c', true, 3)] },
    { index: 5, time: 0.2, faces: [face('5a', true, 4)] },
    { index: 3, time: 0.1, faces: [face('3d', true, 5)] },
    { index: 7, time: 0.3, faces: [face('7a', false)] },
  ];
  const doc = { ...one, frames };
  const file = join(tmp.dir, 'sub', 'twice.json');
  const table = new KeptFaceTable(dirname(file));
  for (const f of frames) table.add(f);
  const want = keptFacesByFrame(doc, file);
  assert.equal(table.get(3)!.map((f) => f.id), ['3a', '3c', '3d']);
  assert.equal(table.get(3), want.get(3));
  assert.equal(table.get(5), want.get(5));
  assert.equal(table.get(3)![2], { id: '3d', frame: 3, face: join(tmp.dir, 'sub', 'faces', '3d.png'), mask: join(tmp.dir, 'm', '3d.png'), matrix: [5, 0, 5.5, 0, 5, -5 / 3] });
  assert.equal([table.size, table.faces, [...table.keys()], table.get(7)], [2, 4, [3, 5], undefined]);
});

test(`readAlignmentsEach: a file of several ${FILE_CHUNK >> 20}-MB chunks reads frame by frame as JSON.parse reads it; a break far in is named by line and column`, async () => {
  const one = readAlignments(join(tmp.dir, 'v1-again.json'));
  const n = 3000;
  const frames = Array.from({ length: n }, (_, i) => ({ ...one.frames[0]!, index: i, time: i / 25, faces: one.frames[0]!.faces.map((f) => ({ ...f, identityDistance: i / n, face: `faces/${i}_0.png`, mask: `masks/${i}_0.png`, track: i % 3, cluster: 0 })) }));
  const file = join(tmp.dir, 'long.json');
  await writeAlignments(file, { ...one, frames });
  const size = statSync(file).size;
  assert.ok(size > 3 * FILE_CHUNK, `${size} bytes: several chunks`);
  const want = JSON.parse(readFileSync(file, 'utf8'));
  const seen: unknown[] = [];
  const header = readAlignmentsEach(file, (f) => seen.push(f));
  assert.equal(seen, want.frames, 'every frame, as JSON.parse reads it');
  const { frames: _, ...head } = want;
  assert.equal(header, head);
  // a break in a frame past the third chunk: its line (a frame a line) and column
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes('"faces/2500_0.png"'));
  assert.ok(lines.slice(0, at).join('\n').length > 3 * FILE_CHUNK, 'past the third chunk');
  const column = lines[at]!.indexOf('"identityDistance"') + 1;
  lines[at] = lines[at]!.replace('"identityDistance"', '"identityDistance" x');
  writeFileSync(file, lines.join('\n'));
  const broken = (e: Error) => e instanceof UserError && new RegExp(`^cannot read alignments file ".*long\\.json": not valid JSON at line ${at + 1}, column ${column + 19} \\(`).test(e.message);
  assert.throws(() => readAlignmentsEach(file, () => undefined), broken);
  // cut short in the middle of a frame
  writeFileSync(file, lines.join('\n').slice(0, 4 * FILE_CHUNK));
  assert.throws(() => readAlignmentsEach(file, () => undefined), (e: Error) => e instanceof UserError && /not valid JSON: it ends early at line \d+ \(truncated\?\)/.test(e.message));
  assert.throws(() => readAlignmentsEach(join(tmp.dir, 'none.json'), () => undefined), (e: Error) => e instanceof UserError && /cannot read alignments file ".*none\.json": no such file/.test(e.message));
  assert.throws(() => readAlignmentsEach(tmp.dir, () => undefined), (e: Error) => e instanceof UserError && /cannot read alignments file ".*": it is a folder/.test(e.message));
});

test.run();
