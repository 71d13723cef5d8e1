/**
 * Face folders: `janus train --a/--b` (and pretrain) take either a faces/ folder or the folder
 * `janus extract --out DIR` made (its faces/ is used, with the masks/ beside it); a folder of
 * images is used as it is; a missing or empty folder is a clear error naming it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TrainConfig } from '../../src/config/train.ts';
import { faceFiles, faceFolder } from '../../src/train/face-set.ts';
import { loadTrainingData } from '../../src/train/training-data.ts';
import { UserError } from '../../src/util/errors.ts';
import { faceCrop } from '../helpers/data.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('train/face-set');
const tmp = tempDir('face-set');
test.after(() => tmp.cleanup());

/** What `janus extract --out DIR` leaves: DIR/faces/N.png and DIR/masks/N.png. */
async function extractOutput(name: 'a' | 'b'): Promise<string> {
  const dir = join(tmp.dir, `extract-${name}`);
  mkdirSync(join(dir, 'faces'), { recursive: true });
  mkdirSync(join(dir, 'masks'), { recursive: true });
  const f = await faceCrop(name, 64);
  for (const i of [0, 1, 2]) {
    await sharp(Buffer.from(f.map((v) => Math.round(v * 255))), { raw: { width: 64, height: 64, channels: 3 } }).flop(i === 1).png().toFile(join(dir, 'faces', `${i}.png`));
    await sharp(Buffer.alloc(64 * 64, i === 2 ? 255 : 128), { raw: { width: 64, height: 64, channels: 1 } }).png().toFile(join(dir, 'masks', `${i}.png`));
  }
  return dir;
}

test('an extract output folder means its faces/; a folder of images means itself', async () => {
  const a = await extractOutput('a');
  assert.is(faceFolder(a), join(a, 'faces'));
  assert.is(faceFolder(join(a, 'faces')), join(a, 'faces'));
  assert.is(faceFolder(join(tmp.dir, 'nope')), join(tmp.dir, 'nope'));
  assert.equal(faceFiles(faceFolder(a)), ['0.png', '1.png', '2.png']);
});

test('training data from extract output folders equals that from their faces/ folders, masks included', async () => {
  const a = await extractOutput('a');
  const b = await extractOutput('b');
  const cfg = TrainConfig.parse({ maskWeight: 2, qualityMinutes: 0 });
  const fromOut = await loadTrainingData(cfg, a, b, 64);
  const fromFaces = await loadTrainingData(cfg, join(a, 'faces'), join(b, 'faces'), 64);
  assert.is(fromOut.a.dir, join(a, 'faces'));
  assert.is(fromOut.a.faces.length, 3);
  assert.equal(fromOut.a.files, fromFaces.a.files);
  assert.equal(fromOut.b.faces, fromFaces.b.faces);
  assert.ok(fromOut.a.masks, 'the masks/ beside faces/ were loaded');
  assert.equal(fromOut.a.masks, fromFaces.a.masks);
  assert.is.not(fromOut.a.masks![0]![0], fromOut.a.masks![2]![0]); // the files' own masks, not the template's
});

test('a missing or empty folder is a UserError naming it and saying what to pass', () => {
  const empty = join(tmp.dir, 'empty');
  mkdirSync(empty, { recursive: true });
  assert.throws(() => faceFiles(join(tmp.dir, 'nope')), (e: unknown) => e instanceof UserError && /face folder not found: ".*nope"/.test(e.message) && /janus extract VIDEO --out DIR/.test(e.hint!));
  assert.throws(() => faceFiles(faceFolder(empty)), (e: unknown) => e instanceof UserError && /no face images in ".*empty"/.test(e.message));
});

test.run();
