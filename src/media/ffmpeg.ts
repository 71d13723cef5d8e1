/**
 * Where ffmpeg and ffprobe are, and what version they are. Everything in `src/media/` gets its
 * binaries from here, so a missing ffmpeg is one clear error with the fix, never a spawn ENOENT.
 *
 *   const bin = requireFfmpeg();            // { ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe' }
 *   const v = await ffmpegVersion();        // '5.1.9-0+deb12u1'
 *
 * FFMPEG_PATH / FFPROBE_PATH override the PATH search (fluent-ffmpeg reads the same variables).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { UserError } from '../util/errors.ts';

export const FFMPEG_FIX = 'install it with `apt-get install -y ffmpeg` (Debian/Ubuntu; `make setup` does it when run as root), or set FFMPEG_PATH and FFPROBE_PATH';

/** Find an executable on PATH (or the given override); null when absent. */
export function which(name: string, override?: string): string | null {
  const candidates = override ? [override] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return null;
}

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
}

/** Locate ffmpeg and ffprobe or throw a UserError saying how to install them. */
export function requireFfmpeg(): FfmpegBinaries {
  const ff = which('ffmpeg', process.env.FFMPEG_PATH);
  const probe = which('ffprobe', process.env.FFPROBE_PATH);
  const missing = [ff ? null : 'ffmpeg', probe ? null : 'ffprobe'].filter(Boolean);
  if (!ff || !probe) {
    throw new UserError(`${missing.join(' and ')} not found (searched ${process.env.FFMPEG_PATH ? 'FFMPEG_PATH/FFPROBE_PATH' : 'PATH'})`, FFMPEG_FIX);
  }
  ffmpeg.setFfmpegPath(ff);
  ffmpeg.setFfprobePath(probe);
  return { ffmpeg: ff, ffprobe: probe };
}

/** The ffmpeg version string, e.g. `5.1.9-0+deb12u1`. */
export async function ffmpegVersion(): Promise<string> {
  const { ffmpeg: bin } = requireFfmpeg();
  const out = await new Promise<string>((resolve, reject) => {
    execFile(bin, ['-hide_banner', '-version'], (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
  const m = /ffmpeg version (\S+)/.exec(out);
  return m?.[1] ?? out.split('\n')[0] ?? 'unknown';
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
  const { ffmpeg: bin } = requireFfmpeg();
  await new Promise<void>((resolve, reject) => {
    execFile(bin, [...args], { maxBuffer: 1 << 24 }, (err, _stdout, stderr) => (err ? reject(new UserError(`${what}: ${stderrTail(stderr) || err.message}`, fix)) : resolve()));
  });
}
