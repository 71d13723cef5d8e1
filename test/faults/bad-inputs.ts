/**
 * The fault suite's bad inputs: a table of cases, each a set-up that makes its inputs in a fresh
 * folder beside the user's own files (notes.txt, photo.jpg, plus any earlier Janus output the
 * case builds on), the real CLI's arguments, and what must happen. A truly bad input ends with
 * exit code 2, stderr naming the offending file, folder or option and a `fix:` hint, and no
 * stack trace; an input that is valid after all (one frame, odd size, rotated, VFR, odd names,
 * 4K...) ends with exit 0 and its output. Either way no file that was there before is lost
 * (sha256 of each compared; Janus's own `.janus/` bookkeeping may change).
 *
 *   const part = await runBadInputs();   // { passed, failures, lost }
 *   npx tsx test/faults/run.ts bad-inputs
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { acquireRunLock } from '../../src/dag/lock.ts';
import { ROOT, SAMPLE_A, SAMPLE_B, ffmpegSync, janus, requireSamples, tempDir, truncated, type CliResult } from '../helpers/fixtures.ts';
import { janusBookkeeping, lostFiles, snapshot, type FaultPart } from './lib.ts';

/** What a case must end with. */
type Expectation =
  /** Exit 2, stderr naming `names` (the file, folder or option at fault) and a `fix:` hint, no stack trace. */
  | { bad: true; names: string | RegExp | ((dir: string) => string); says?: RegExp }
  /** Valid after all: exit 0 and `output` (relative to the case folder) exists; `why` says why it is valid. */
  | { bad: false; output: string; why: string; says?: RegExp };

interface Ctx {
  /** The case's folder: holds the user's notes.txt and photo.jpg before the set-up runs. */
  dir: string;
  /** Clips and outputs every case may read (made once): not part of any case's snapshot. */
  shared: Shared;
  /** Run when the case is over (unmount, release a lock, end a process). */
  after(fn: () => void | Promise<void>): void;
}

interface Case {
  name: string;
  /** Make the inputs in ctx.dir; return the CLI args (and a folder to run in; default the project root), or a reason to skip the case. */
  setup(ctx: Ctx): Invocation | Promise<Invocation>;
  expect: Expectation;
  env?: NodeJS.ProcessEnv;
  /** Files the command may rightly change (relative to the case folder), besides `.janus/` bookkeeping. */
  mayChange?: (rel: string) => boolean;
}

interface Shared {
  dir: string;
  /** 1 s of samples/a.mp4 at 128x128, with audio. */
  clip: string;
  /** janus extract of clip and of the same from samples/b.mp4 (64-px faces). */
  facesA: string;
  facesB: string;
  /** janus train --preset tiny --iterations 1 on them. */
  model: string;
}

type Invocation = string[] | { args: string[]; cwd: string } | { skip: string };

const J = (...a: string[]) => a;

/** A short clip cut from samples/a.mp4 (or made by lavfi) with extra ffmpeg args. */
function clipOf(out: string, args: string[], src = SAMPLE_A): string {
  ffmpegSync(['-i', src, ...args, out]);
  return out;
}

function lavfi(out: string, source: string, args: string[] = []): string {
  ffmpegSync(['-f', 'lavfi', '-i', source, ...args, out]);
  return out;
}

/** A small pipeline of probe-video stages in the case folder. */
function pipeline(dir: string, name: string, body: string): string {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, body);
  return f;
}

const PROBE_PIPELINE = (video: string) => `name: probe
params: { video: ${JSON.stringify(video)} }
stages:
  - { name: probe, kind: probe-video, inputs: { video: "\${params.video}" }, outputs: { info: info.json } }
`;

/** Mount a tmpfs at dir (root only); null when that is not possible. */
function mountTmpfs(dir: string, options: string): string | null {
  if (process.getuid?.() !== 0) return null;
  mkdirSync(dir, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).status === 0 ? dir : null;
}

function extractArgs(video: string, out: string, ...more: string[]): string[] {
  return ['extract', video, '--out', out, '--detector', 'tiny', '--size', '64', ...more];
}

const TRAIN = ['--preset', 'tiny', '--batch-size', '2', '--quality-minutes', '0'];

