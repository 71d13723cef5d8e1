/**
 * Where ffmpeg and ffprobe are, and what version they are. Everything in `src/media/` gets its
 * binaries from here, so a missing ffmpeg is one clear error with the fix, never a spawn ENOENT.
 *
 *   const bin = requireFfmpeg();            // { ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe' }
 *   await readyFfmpeg();                    // the same, its version asked without blocking
 *   const v = await ffmpegVersion();        // '5.1.9-0+deb12u1'
 *
 * Janus needs ffmpeg 5.1 or newer (the filters and options it passes); requireFfmpeg checks the
 * version once per process, so an older one is refused up front with the fix, not halfway
 * through a run with ffmpeg's own words. Builds from git (`N-…`) name no release and pass.
 *
 * FFMPEG_PATH / FFPROBE_PATH override the PATH search (fluent-ffmpeg reads the same variables).
 *
 * Every ffmpeg and ffprobe a run starts (here, through fluent-ffmpeg, in probe.ts) runs under
 * `ffmpeg-watchdog.sh`, which kills it when the janus process that started it is gone, SIGKILL
 * included: no ffmpeg outlives its run (the next run removes the temp files it left).
 *
 *   execFile(watched(ffprobe).file, args, { env: watched(ffprobe).env }, callback);
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ffmpeg from 'fluent-ffmpeg';
import { ffmpegVersionOf, learnFfmpegVersion, which } from '../util/ffmpeg-version.ts';
import { UserError } from '../util/errors.ts';

export const FFMPEG_FIX = 'install it with `apt-get install -y ffmpeg` (Debian/Ubuntu; `make setup` does it when run as root), or set FFMPEG_PATH and FFPROBE_PATH';

/**
 * A path as ffmpeg and ffprobe must be given it: a relative name that starts with `-` (a user's
 * `-clip.mp4`) would read as an option, so it becomes `./-clip.mp4`; every other path is as is.
 */
export function fileArg(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
}

/** The oldest ffmpeg release Janus runs with, [major, minor]. */
export const MIN_FFMPEG: readonly [number, number] = [5, 1];

/** [major, minor] of a version string such as `5.1.9-0+deb12u1` or `n6.1`; null for git builds (`N-…`) and anything else. */
export function releaseOf(version: string): [number, number] | null {
  const m = /^n?(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** Why `version` is too old for Janus, or null when it is new enough (or names no release). */
export function ffmpegTooOld(version: string): string | null {
  const r = releaseOf(version);
  if (!r) return null;
  const [major, minor] = MIN_FFMPEG;
  return r[0] > major || (r[0] === major && r[1] >= minor) ? null : `ffmpeg ${version} is too old: Janus needs ${major}.${minor} or newer`;
}

/** Refuse an ffmpeg older than MIN_FFMPEG (its version asked once per binary and process: util/ffmpeg-version.ts). */
function checkVersion(bin: string): void {
  const problem = ffmpegTooOld(ffmpegVersionOf(bin));
  if (problem) throw new UserError(`${problem} (${bin})`, `install ffmpeg ${MIN_FFMPEG.join('.')} or newer (Debian 12 and Ubuntu 23.04 ship it; or a static build from ffmpeg.org) and put it first on PATH, or set FFMPEG_PATH and FFPROBE_PATH`);
}

/**
 * requireFfmpeg without blocking: ffmpeg's version is asked asynchronously (a third of a second
 * that other start-up work, such as loading models, can use), then the check is requireFfmpeg's.
 */
export async function readyFfmpeg(): Promise<FfmpegBinaries> {
  const ff = which('ffmpeg', process.env.FFMPEG_PATH);
  if (ff) await learnFfmpegVersion(ff);
  return requireFfmpeg();
}

/** Locate ffmpeg and ffprobe (ffmpeg 5.1 or newer) or throw a UserError saying how to install them. */
export function requireFfmpeg(): FfmpegBinaries {
  const ff = which('ffmpeg', process.env.FFMPEG_PATH);
  const probe = which('ffprobe', process.env.FFPROBE_PATH);
  const missing = [ff ? null : 'ffmpeg', probe ? null : 'ffprobe'].filter(Boolean);
  if (!ff || !probe) {
    throw new UserError(`${missing.join(' and ')} not found (searched ${process.env.FFMPEG_PATH ? 'FFMPEG_PATH/FFPROBE_PATH' : 'PATH'})`, FFMPEG_FIX);
  }
  checkVersion(ff);
  // fluent-ffmpeg runs the watchdog, which runs the ffmpeg it names in JANUS_WATCHED
  const w = watched(ff);
  if (w.file !== ff) process.env.JANUS_WATCHED = ff;
  ffmpeg.setFfmpegPath(w.file);
  ffmpeg.setFfprobePath(probe);
  return { ffmpeg: ff, ffprobe: probe };
}

const WATCHDOG = fileURLToPath(new URL('./ffmpeg-watchdog.sh', import.meta.url));
let watchdogUsable: boolean | undefined;

/**
 * How to start `bin` (ffmpeg or ffprobe) so that it dies with this process: the watchdog script
 * and the environment naming `bin` to it. Where there is no POSIX shell (Windows) or the script
 * is not executable, `bin` itself.
 */
export function watched(bin: string): { file: string; env: NodeJS.ProcessEnv } {
  if (watchdogUsable === undefined) {
    try {
      accessSync(WATCHDOG, constants.X_OK);
      watchdogUsable = process.platform !== 'win32';
    } catch {
      watchdogUsable = false;
    }
  }
  return watchdogUsable ? { file: WATCHDOG, env: { ...process.env, JANUS_WATCHED: bin } } : { file: bin, env: process.env };
}

/** SIGKILL a process (an ffmpeg whose feeding or reading thread died) that may be gone already. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** The ffmpeg version string, e.g. `5.1.9-0+deb12u1`. */
export async function ffmpegVersion(): Promise<string> {
  const { ffmpeg: bin } = await readyFfmpeg();
  return ffmpegVersionOf(bin);
}

/** The last meaningful lines of an ffmpeg stderr, for error messages. */
export function stderrTail(stderr: string, lines = 3): string {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(frame=|size=|video:|\s*Stream mapping|Press \[q\])/.test(l))
    .slice(-lines)
    .join(' | ');
}

/** Audio codecs an MP4 (or MOV) holds as they are; anything else is re-encoded to AAC. */
const MP4_AUDIO = new Set(['aac', 'mp3', 'opus', 'alac', 'ac3', 'eac3']);

/** The audio codec argument for copying a stream of `codec` into a file of extension `ext`. */
export function audioCodecFor(codec: string, ext: string): 'copy' | 'aac' {
  return ext.toLowerCase() === '.mkv' || MP4_AUDIO.has(codec) ? 'copy' : 'aac';
}

/** Run ffmpeg to completion; a failure is a UserError starting with `what`, ending with ffmpeg's own words. */
export async function runFfmpeg(args: readonly string[], what: string, fix?: string): Promise<void> {
  const w = watched(requireFfmpeg().ffmpeg);
  await new Promise<void>((resolve, reject) => {
    execFile(w.file, [...args], { maxBuffer: 1 << 24, env: w.env }, (err, _stdout, stderr) => (err ? reject(new UserError(`${what}: ${stderrTail(stderr) || err.message}`, fix)) : resolve()));
  });
}
