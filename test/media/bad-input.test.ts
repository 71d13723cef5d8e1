/**
 * Each kind of bad input gets a clear error naming the file, exit code 2 from the CLI, and
 * nothing is left half-written: missing file, not a video, truncated (both MP4 layouts), no
 * video stream, missing ffmpeg, a failing encode, an interrupted run.
 *
 * @tier e2e (ffmpeg on damaged files, the CLI)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeFrames } from '../../src/media/decode.ts';
import { openVideoWriter } from '../../src/media/encode.ts';
import { probeVideo } from '../../src/media/probe.ts';
import { UserError } from '../../src/util/errors.ts';
import { ROOT, SAMPLE_A, ffmpegSync, janus, requireSamples, tempDir, truncated } from '../helpers/fixtures.ts';

const test = suite('media/bad-input');
const tmp = tempDir('bad');

test.before(() => requireSamples());
test.after(() => tmp.cleanup());
if (process.env.JANUS_TEST_VERBOSE) test.before.each((ctx) => console.error('>>', (ctx as { __test__: string }).__test__));

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.startsWith('.janus-tmp-'));
}

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<UserError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, UserError, `expected a UserError, got ${(err as Error).stack}`);
    assert.match((err as Error).message, pattern);
    return err as UserError;
  }
  throw new assert.Assertion({ message: `expected a rejection matching ${pattern}`, generated: true, operator: 'rejects', expects: pattern, actual: 'resolved' });
}

test('a missing file: error names it, exit code 2', async () => {
  const f = join(tmp.dir, 'nope.mp4');
  await rejects(probeVideo(f), /video file not found: ".*nope\.mp4"/);
  const r = janus(['probe', f]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /janus: video file not found: ".*nope\.mp4"/);
  assert.not.match(r.stderr, /at \w+ \(/, 'no stack trace for a user mistake');
});

test('a file that is not a video: error names it, exit code 2', async () => {
  const f = join(tmp.dir, 'notes.mp4');
  writeFileSync(f, 'these are my notes, not a video\n'.repeat(20));
  await rejects(probeVideo(f), /cannot read ".*notes\.mp4"/);
  const r = janus(['probe', f]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /notes\.mp4/);
  assert.match(r.stderr, /fix: /);
});

test('an empty file says so', async () => {
  const f = join(tmp.dir, 'empty.mp4');
  writeFileSync(f, '');
  await rejects(probeVideo(f), /empty \(0 bytes\)/);
});

test('a truncated MP4 with its index at the end cannot be probed: clear error', async () => {
  const whole = join(tmp.dir, 'index-at-end.mp4');
  ffmpegSync(['-i', SAMPLE_A, '-t', '2', '-c:v', 'libx264', '-c:a', 'copy', whole]); // no +faststart: moov last
  const f = truncated(whole, join(tmp.dir, 'cut-end.mp4'), 0.6);
  await rejects(probeVideo(f), /cannot read ".*cut-end\.mp4"/);
  const r = janus(['probe', f]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /cut-end\.mp4/);
});

test('a truncated MP4 with its index first probes, but decoding it fails with a clear error', async () => {
  const f = truncated(SAMPLE_A, join(tmp.dir, 'cut-start.mp4'), 0.5);
  const info = await probeVideo(f); // the index is intact and still lists 125 frames
  assert.is(info.frameCount, 125);
  let n = 0;
  await rejects(
    (async () => {
      for await (const _ of decodeFrames(f, { info })) n++;
    })(),
    /cannot decode video ".*cut-start\.mp4"/,
  );
  assert.ok(n < 125, `decoded ${n} frames before the error`);
  const r = janus(['probe', f, '--count-frames']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /cut-start\.mp4/);
});

test('a file whose name starts with a dash is read as a file, not as an ffmpeg option', async () => {
  ffmpegSync(['-i', SAMPLE_A, '-t', '0.2', '-c', 'copy', join(tmp.dir, '-dash.mp4')]);
  const r = spawnSync(process.execPath, [join(ROOT, 'src/cli/bin.js'), 'probe', '--count-frames', '--', '-dash.mp4'], { cwd: tmp.dir, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /size\s+512x512/);
});

test('a file with no video stream: error says what streams it has', async () => {
  const f = join(tmp.dir, 'voice.m4a');
  ffmpegSync(['-i', SAMPLE_A, '-vn', '-c:a', 'copy', f]);
  await rejects(probeVideo(f), /".*voice\.m4a" has no video stream \(streams found: audio\)/);
  const r = janus(['probe', f]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /no video stream/);
});

test('ffmpeg missing: one clear line with the install command, exit code 2', async () => {
  const emptyBin = join(tmp.dir, 'empty-bin'); // a PATH with no ffmpeg on it
  mkdirSync(emptyBin);
  const noFfmpeg = { PATH: emptyBin, FFMPEG_PATH: '', FFPROBE_PATH: '' };
  const r = janus(['probe', SAMPLE_A], noFfmpeg);
  assert.is(r.code, 2);
  assert.match(r.stderr, /ffmpeg and ffprobe not found/);
  assert.match(r.stderr, /apt-get install -y ffmpeg/);
  const d = janus(['doctor'], noFfmpeg);
  assert.is(d.code, 2);
  assert.match(d.stdout, /ffmpeg\s+MISSING/);
  assert.match(d.stdout, /Missing:[\s\S]*apt-get install -y ffmpeg/);
});

test('an ffmpeg older than 5.1: every video command and doctor refuse it up front, naming it and the fix, exit code 2', async () => {
  const bin = join(tmp.dir, 'old-bin'); // an ffmpeg that says it is 4.4.2 (and would leave a file if anything ran it for work)
  mkdirSync(bin);
  const fake = join(bin, 'ffmpeg');
  writeFileSync(fake, `#!/bin/sh\nif [ "$2" = -version ]; then echo 'ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021'; exit 0; fi\ntouch ${join(bin, 'ran')}\n`, { mode: 0o755 });
  const old = { FFMPEG_PATH: fake, FFPROBE_PATH: ffprobeOnPath() };
  const out = join(tmp.dir, 'old-extract');
  for (const args of [['probe', SAMPLE_A], ['extract', SAMPLE_A, '--out', out]]) {
    const r = janus(args, old);
    assert.is(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`ffmpeg 4\\.4\\.2-0ubuntu0\\.22\\.04\\.1 is too old: Janus needs 5\\.1 or newer \\(${fake}\\)`));
    assert.match(r.stderr, /install ffmpeg 5\.1 or newer/);
  }
  assert.not.ok(existsSync(out), 'extract made its folder before refusing');
  assert.not.ok(existsSync(join(bin, 'ran')), 'the old ffmpeg was run for work');
  const d = janus(['doctor'], old);
  assert.is(d.code, 2);
  assert.match(d.stdout, /Missing:[\s\S]*is too old: Janus needs 5\.1 or newer[\s\S]*install ffmpeg 5\.1 or newer/);
});

function ffprobeOnPath(): string {
  const r = spawnSync('sh', ['-c', 'command -v ffprobe'], { encoding: 'utf8' });
  return r.stdout.trim();
}

test('HDR (PQ, BT.2020) video is refused up front with the conversion command; 10-bit SDR video decodes to 8-bit RGB', async () => {
  const hdr = join(tmp.dir, 'hdr.mp4');
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=s=64x48:r=10:d=0.3', '-pix_fmt', 'yuv420p10le', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', '-c:v', 'libx264', hdr]);
  const out = join(tmp.dir, 'hdr-out');
  const r = janus(['extract', hdr, '--out', out]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /is HDR or wide-gamut video \(smpte2084, yuv420p10le\); Janus works in 8-bit SDR \(BT\.709\) and does not tone-map/);
  assert.match(r.stderr, /fix: convert it to SDR first, e\.g\. ffmpeg -i .*tonemap=/);
  assert.not.ok(existsSync(out), 'nothing was written');
  const sdr10 = join(tmp.dir, 'sdr10.mp4');
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=s=64x48:r=10:d=0.3', '-pix_fmt', 'yuv420p10le', '-c:v', 'libx264', sdr10]);
  const info = await probeVideo(sdr10);
  assert.is(info.hdr, null);
  assert.is(info.pixelFormat, 'yuv420p10le');
  let frames = 0;
  for await (const f of decodeFrames(sdr10, { info })) {
    assert.is(f.data.length, 64 * 48 * 3);
    frames++;
  }
  assert.is(frames, 3);
});

for (const thread of [false, true]) {
  const fed = thread ? ' (fed from a thread)' : '';

  test(`an encode that fails leaves no file and no temp behind${fed}`, async () => {
    const dir = join(tmp.dir, `enc-fail-${thread}`);
    const out = join(dir, 'out.mp4');
    const w = await openVideoWriter({ out, width: 64, height: 64, fps: { num: 25, den: 1 }, preset: 'no-such-preset', thread });
    await rejects(
      (async () => {
        for (let i = 0; i < 50; i++) await w.write(new Uint8Array(64 * 64 * 3));
        await w.close();
      })(),
      /cannot encode video ".*out\.mp4"/,
    );
    await w.abort();
    assert.not.ok(existsSync(out), 'no output file');
    assert.equal(leftovers(dir), [], 'no temp files');
  });

  test(`a frame of the wrong size is refused, and abort leaves nothing${fed}`, async () => {
    const dir = join(tmp.dir, `enc-size-${thread}`);
    const out = join(dir, 'out.mp4');
    const w = await openVideoWriter({ out, width: 64, height: 48, fps: { num: 25, den: 1 }, thread });
    await w.write(new Uint8Array(64 * 48 * 3));
    await rejects(w.write(new Uint8Array(10)), /expected a 64x48 RGB frame \(9216 bytes\).*got 10 bytes/);
    await w.abort();
    assert.not.ok(existsSync(out));
    assert.equal(leftovers(dir), []);
  });

  test(`an existing output is untouched until the new one is complete${fed}`, async () => {
    const dir = join(tmp.dir, `enc-keep-${thread}`);
    const out = join(dir, 'out.mp4');
    const first = await openVideoWriter({ out, width: 64, height: 64, fps: { num: 25, den: 1 }, thread });
    for (let i = 0; i < 5; i++) await first.write(new Uint8Array(64 * 64 * 3).fill(200));
    await first.close();
    const before = (await probeVideo(out)).frameCount;
    const second = await openVideoWriter({ out, width: 64, height: 64, fps: { num: 25, den: 1 }, thread });
    for (let i = 0; i < 9; i++) await second.write(new Uint8Array(64 * 64 * 3));
    await second.abort();
    assert.is((await probeVideo(out)).frameCount, before, 'the old video is still there, whole');
    assert.equal(leftovers(dir), []);
  });
}

test('an interrupted run (SIGTERM) exits 130 and leaves neither the clip nor a temp file', async () => {
  const dir = join(tmp.dir, 'interrupted');
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/bin.js'), 'samples', '--out', dir, '--only', 'a'], { cwd: ROOT, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // wait until encoding has started (the temp video exists), then interrupt
  const t0 = Date.now();
  while (!(existsSync(dir) && readdirSync(dir).some((n) => n.endsWith('a.mp4')))) {
    if (Date.now() - t0 > 120_000) throw new Error('the samples command never started writing');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGTERM');
  assert.is(await exited, 130);
  assert.not.ok(existsSync(join(dir, 'a.mp4')), 'no half-written clip');
  assert.equal(leftovers(dir), [], 'temp files removed');
});

test.run();
