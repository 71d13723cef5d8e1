/**
 * The per-user cache folder code is loaded from: made 0700 under XDG_CACHE_HOME (or ~/.cache),
 * tightened when others can enter, refused when it is a link, a file or another user's; cached
 * files are content-addressed and a tampered copy is rewritten before its path is handed out.
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cachedFile, userCacheDir, userCachePath } from '../../src/util/cache-dir.ts';
import { UserError } from '../../src/util/errors.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('util/cache-dir');

test('XDG_CACHE_HOME/janus when absolute, else ~/.cache/janus', () => {
  assert.is(userCachePath({ XDG_CACHE_HOME: '/x/cache' }), '/x/cache/janus');
  assert.match(userCachePath({ XDG_CACHE_HOME: 'relative' }), /\/\.cache\/janus$/);
  assert.match(userCachePath({}), /\/\.cache\/janus$/);
});

test('made with mode 0700; an existing folder others can enter is tightened to 0700', () => {
  const root = tempDir('cache').dir;
  const dir = userCacheDir({ XDG_CACHE_HOME: root });
  assert.is(dir, join(root, 'janus'));
  assert.is(statSync(dir).mode & 0o777, 0o700);
  chmodSync(dir, 0o777);
  userCacheDir({ XDG_CACHE_HOME: root });
  assert.is(statSync(dir).mode & 0o777, 0o700);
});

function refusal(root: string): UserError {
  try {
    userCacheDir({ XDG_CACHE_HOME: root });
  } catch (err) {
    assert.instance(err, UserError);
    return err as UserError;
  }
  throw new Error('the cache folder was accepted');
}

test('a link, a file or another user\'s folder is refused, naming the folder and the fix', () => {
  const linked = tempDir('cache').dir;
  mkdirSync(join(linked, 'elsewhere'));
  symlinkSync(join(linked, 'elsewhere'), join(linked, 'janus'));
  const e1 = refusal(linked);
  assert.match(e1.message, new RegExp(`${join(linked, 'janus')} is a symbolic link`));
  assert.match(e1.hint!, /XDG_CACHE_HOME/);
  const file = tempDir('cache').dir;
  writeFileSync(join(file, 'janus'), 'not a folder');
  assert.match(refusal(file).message, /is not a folder/);
  if (process.getuid?.() === 0) {
    const foreign = tempDir('cache').dir;
    mkdirSync(join(foreign, 'janus'), { mode: 0o700 });
    chownSync(join(foreign, 'janus'), 65534, 65534);
    assert.match(refusal(foreign).message, /belongs to user id 65534, not to you \(0\)/);
  }
});

test('a cached file is named by its hash; a tampered copy is rewritten with the right bytes', async () => {
  const dir = userCacheDir({ XDG_CACHE_HOME: tempDir('cache').dir });
  const path = await cachedFile(dir, 'worker', 'console.log(1)');
  assert.match(path, /worker-[0-9a-f]{16}\.js$/);
  writeFileSync(path, 'console.log("planted")');
  assert.is(await cachedFile(dir, 'worker', 'console.log(1)'), path);
  assert.is(readFileSync(path, 'utf8'), 'console.log(1)');
});

test.run();
