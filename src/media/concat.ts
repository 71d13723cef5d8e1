/**
 * Join video segments (same codec and settings, e.g. written by `openVideoWriter`) into one
 * file without re-encoding, add the audio of a source video and container metadata tags. The
 * result appears at `out` only when ffmpeg succeeded (temp file, then rename).
 *
 *   await concatVideos({ segments: ['seg/000000.mp4', 'seg/000001.mp4'], out: 'runs/x/output.mp4', audioFrom: 'in.mp4', metadata: { comment: 'synthetic' } });
 *
 * `deterministic: true` gives the same bytes for the same segments (no version strings).
 */
import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { UserError } from '../util/errors.ts';
import { reserveTemp, withAtomicPath } from '../util/atomic-write.ts';
import { audioCodecFor, fileArg, runFfmpeg } from './ffmpeg.ts';
import { probeAudio } from './probe.ts';

export interface ConcatOptions {
  segments: readonly string[];
  out: string;
  /** Copy the first audio stream of this file (re-encoded to AAC when MP4 cannot hold it). */
  audioFrom?: string;
  metadata?: Record<string, string>;
  deterministic?: boolean;
}

export async function concatVideos(o: ConcatOptions): Promise<void> {
  if (!o.segments.length) throw new UserError(`no segments to join into "${o.out}"`);
  const ext = extname(o.out).toLowerCase();
  const audio = o.audioFrom ? (await probeAudio(o.audioFrom))[0] : undefined;
  // the list is itself a temp file (removed at exit, named like every Janus temp file)
  const listReservation = reserveTemp(`${o.out}.segments.txt`);
  const list = listReservation.tmp;
  await writeFile(list, o.segments.map((s) => `file '${resolve(s).replace(/'/g, "'\\''")}'\n`).join(''));
  await withAtomicPath(o.out, async (tmp) => {
    const args = ['-v', 'error', '-nostdin', '-y', '-f', 'concat', '-safe', '0', '-i', list];
    if (audio) args.push('-i', fileArg(o.audioFrom!));
    args.push('-map', '0:v:0', '-c:v', 'copy');
    // no -shortest: an audio track shorter than the video would cut the video's last frames (a
    // composite lost 4 of 10 frames so), and one longer would be cut where the real video's is not
    if (audio) args.push('-map', '1:a:0', '-c:a', audioCodecFor(audio.codec, ext));
    if (ext !== '.mkv') args.push('-movflags', '+faststart+use_metadata_tags');
    if (o.deterministic) args.push('-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '-1');
    for (const [k, v] of Object.entries(o.metadata ?? {})) args.push('-metadata', `${k}=${v}`);
    args.push(tmp);
    await runFfmpeg(args, `cannot join the segments into "${o.out}"`, 'check the free disk space; delete the segments folder to re-encode them');
  }).finally(() => listReservation.discard());
}
