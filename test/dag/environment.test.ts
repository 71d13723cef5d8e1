/**
 * The machine's failures are the user's to fix, not bugs: a full disk (a 400 KB tmpfs) stops
 * `janus extract` with exit code 2, naming the file, "no space left" and the fix; after the
 * disk grows, the same command finishes, resuming where it stopped. A read-only disk is refused
 * the same way. Needs root (mount); skipped with a line saying so otherwise.
 *
 * @tier e2e (extracts a clip through the CLI on a small tmpfs)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readAlignments } from '../../src/face/alignments-file.ts';
import { SAMPLE_A, ffmpegSync, janus, requireSamples, tempDir } from '../helpers/fixtures.ts';

const test = suite('dag/environment');
const tmp = tempDir('environment');
const mounts: string[] = [];

function mount(name: string, options: string): string | null {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  mounts.push(dir);
  return dir;
}

const canMount = process.getuid?.() === 0 && mount('probe', 'size=64k') !== null;
test.after(() => {
  for (const m of mounts.reverse()) spawnSync('umount', [m]);
  tmp.cleanup();
});

if (!canMount) {
  console.log('dag/environment: skipped: mounting a small tmpfs needs root (run the tests as root, as CI does)');
  test.skip('full and read-only disks', () => undefined);
} else {
  const clip = join(tmp.dir, 'clip.mp4');
  test.before(() => {
    requireSamples();
    ffmpegSync(['-i', SAMPLE_A, '-t', '0.6', '-c:v', 'libx264', '-c:a', 'copy', clip]);
  });

  test('a full disk: exit 2 naming the file, why and the fix; after freeing space the same command finishes, resuming', () => {
    const disk = mount('full', 'size=400k')!;
    const out = join(disk, 'extract');
    const r = janus(['extract', clip, '--out', out, '--detector', 'tiny']);
    assert.is(r.code, 2, r.stdout + r.stderr);
    // the first write to fail names its file; when that is the run state database, it says so
    assert.match(r.stderr, new RegExp(`janus: (cannot \\w[\\w ]* "${disk}/[^"]+": no space left on the device \\(ENOSPC\\)|.*the run state database \\(\\.janus/state\\.db in the run folder\\) could not grow: the disk is full \\(SQLITE_FULL\\))`));
    assert.match(r.stderr, /fix: free some space .* and rerun: finished work is kept and not redone/);
    assert.not.match(r.stderr, /internal error/);
    assert.ok(spawnSync('mount', ['-o', 'remount,size=64m', disk]).status === 0, 'remount');
    const again = janus(['extract', clip, '--out', out, '--detector', 'tiny']);
    assert.is(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stderr, /resuming at item [1-9]\d*\//, 'finished items were not redone');
    const total = Number(/extract: \d+\/(\d+) items/.exec(again.stderr)![1]);
    assert.ok(total >= 15, `a 0.6-s clip at 25 fps has ${total} frames`);
    assert.is(readAlignments(join(out, 'alignments.json')).frames.length, total, 'every frame of the clip');
  });

  test('a read-only disk: exit 2 naming the folder, why and the fix', () => {
    const disk = mount('readonly', 'size=1m,ro')!;
    const r = janus(['extract', clip, '--out', join(disk, 'extract')]);
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`janus: cannot create the folder "${disk}/extract[^"]*": the file system is read-only \\(EROFS\\)`));
    assert.match(r.stderr, /fix: choose a folder on a writable disk/);
  });
}

test.run();
