/**
 * The alignments file across schema versions: a schema-1 file (written before face tracks and
 * identity clusters) still reads, as schema 2 without them; a file of an unknown schema is
 * refused naming the ones that read; writeAlignments writes a frame a line and reads back as
 * the document it was given.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALIGNMENTS_SCHEMA, readAlignments, summarise, writeAlignments } from '../../src/face/alignments-file.ts';
import { writeContactSheets } from '../../src/face/contact-sheet.ts';
import { formatSummary } from '../../src/cli/alignments.ts';
import { UserError } from '../../src/util/errors.ts';
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
  const { frames: _, ...head } = doc;
  const empty = { ...head, frames: [] }; // the frames last, as extraction builds a document
  await writeAlignments(file, empty);
  assert.is(readFileSync(file, 'utf8'), `${JSON.stringify(empty, null, 2)}\n`);
});

test.run();
