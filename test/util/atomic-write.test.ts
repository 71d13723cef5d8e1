import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { reserveTemp, tempPathFor, tempTargetName, withAtomicPath, writeFileAtomic, writeJsonAtomic } from '../../src/util/atomic-write.ts';
import { removeLeftTemps } from '../../src/dag/run-folder.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('util/atomic-write');
const tmp = tempDir('atomic');
test.after(() => tmp.cleanup());

const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.janus-tmp-'));

test('writeFileAtomic creates folders, replaces content, leaves no temp', async () => {
  const f = join(tmp.dir, 'a/b/c.json');
  await writeJsonAtomic(f, { n: 1 });
  assert.equal(JSON.parse(readFileSync(f, 'utf8')), { n: 1 });
  await writeFileAtomic(f, 'second');
  assert.is(readFileSync(f, 'utf8'), 'second');
  assert.equal(leftovers(join(tmp.dir, 'a/b')), []);
});

test('a failing producer leaves the old target intact and removes its temp', async () => {
  const f = join(tmp.dir, 'keep.txt');
  writeFileSync(f, 'old');
  try {
    await withAtomicPath(f, async (t) => {
      writeFileSync(t, 'half-writ');
      throw new Error('disk on fire');
    });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, 'disk on fire');
  }
  assert.is(readFileSync(f, 'utf8'), 'old');
  assert.equal(leftovers(tmp.dir), []);
});

test('the temp path keeps the extension (ffmpeg picks the container from it) and sits beside the target', () => {
  const r = reserveTemp(join(tmp.dir, 'x', 'video.mp4'));
  assert.ok(r.tmp.startsWith(join(tmp.dir, 'x', '.janus-tmp-')));
  assert.ok(r.tmp.endsWith('-video.mp4'));
});

test('a temp name gives back its target; a killed write\'s temp copies beside an output go, nothing else does', () => {
  const out = join(tmp.dir, 'left', 'c40.mp4');
  mkdirSync(join(tmp.dir, 'left'), { recursive: true });
  const temp = tempPathFor(out);
  assert.is(tempTargetName(temp.slice(temp.lastIndexOf('/') + 1)), 'c40.mp4');
  assert.is(tempTargetName('c40.mp4'), null);
  assert.is(tempTargetName('.janus-tmp-notes.txt'), null);
  writeFileSync(temp, 'half');
  writeFileSync(tempPathFor(join(tmp.dir, 'left', 'c23.mp4')), 'another output\'s');
  writeFileSync(join(tmp.dir, 'left', 'mine-c40.mp4'), 'the user\'s');
  assert.is(removeLeftTemps(out), 1);
  assert.equal(readdirSync(join(tmp.dir, 'left')).filter((n) => !n.endsWith('c23.mp4')).sort(), ['mine-c40.mp4']);
  assert.is(readdirSync(join(tmp.dir, 'left')).length, 2, 'the temp of another output stays');
});

test('a folder built aside replaces a non-empty folder whole', async () => {
  const d = join(tmp.dir, 'faces');
  mkdirSync(d);
  writeFileSync(join(d, 'old.png'), 'x');
  await withAtomicPath(d, async (t) => {
    mkdirSync(t);
    writeFileSync(join(t, 'new.png'), 'y');
  });
  assert.equal(readdirSync(d), ['new.png']);
  assert.equal(leftovers(tmp.dir), []);
  assert.ok(existsSync(join(d, 'new.png')));
});

test.run();
