/** ffmpeg's version string: releases from 5.1 on pass, older ones are refused, git builds name no release and pass. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegTooOld, releaseOf } from '../../src/media/ffmpeg.ts';

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

test.run();