const CASES: Case[] = [
  // ---- media: damaged or not a video ----
  {
    name: 'zero-byte video',
    setup: ({ dir }) => (writeFileSync(join(dir, 'empty.mp4'), ''), J('probe', join(dir, 'empty.mp4'))),
    expect: { bad: true, names: 'empty.mp4', says: /empty \(0 bytes\)/ },
  },
  {
    name: 'truncated MP4, index first (faststart): probes, decoding fails',
    setup: ({ dir, shared }) => {
      const whole = clipOf(join(dir, 'whole-faststart.mp4'), ['-t', '1', '-s', '128x128', '-movflags', '+faststart'], shared.clip);
      truncated(whole, join(dir, 'cut-faststart.mp4'), 0.5);
      rmSync(whole);
      return J('probe', '--count-frames', join(dir, 'cut-faststart.mp4'));
    },
    expect: { bad: true, names: 'cut-faststart.mp4' },
  },
  {
    name: 'truncated MP4, index last',
    setup: ({ dir, shared }) => {
      const whole = clipOf(join(dir, 'whole-indexlast.mp4'), ['-t', '1', '-c', 'copy'], shared.clip);
      truncated(whole, join(dir, 'cut-indexlast.mp4'), 0.6);
      rmSync(whole);
      return J('extract', join(dir, 'cut-indexlast.mp4'), '--out', join(dir, 'out'));
    },
    expect: { bad: true, names: 'cut-indexlast.mp4' },
  },
  {
    name: 'a text file named .mp4',
    setup: ({ dir }) => (writeFileSync(join(dir, 'notes.mp4'), 'my notes, not a video\n'.repeat(30)), J('extract', join(dir, 'notes.mp4'), '--out', join(dir, 'out'))),
    expect: { bad: true, names: 'notes.mp4' },
  },
  {
    name: 'audio only',
    setup: ({ dir, shared }) => (clipOf(join(dir, 'voice.m4a'), ['-vn', '-c:a', 'copy'], shared.clip), J('extract', join(dir, 'voice.m4a'), '--out', join(dir, 'out'))),
    expect: { bad: true, names: 'voice.m4a', says: /no video stream/ },
  },
  {
    name: 'HDR (PQ, BT.2020) video',
    setup: ({ dir }) => {
      lavfi(join(dir, 'hdr.mp4'), 'testsrc=s=64x48:r=10:d=0.3', ['-pix_fmt', 'yuv420p10le', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', '-c:v', 'libx264']);
      return extractArgs(join(dir, 'hdr.mp4'), join(dir, 'out'));
    },
    expect: { bad: true, names: 'hdr.mp4', says: /HDR/ },
  },
  {
    // extract records a video without faces (exit 0, "faces 0"); training on that is the mistake
    name: 'no face in any frame (training on its extraction)',
    setup: ({ dir, shared }) => {
      lavfi(join(dir, 'pattern.mp4'), 'testsrc=s=96x96:r=10:d=0.5', ['-pix_fmt', 'yuv420p']);
      must(janus(extractArgs(join(dir, 'pattern.mp4'), join(dir, 'pattern'))), 'extract of a video without faces');
      return J('train', '--a', join(dir, 'pattern'), '--b', shared.facesB, '--out', join(dir, 'model'), ...TRAIN, '--iterations', '1');
    },
    expect: { bad: true, names: 'pattern' },
  },
  {
    name: 'ffmpeg missing from PATH',
    setup: ({ shared }) => J('probe', shared.clip),
    env: { PATH: '/nonexistent-janus-bin', FFMPEG_PATH: '', FFPROBE_PATH: '' },
    expect: { bad: true, names: 'ffmpeg', says: /apt-get install -y ffmpeg/ },
  },
  // ---- media: valid after all ----
  {
    name: 'one frame',
    setup: ({ dir, shared }) => extractArgs(clipOf(join(dir, 'one.mp4'), ['-frames:v', '1', '-an'], shared.clip), join(dir, 'out')),
    expect: { bad: false, output: 'out/alignments.json', why: 'a one-frame video is a video' },
  },
  {
    name: 'odd size (97x75)',
    setup: ({ dir, shared }) => extractArgs(clipOf(join(dir, 'odd.mp4'), ['-t', '0.3', '-vf', 'scale=97:75', '-pix_fmt', 'yuv444p', '-c:v', 'libx264'], shared.clip), join(dir, 'out')),
    expect: { bad: false, output: 'out/alignments.json', why: 'any size decodes' },
  },
  {
    name: 'rotated (display matrix 90 degrees)',
    setup: ({ dir, shared }) => extractArgs(clipOf(join(dir, 'rotated.mp4'), ['-t', '0.2', '-c', 'copy', '-metadata:s:v', 'rotate=90'], shared.clip), join(dir, 'out')),
    expect: { bad: false, output: 'out/alignments.json', why: 'the rotation is applied when decoding' },
  },
  {
    name: 'variable frame rate',
    setup: ({ dir, shared }) =>
      extractArgs(clipOf(join(dir, 'vfr.mp4'), ['-t', '0.6', '-vf', "setpts='if(lt(N,5),N/25,0.2+(N-5)/10)/TB'", '-fps_mode', 'vfr', '-an'], shared.clip), join(dir, 'out')),
    expect: { bad: false, output: 'out/alignments.json', why: 'frames are read as they come' },
  },
  {
    name: '10-bit SDR video',
    setup: ({ dir, shared }) => extractArgs(clipOf(join(dir, 'ten-bit.mp4'), ['-t', '0.3', '-pix_fmt', 'yuv420p10le', '-c:v', 'libx264'], shared.clip), join(dir, 'out')),
    expect: { bad: false, output: 'out/alignments.json', why: '10-bit SDR decodes to 8-bit RGB' },
  },
  {
    name: 'a 4K clip (3 frames)',
    setup: ({ dir }) => extractArgs(clipOf(join(dir, 'uhd.mp4'), ['-frames:v', '3', '-vf', 'scale=3840:2160', '-an', '-preset', 'ultrafast']), join(dir, 'out')),
    expect: { bad: false, output: 'out/alignments.json', why: 'large frames are detected on a smaller copy' },
  },
  {
    name: 'names with spaces, quotes, $(...) and non-ASCII',
    setup: ({ dir, shared }) => {
      const video = clipOf(join(dir, `my clip 'q' "dq" $(touch pwned) café.mp4`), ['-t', '0.3', '-c', 'copy'], shared.clip);
      return extractArgs(video, join(dir, `out dir 'é' "x"`), '--min-blur', '0');
    },
    expect: { bad: false, output: `out dir 'é' "x"/alignments.json`, why: 'a path is one argument, quoted nowhere' },
  },
  {
    name: 'a file name with a leading dash, after --',
    setup: ({ dir, shared }) => {
      clipOf(join(dir, '-clip.mp4'), ['-t', '0.2', '-c', 'copy'], shared.clip);
      return { args: ['extract', '--out', join(dir, 'out'), '--detector', 'tiny', '--size', '64', '--', '-clip.mp4'], cwd: dir };
    },
    expect: { bad: false, output: 'out/alignments.json', why: 'after -- a name is a name, and ffmpeg must not read it as an option' },
  },
  {
    name: 'a file name with a leading dash, as an option',
    setup: ({ dir, shared }) => {
      copyFileSync(shared.clip, join(dir, '-clip.mp4'));
      return { args: ['probe', '-clip.mp4'], cwd: dir };
    },
    expect: { bad: true, names: '-clip.mp4', says: /\.\/-clip\.mp4|--/ },
  },
  // ---- extract options ----
  {
    name: 'a missing identity photo',
    setup: ({ dir, shared }) => extractArgs(shared.clip, join(dir, 'out'), '--identity', join(dir, 'nobody.jpg')),
    expect: { bad: true, names: 'nobody.jpg' },
  },
  {
    name: 'an identity photo with no face',
    setup: ({ dir, shared }) => (lavfi(join(dir, 'pattern.png'), 'testsrc=s=128x128', ['-frames:v', '1']), extractArgs(shared.clip, join(dir, 'out'), '--identity', join(dir, 'pattern.png'))),
    expect: { bad: true, names: 'pattern.png', says: /no face/i },
  },
  {
    name: 'a bad --backend',
    setup: ({ dir, shared }) => extractArgs(shared.clip, join(dir, 'out'), '--backend', 'gpu2'),
    expect: { bad: true, names: '--backend', says: /gpu2/ },
  },
  // ---- checkpoints and training ----
  {
    name: 'a corrupt checkpoint (convert: the only one is damaged)',
    setup: ({ dir, shared }) => {
      const model = copyModel(shared.model, join(dir, 'model'));
      const [ck] = readdirSync(join(model, 'checkpoints'));
      truncated(join(model, 'checkpoints', ck!, 'encoder', 'weights.bin'), join(dir, 'w.bin'), 0.3);
      cpSync(join(dir, 'w.bin'), join(model, 'checkpoints', ck!, 'encoder', 'weights.bin'));
      rmSync(join(dir, 'w.bin'));
      return J('convert', shared.clip, '--alignments', join(shared.facesA, 'alignments.json'), '--model', model, '--out', join(dir, 'swapped.mp4'));
    },
    expect: { bad: true, names: 'weights.bin', says: /checksum mismatch/ },
  },
  {
    name: 'a corrupt checkpoint (train resumes: skips it, says so, starts over)',
    setup: ({ dir, shared }) => {
      const model = copyModel(shared.model, join(dir, 'model'));
      const [ck] = readdirSync(join(model, 'checkpoints'));
      writeFileSync(join(model, 'checkpoints', ck!, 'state.json'), '{"iteration": 1, "arch": ');
      return J('train', '--a', shared.facesA, '--b', shared.facesB, '--out', model, ...TRAIN, '--iterations', '2');
    },
    // training writes its own model folder: its newer checkpoint may replace the damaged one
    mayChange: (rel) => rel.startsWith(`model${sep}`),
    expect: { bad: false, output: 'model/checkpoints/ckpt-000000002/MANIFEST.json', why: 'a damaged checkpoint is skipped, with a line naming it', says: /skipped checkpoint .*state\.json/ },
  },
  {
    name: 'a foreign checkpoint (a model folder another program wrote)',
    setup: ({ dir, shared }) => {
      const model = join(dir, 'model');
      mkdirSync(join(model, 'checkpoints', 'ckpt-000000001'), { recursive: true });
      writeFileSync(join(model, 'checkpoints', 'ckpt-000000001', 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: {} }));
      writeFileSync(join(model, 'model.safetensors'), 'not ours');
      return J('convert', shared.clip, '--alignments', join(shared.facesA, 'alignments.json'), '--model', model, '--out', join(dir, 'swapped.mp4'));
    },
    expect: { bad: true, names: 'model' },
  },
  {
    name: 'convert: an alignments file that does not exist',
    setup: ({ dir, shared }) => J('convert', shared.clip, '--alignments', join(dir, 'nope', 'alignments.json'), '--model', shared.model, '--out', join(dir, 'swapped.mp4')),
    expect: { bad: true, names: (dir) => join(dir, 'nope', 'alignments.json'), says: /cannot read alignments file/ },
  },
  {
    name: 'convert: a model folder that does not exist',
    setup: ({ dir, shared }) => J('convert', shared.clip, '--alignments', join(shared.facesA, 'alignments.json'), '--model', join(dir, 'none'), '--out', join(dir, 'swapped.mp4')),
    expect: { bad: true, names: (dir) => join(dir, 'none'), says: /model folder .* does not exist/ },
  },
  {
    name: 'convert: --out not a video file (.avi)',
    setup: ({ dir, shared }) => J('convert', shared.clip, '--alignments', join(shared.facesA, 'alignments.json'), '--model', shared.model, '--out', join(dir, 'swapped.avi')),
    expect: { bad: true, names: '--out', says: /a file name ending in \.mp4, \.mov or \.mkv, got .*swapped\.avi/ },
  },
  {
    name: 'a checkpoint of another architecture',
    setup: ({ dir, shared }) => J('train', '--a', shared.facesA, '--b', shared.facesB, '--out', copyModel(shared.model, join(dir, 'model')), ...TRAIN, '--upsample', 'pixelshuffle', '--iterations', '2'),
    expect: { bad: true, names: 'model', says: /another architecture/ },
  },
  {
    name: 'an injected NaN loss (JANUS_FAULT_NAN=2): back to the last checkpoint, learning rate halved, training finishes',
    setup: ({ dir, shared }) => J('train', '--a', shared.facesA, '--b', shared.facesB, '--out', join(dir, 'model'), ...TRAIN, '--iterations', '3', '--save-every', '1'),
    env: { JANUS_FAULT_NAN: '2' },
    expect: { bad: false, output: 'model/checkpoints/ckpt-000000003/MANIFEST.json', why: 'a NaN is recovered from', says: /NaN\/Inf at iteration 2[\s\S]*learning rate/ },
  },
  {
    name: 'a learning rate that makes the loss non-finite (1e30)',
    setup: ({ dir, shared }) => J('train', '--a', shared.facesA, '--b', shared.facesB, '--out', join(dir, 'model'), ...TRAIN, '--iterations', '2', '--learning-rate', '1e30'),
    expect: { bad: true, names: '--learning-rate', says: /NaN/ },
  },
  {
    name: 'a non-empty foreign --out',
    setup: ({ dir, shared }) => (mkdirSync(join(dir, 'mine')), writeFileSync(join(dir, 'mine', 'holiday.jpg'), 'mine'), extractArgs(shared.clip, join(dir, 'mine'))),
    expect: { bad: true, names: 'mine', says: /--force/ },
  },
  // ---- pipelines ----
  {
    name: 'malformed YAML',
    setup: ({ dir }) => J('run', pipeline(dir, 'broken', 'name: t\nstages:\n  - { name: p, kind: probe-video\n'), '--workdir', join(dir, 'run')),
    expect: { bad: true, names: 'broken.yaml', says: /line \d+/ },
  },
  {
    name: 'unknown key in the pipeline YAML',
    setup: ({ dir, shared }) => J('run', pipeline(dir, 'typo', PROBE_PIPELINE(shared.clip).replace('stages:', 'stagess: []\nstages:')), '--workdir', join(dir, 'run')),
    expect: { bad: true, names: 'typo.yaml', says: /stagess/ },
  },
  {
    name: 'a cycle',
    setup: ({ dir }) =>
      J('run', pipeline(dir, 'cycle', 'name: t\nstages:\n  - { name: p, kind: probe-video, inputs: { video: "@q.info" }, outputs: { info: a.json } }\n  - { name: q, kind: probe-video, inputs: { video: "@p.info" }, outputs: { info: b.json } }\n'), '--workdir', join(dir, 'run')),
    expect: { bad: true, names: 'cycle.yaml', says: /p -> q -> p/ },
  },
  {
    name: '--set of an unknown param',
    setup: ({ dir, shared }) => J('run', pipeline(dir, 'p', PROBE_PIPELINE(shared.clip)), '--workdir', join(dir, 'run'), '--set', 'vidoe=x.mp4'),
    expect: { bad: true, names: 'vidoe' },
  },
  {
    name: '--set of __proto__',
    setup: ({ dir, shared }) => J('run', pipeline(dir, 'p', PROBE_PIPELINE(shared.clip)), '--workdir', join(dir, 'run'), '--set', '__proto__.polluted=1'),
    expect: { bad: true, names: '__proto__' },
  },
  {
    name: 'a pipeline named ..',
    setup: ({ dir, shared }) => J('run', pipeline(dir, 'dots', PROBE_PIPELINE(shared.clip).replace('name: probe', 'name: ".."')), '--dry-run'),
    expect: { bad: true, names: 'dots.yaml', says: /\.\./ },
  },
  {
    name: 'an output path escaping the run folder',
    setup: ({ dir, shared }) => J('run', pipeline(dir, 'escape', PROBE_PIPELINE(shared.clip).replace('info.json', '../notes.txt')), '--workdir', join(dir, 'run')),
    expect: { bad: true, names: '../notes.txt' },
  },
  {
    name: 'a benchmark manifest row with a missing file',
    setup: ({ dir, shared }) => {
      writeFileSync(join(dir, 'videos.csv'), `video,identity\n${shared.clip},a\n${join(dir, 'gone.mp4')},b\n`);
      return J('benchmark', join(dir, 'videos.csv'), '--out', join(dir, 'bench'), '--detector', 'tiny', '--preset', 'tiny', '--iterations', '1');
    },
    expect: { bad: true, names: 'gone.mp4' },
  },
  {
    name: 'paths with spaces, quotes, $(...) and non-ASCII through --set and --workdir',
    setup: ({ dir, shared }) => {
      const video = join(dir, `clip "a" 'b' $(touch pwned) ünï.mp4`);
      copyFileSync(shared.clip, video);
      return J('run', pipeline(dir, 'p', PROBE_PIPELINE(shared.clip)), '--workdir', join(dir, `run 'x' "y" é`), '--set', `video=${video}`);
    },
    expect: { bad: false, output: `run 'x' "y" é/info.json`, why: 'interpolated paths stay one argument' },
  },
  // ---- the machine and other processes ----
  {
    name: 'a read-only folder',
    setup: ({ dir, shared, after }) => {
      const ro = join(dir, 'ro');
      if (mountTmpfs(ro, 'size=1m,ro')) after(() => void spawnSync('umount', [ro]));
      else {
        mkdirSync(ro);
        chmodSync(ro, 0o555);
        after(() => chmodSync(ro, 0o755));
      }
      return extractArgs(shared.clip, join(ro, 'out'));
    },
    expect: { bad: true, names: 'ro/out', says: /read-only|permission/ },
  },
  {
    name: 'a full disk (a 400 KB tmpfs)',
    setup: ({ dir, shared, after }) => {
      const disk = mountTmpfs(join(dir, 'disk'), 'size=400k');
      if (!disk) return { skip: 'mounting a small tmpfs needs root' };
      after(() => void spawnSync('umount', [disk]));
      return extractArgs(shared.clip, join(disk, 'out'));
    },
    // the first write to fail names its file: an image under the disk, or the run state database
    expect: { bad: true, names: /disk\/|\.janus\/state\.db/, says: /no space left|disk is full/ },
  },
  {
    name: 'a concurrent run (the run folder is locked by a live process)',
    setup: ({ dir, shared, after }) => {
      const lock = acquireRunLock(join(dir, 'run'), 'janus run (the other run)');
      after(() => lock.release());
      return J('run', pipeline(dir, 'p', PROBE_PIPELINE(shared.clip)), '--workdir', join(dir, 'run'));
    },
    expect: { bad: true, names: 'run', says: /the other run/ },
  },
  {
    name: 'status of a folder that is not a run folder',
    setup: ({ dir }) => J('status', '--workdir', dir),
    expect: { bad: true, names: (dir) => dir },
  },
  {
    name: 'verify of a folder that is not a run folder',
    setup: ({ dir }) => J('verify', dir),
    expect: { bad: true, names: (dir) => dir },
  },
  {
    name: 'verify --stage of a stage the run does not have',
    setup: ({ dir, shared }) => {
      must(janus(['run', pipeline(dir, 'p', PROBE_PIPELINE(shared.clip)), '--workdir', join(dir, 'run')]), 'the probe run');
      return J('verify', join(dir, 'run'), '--stage', 'nosuchstage');
    },
    expect: { bad: true, names: 'nosuchstage', says: /probe/ },
  },
  {
    name: 'verify --expect of a file that is not a reproduction kit',
    setup: ({ dir, shared }) => {
      must(janus(['run', pipeline(dir, 'p', PROBE_PIPELINE(shared.clip)), '--workdir', join(dir, 'run')]), 'the probe run');
      writeFileSync(join(dir, 'kit.json'), '{"schema": "something else"}');
      return J('verify', join(dir, 'run'), '--expect', join(dir, 'kit.json'));
    },
    expect: { bad: true, names: 'kit.json' },
  },
  {
    name: 'reproduce --out a folder of the user\'s',
    setup: ({ dir, shared }) => {
      must(janus(['run', pipeline(dir, 'p', PROBE_PIPELINE(shared.clip)), '--workdir', join(dir, 'run')]), 'the probe run');
      return J('reproduce', join(dir, 'run'), '--out', dir);
    },
    expect: { bad: true, names: (dir) => dir, says: /not a reproduction kit/ },
  },
  {
    name: 'run --queue of a URL that is not a Redis server\'s',
    setup: ({ dir, shared }) => J('run', pipeline(dir, 'p', PROBE_PIPELINE(shared.clip)), '--workdir', join(dir, 'run'), '--queue', 'http://127.0.0.1:6379'),
    expect: { bad: true, names: '--queue', says: /redis:\/\// },
  },
  {
    name: 'run --queue of a Redis server that does not answer',
    setup: ({ dir, shared }) => J('run', pipeline(dir, 'p', PROBE_PIPELINE(shared.clip)), '--workdir', join(dir, 'run'), '--queue', 'redis://127.0.0.1:1/0'),
    expect: { bad: true, names: 'redis://127.0.0.1:1/0', says: /does not answer/ },
  },
  {
    name: 'benchmark --queue of a Redis server that does not answer',
    setup: ({ dir, shared }) => {
      const rows = ['a', 'b', 'c', 'd'].map((who, i) => {
        const clip = join(dir, `${who}.mp4`);
        cpSync(shared.clip, clip);
        return `${clip},${who}${i}`;
      });
      writeFileSync(join(dir, 'videos.csv'), `video,identity\n${rows.join('\n')}\n`);
      return J('benchmark', join(dir, 'videos.csv'), '--out', join(dir, 'bench'), '--splits', '0.5,0,0.5', '--queue', 'redis://127.0.0.1:1/0');
    },
    expect: { bad: true, names: 'redis://127.0.0.1:1/0', says: /does not answer/ },
  },
  {
    name: 'benchmark --layout ffpp with one direction per pair',
    setup: ({ dir, shared }) => {
      const rows = ['a', 'b'].map((who) => {
        const clip = join(dir, `${who}.mp4`);
        cpSync(shared.clip, clip);
        return `${clip},${who}`;
      });
      writeFileSync(join(dir, 'videos.csv'), `video,identity\n${rows.join('\n')}\n`);
      return J('benchmark', join(dir, 'videos.csv'), '--out', join(dir, 'bench'), '--splits', '1,0,0', '--layout', 'ffpp', '--directions', 'one');
    },
    expect: { bad: true, names: '--directions', says: /a_b and b_a/ },
  },
  {
    name: 'benchmark --perturb-type that DeeperForensics does not have',
    setup: ({ dir, shared }) => {
      writeFileSync(join(dir, 'videos.csv'), `video,identity\n${shared.clip},a\n`);
      return J('benchmark', join(dir, 'videos.csv'), '--out', join(dir, 'bench'), '--perturb-type', 'GB', '--perturb-type', 'SNOW');
    },
    expect: { bad: true, names: '--perturb-type', says: /CS\|CC\|BW\|GNC\|GB\|JPEG\|VC/ },
  },
  {
    name: 'redis start listening on another machine\'s network without a password',
    setup: ({ dir }) => J('redis', 'start', '--bind', '127.0.0.1,10.231.0.1', '--dir', join(dir, 'redis')),
    env: { JANUS_REDIS_PASSWORD: '' },
    expect: { bad: true, names: '--bind', says: /without a password/ },
  },
  {
    name: 'worker --lock-seconds below 2',
    setup: () => J('worker', '--queue', 'redis://127.0.0.1:1/0', '--lock-seconds', '1'),
    expect: { bad: true, names: '--lock-seconds' },
  },
  {
    name: 'run --pin of a file that is not a run manifest',
    setup: ({ dir, shared }) => J('run', pipeline(dir, 'p', PROBE_PIPELINE(shared.clip)), '--workdir', join(dir, 'run'), '--pin', join(dir, 'notes.txt')),
    expect: { bad: true, names: 'notes.txt' },
  },
];

function copyModel(from: string, to: string): string {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  return to;
}

/** The shared clips and outputs (made once, a few seconds each). */
function makeShared(dir: string): Shared {
  const cut = (src: string, name: string) => clipOf(join(dir, name), ['-t', '1', '-vf', 'scale=128:128', '-c:v', 'libx264', '-c:a', 'aac'], src);
  const clip = cut(SAMPLE_A, 'a.mp4');
  const clipB = cut(SAMPLE_B, 'b.mp4');
  const shared: Shared = { dir, clip, facesA: join(dir, 'faces-a'), facesB: join(dir, 'faces-b'), model: join(dir, 'model') };
  for (const [video, out] of [[clip, shared.facesA], [clipB, shared.facesB]] as const) must(janus(extractArgs(video, out)), `extract ${video}`);
  must(janus(['train', '--a', shared.facesA, '--b', shared.facesB, '--out', shared.model, ...TRAIN, '--iterations', '1']), 'train');
  return shared;
}

function must(r: CliResult, what: string): void {
  if (r.code !== 0) throw new Error(`fault suite set-up: ${what} failed (exit ${r.code}): ${r.stderr.slice(-2000)}`);
}

const STACK = /^\s+at .+(:\d+:\d+\)?|\(node:)/m;

/** What is wrong with the result, or null when the case behaved. */
function judge(c: Case, r: CliResult, dir: string): string | null {
  const tail = () => JSON.stringify((r.stderr || r.stdout).trim().split('\n').slice(-4).join('\n'));
  if (STACK.test(r.stderr) || /internal error/.test(r.stderr)) return `a stack trace or internal error (exit ${r.code}): ${tail()}`;
  const e = c.expect;
  if (e.bad) {
    if (r.code !== 2) return `exit ${r.code}, expected 2: ${tail()}`;
    const names = typeof e.names === 'function' ? e.names(dir) : e.names;
    if (typeof names === 'string' ? !r.stderr.includes(names) : !names.test(r.stderr)) return `stderr does not name ${names instanceof RegExp ? names : JSON.stringify(names)}: ${tail()}`;
    if (!/fix: /.test(r.stderr)) return `no "fix:" hint: ${tail()}`;
  } else {
    if (r.code !== 0) return `exit ${r.code}, expected 0 (${e.why}): ${tail()}`;
    if (!existsSync(join(dir, e.output))) return `exit 0 but ${e.output} is missing`;
  }
  if (e.says && !e.says.test(r.stderr)) return `stderr does not say ${e.says}: ${tail()}`;
  return null;
}

/** Run the CLI as a user would, from `cwd` (default: the project root). */
function janusIn(args: string[], cwd: string | undefined, env: NodeJS.ProcessEnv): Promise<CliResult> {
  if (!cwd) return Promise.resolve(janus(args, env));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'src/cli/bin.js'), ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export async function runBadInputs(filter?: RegExp): Promise<FaultPart> {
  requireSamples();
  const part: FaultPart = { passed: 0, failures: [], lost: [] };
  const tmp = tempDir('faults');
  try {
    mkdirSync(join(tmp.dir, 'shared'));
    const shared = makeShared(join(tmp.dir, 'shared'));
    for (const [i, c] of CASES.entries()) {
      if (filter && !filter.test(c.name)) continue;
      const dir = join(tmp.dir, `janus-faults-${String(i).padStart(2, '0')}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'notes.txt'), 'my notes: do not lose them\n');
      copyFileSync(join(ROOT, 'node_modules/@vladmandic/face-api/demo/sample3.jpg'), join(dir, 'photo.jpg'));
      const afters: Array<() => void | Promise<void>> = [];
      const t0 = Date.now();
      try {
        const how = await c.setup({ dir, shared, after: (fn) => afters.push(fn) });
        if ('skip' in how) {
          process.stdout.write(`  skip ${c.name}: ${how.skip}\n`);
          continue;
        }
        const [args, cwd] = Array.isArray(how) ? [how, undefined] : [how.args, how.cwd];
        const skip = (rel: string) => rel.split(sep).some((_, k, parts) => janusBookkeeping(parts.slice(k).join(sep))) || (c.mayChange?.(rel) ?? false);
        const before = snapshot(dir, skip);
        const r = await janusIn(args, cwd, c.env ?? {});
        const wrong = judge(c, r, dir);
        const lost = lostFiles(before, dir, skip);
        if (existsSync(join(dir, 'pwned')) || existsSync(join(ROOT, 'pwned'))) part.failures.push(`${c.name}: a $(...) in a name was executed`);
        for (const l of lost) part.lost.push(`${c.name}: ${l}`);
        if (wrong) part.failures.push(`${c.name}: ${wrong}`);
        else if (!lost.length) part.passed++;
        process.stdout.write(`  ${wrong || lost.length ? 'FAIL' : 'ok  '} ${c.name} (exit ${r.code}, ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
      } catch (err) {
        part.failures.push(`${c.name}: the case's set-up failed: ${(err as Error).message}`);
      } finally {
        for (const fn of afters.reverse()) await fn();
      }
    }
  } finally {
    tmp.cleanup();
  }
  return part;
}

if (process.argv[1] === import.meta.filename) {
  const part = await runBadInputs(process.argv[2] ? new RegExp(process.argv[2]) : undefined);
  for (const f of part.failures) console.log(`FAIL ${f}`);
  for (const l of part.lost) console.log(`LOST ${l}`);
  console.log(`${part.passed} passed, ${part.failures.length} failed, ${part.lost.length} lost`);
}
