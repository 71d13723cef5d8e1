/**
 * Where an executable is, and the version of an ffmpeg binary asked once per binary and
 * process: `ffmpeg -version` takes about a third of a second to start (its shared libraries),
 * and both the ffmpeg check (media/ffmpeg.ts) and every run manifest (environment.ts) want it.
 * Asked asynchronously first (`learnFfmpegVersion`), the wait overlaps whatever else a command
 * starts with; the synchronous read then comes from the cache.
 *
 *   which('ffmpeg', process.env.FFMPEG_PATH)        // '/usr/bin/ffmpeg' or null
 *   await learnFfmpegVersion('/usr/bin/ffmpeg');     // runs it once, without blocking
 *   ffmpegVersionOf('/usr/bin/ffmpeg')               // '5.1.9-0+deb12u1' (runs it, blocking, if not asked yet)
 */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

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

/** `5.1.9-0+deb12u1` from the text of `ffmpeg -version`. */
export function ffmpegVersionIn(out: string): string {
  const m = /ffmpeg version (\S+)/.exec(out);
  return m?.[1] ?? out.split('\n')[0] ?? 'unknown';
}

/** What `bin -version` gave: its version, or the error it failed with. */
type Answer = { version: string } | { error: Error };
const answers = new Map<string, Answer>();
const pending = new Map<string, Promise<Answer>>();

/** Keep an answer: a version, or a failure that will not pass (no such file, not executable); a passing one (out of processes, memory) is asked again next time. */
function remember(bin: string, a: Answer): void {
  if (answers.has(bin)) return; // the first answer stands (a synchronous ask may have run beside an asynchronous one)
  const code = 'error' in a ? (a.error as NodeJS.ErrnoException).code : undefined;
  if (!('error' in a) || code === 'ENOENT' || code === 'EACCES' || typeof code !== 'string') answers.set(bin, a);
}

const ARGS = ['-hide_banner', '-version'];

/** Runs `bin -version` without blocking (once per binary and process; concurrent callers share the run). */
export function learnFfmpegVersion(bin: string): Promise<void> {
  if (answers.has(bin)) return Promise.resolve();
  let p = pending.get(bin);
  if (!p) {
    p = new Promise<Answer>((resolve) => {
      execFile(bin, ARGS, { encoding: 'utf8' }, (err, stdout) => resolve(err ? { error: err } : { version: ffmpegVersionIn(stdout) }));
    }).then((a) => {
      remember(bin, a);
      pending.delete(bin);
      return a;
    });
    pending.set(bin, p);
  }
  return p.then(() => undefined);
}

/** The version of the ffmpeg (or ffprobe) at `bin`, from the cache or by running it (blocking); throws what running it threw. */
export function ffmpegVersionOf(bin: string): string {
  let a = answers.get(bin);
  if (!a) {
    try {
      a = { version: ffmpegVersionIn(execFileSync(bin, ARGS, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) };
    } catch (err) {
      a = { error: err as Error };
    }
    remember(bin, a);
  }
  if ('error' in a) throw a.error;
  return a.version;
}
