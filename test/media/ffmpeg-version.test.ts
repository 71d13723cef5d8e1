/** ffmpeg's version string: releases from 5.1 on pass, older ones are refused, git builds name no release and pass. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpegTooOld, releaseOf } from '../../src/media/ffmpeg.ts';
import { ffmpegVersionOf, learnFfmpegVersion, which } from '../../src/util/ffmpeg-version.ts';
import { tempDir } from '../helpers/fixtures.ts';

const test = suite('media/ffmpeg-version');

test('release numbers from Debian, Ubuntu, static and git builds', () => {
  assert.equal(releaseOf('5.1.9-0+deb12u1'), [5, 1]);
  assert.equal(releaseOf('n6.1.1'), [6, 1]);
  assert.equal(releaseOf('7.0'), [7, 0]);
  assert.is(releaseOf('N-113110-g0b0b8f9a'), null);
});

test('5.1 and newer pass; 5.0 and 4.4 are too old, named in the message', () => {
  for (const v of ['5.1', '5.1.9-0+deb12u1', '5.2', '6.0', '10.0', 'N-113110-g0b0b8f9a']) assert.is(ffmpegTooOld(v), null, v);
  assert.is(ffmpegTooOld('5.0.3'), 'ffmpeg 5.0.3 is too old: Janus needs 5.1 or newer');
  assert.is(ffmpegTooOld('4.4.2-0ubuntu0.22.04.1'), 'ffmpeg 4.4.2-0ubuntu0.22.04.1 is too old: Janus needs 5.1 or newer');
});

test('the version is asked once per binary and process: concurrent asks share one run, the synchronous read comes from it', async () => {
  const tmp = tempDir('ffver');
  try {
    const bin = join(tmp.dir, 'bin');
    mkdirSync(bin);
    const fake = join(bin, 'ffmpeg');
    const runs = join(tmp.dir, 'runs');
    writeFileSync(fake, `#!/bin/sh\necho run >> ${runs}\necho 'ffmpeg version 6.1.1-3 Copyright (c) 2000-2023'\n`, { mode: 0o755 });
    assert.is(which('ffmpeg', fake), fake);
    assert.is(which('ffmpeg', join(bin, 'absent')), null);
    await Promise.all([learnFfmpegVersion(fake), learnFfmpegVersion(fake)]);
    assert.is(ffmpegVersionOf(fake), '6.1.1-3');
    await learnFfmpegVersion(fake);
    assert.is(ffmpegVersionOf(fake), '6.1.1-3');
    assert.is(readFileSync(runs, 'utf8'), 'run\n', 'ffmpeg -version ran more than once');
    // a binary that cannot run: the read throws what running it threw, each time
    const broken = join(bin, 'broken');
    writeFileSync(broken, 'not a program', { mode: 0o644 });
    await learnFfmpegVersion(broken);
    assert.throws(() => ffmpegVersionOf(broken), /EACCES|spawn/);
    assert.throws(() => ffmpegVersionOf(broken), /EACCES|spawn/);
  } finally {
    tmp.cleanup();
  }
});

test.run();
