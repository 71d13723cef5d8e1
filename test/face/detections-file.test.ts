/**
 * The extraction's per-frame detection files: a detected and a followed face read back as
 * written; damaged copies (a wrong type, a missing field, cut short) are UserErrors naming the
 * file and the field.
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFrameDetections, writeFrameDetections, type FrameDetections } from '../../src/face/detections-file.ts';
import { assertFileError, editedCopy, truncatedCopy } from '../helpers/corrupt.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('face/detections-file');
const tmp = tempDir('detections-file');
test.after(() => tmp.cleanup());

const landmarks = Array.from({ length: 68 }, (_, i) => [100 + i * 0.5, 120 + (i % 7)] as [number, number]);
const det: FrameDetections = {
  index: 12,
  time: 0.48,
  faces: [
    { box: { x: 90.5, y: 100.25, width: 80, height: 82 }, score: 0.93, landmarks, descriptor: Array.from({ length: 128 }, (_, i) => Math.sin(i) / 10) },
    { box: { x: 200, y: 100, width: 60, height: 60 }, score: 0.8, landmarks, descriptor: null, tracked: true, boxFromLandmarks: [-0.1, -0.3, 1.2, 1.3] },
  ],
};

test('a frame\'s detections read back as written; damaged copies name the file and the field', async () => {
  const file = join(tmp.dir, '000012.json');
  await writeFrameDetections(file, det);
  assert.equal(readFrameDetections(file), det);
  const score = editedCopy(file, join(tmp.dir, 'score.json'), (d) => void (d.faces[1].score = 'high'));
  assertFileError(() => readFrameDetections(score), score, /is not a valid detections file: faces\.1\.score: expected a number, got "high"/);
  const point = editedCopy(file, join(tmp.dir, 'point.json'), (d) => void (d.faces[0].landmarks[3] = [1]));
  assertFileError(() => readFrameDetections(point), point, /faces\.0\.landmarks\.3/);
  const missing = editedCopy(file, join(tmp.dir, 'missing.json'), (d) => void delete d.index);
  assertFileError(() => readFrameDetections(missing), missing, /index: missing \(expected a number\)/);
  const cut = truncatedCopy(file, join(tmp.dir, 'cut.json'));
  assertFileError(() => readFrameDetections(cut), cut, /cannot read detections file ".*cut\.json": not valid JSON/);
});

test.run();
