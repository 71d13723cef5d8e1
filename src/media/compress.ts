/**
 * The FaceForensics++ compression ladder: the same video at `c0` (lossless, libx264rgb crf 0),
 * `c23` (libx264 crf 23, "high quality") and `c40` (libx264 crf 40, "low quality"), audio
 * copied, container tags kept. Written atomically and deterministically (single-threaded x264,
 * no version strings), so a rerun gives the same bytes.
 *
 *   await compressVideo('fake/x.mp4', 'c23', 'c23/fake/x.mp4');
 *   LADDER   // ['c0', 'c23', 'c40']
 */
import { execFile } from 'node:child_process';
import { UserError } from '../util/errors.ts';
import { withAtomicPath } from './atomic-write.ts';
import { requireFfmpeg, stderrTail } from './ffmpeg.ts';

export const LADDER = ['c0', 'c23', 'c40'] as const;
export type CompressionLevel = (typeof LADDER)[number];

const CODEC: Record<CompressionLevel, string[]> = {
  c0: ['-c:v', 'libx264rgb', '-crf', '0', '-preset', 'veryfast'],
  c23: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '23', '-preset', 'medium'],
  c40: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '40', '-preset', 'medium'],
};

export async function compressVideo(src: string, level: CompressionLevel, out: string): Promise<void> {
  const { ffmpeg } = requireFfmpeg();
  await withAtomicPath(out, async (tmp) => {
    const args = ['-v', 'error', '-nostdin', '-y', '-i', src, '-map', '0:v:0', '-map', '0:a?', ...CODEC[level], '-c:a', 'copy', '-threads', '1'];
    args.push('-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '0', '-movflags', '+faststart+use_metadata_tags', tmp);
    await new Promise<void>((res, rej) =>
      execFile(ffmpeg, args, { maxBuffer: 1 << 24 }, (err, _o, stderr) => (err ? rej(new UserError(`cannot compress "${src}" to ${level}: ${stderrTail(stderr) || err.message}`, 'check the free disk space')) : res())),
    );
  });
}
