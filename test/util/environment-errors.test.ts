/**
 * Environment failures (disk full, permission, read-only disk, name too long, too many open
 * files, a full SQLite database) become UserErrors naming the path, the operation, why and the
 * fix; other errors stay bugs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError, asUserError, environmentError } from '../../src/util/errors.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('util/environment-errors');
const tmp = tempDir('env-errors');
test.after(() => tmp.cleanup());

const errno = (code: string, syscall?: string, path?: string) => Object.assign(new Error(`${code}: something, ${syscall} '${path}'`), { code, ...(syscall ? { syscall } : {}), ...(path ? { path } : {}) });

test('ENOSPC, EROFS, ENAMETOOLONG, EMFILE and SQLITE_FULL: path, operation, why and fix', () => {
  const full = environmentError(errno('ENOSPC', 'write', '/runs/x/faces/1.png'))!;
  assert.instance(full, UserError);
  assert.is(full.message, 'cannot write "/runs/x/faces/1.png": no space left on the device (ENOSPC)');
  assert.match(full.hint!, /free some space .* and rerun: finished work is kept/);
  assert.is(environmentError(errno('EROFS', 'mkdir', '/ro/run'))!.message, 'cannot create the folder "/ro/run": the file system is read-only (EROFS)');
  assert.match(environmentError(errno('ENAMETOOLONG', 'open', '/x/yyyy'))!.hint!, /shorter --workdir\/--out path/);
  assert.match(environmentError(errno('EMFILE', 'open', '/x/a'))!.hint!, /ulimit -n/);
  const db = environmentError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))!;
  assert.is(db.message, 'database or disk is full: the run state database (.janus/state.db in the run folder) could not grow: the disk is full (SQLITE_FULL)');
});

test('a real EACCES from the file system names the path; a cause chain and a child\'s "No space left on device" count', () => {
  if (process.getuid?.() === 0) {
    // root ignores permissions: a file where a folder is expected gives a real errno instead
    writeFileSync(join(tmp.dir, 'file'), 'x');
    try {
      mkdirSync(join(tmp.dir, 'file', 'sub'));
      assert.unreachable('mkdir under a file succeeded');
    } catch (err) {
      assert.is(environmentError(err), null, 'ENOTDIR is not an environment failure: it stays as it is');
    }
  }
  const wrapped = new Error('cannot write the checkpoint', { cause: errno('EACCES', 'open', '/w/ckpt/state.json') });
  assert.is(environmentError(wrapped)!.message, 'cannot open "/w/ckpt/state.json": permission denied (EACCES)');
  assert.is(environmentError(new Error('ffmpeg: av_interleaved_write_frame(): No space left on device'))!.message, 'ffmpeg: av_interleaved_write_frame(): No space left on device: no space left on the device (ENOSPC)');
});

test('other errors are not user errors; a UserError is itself', () => {
  assert.is(asUserError(new TypeError('x is undefined')), null);
  assert.is(asUserError(errno('ENOENT', 'open', '/x')), null);
  const u = new UserError('bad', 'fix');
  assert.is(asUserError(u), u);
});

test.run();
