/**
 * The FaceForensics++ compression ladder: the same video at `c0` (lossless, libx264rgb crf 0),
 * `c23` (libx264 crf 23, "high quality") and `c40` (libx264 crf 40, "low quality"), audio
 * copied (or AAC when MP4 cannot hold it), odd sizes padded for 4:2:0, container tags kept. Written atomically and deterministically (single-threaded x264,
 * no version strings), so a rerun gives the same bytes.
 *
 *   await compressVideo('fake/x.mp4', 'c23', 'c23/fake/x.mp4');
 *   LEVELS   // ['c0', 'c23', 'c40'] (src/config/benchmark.ts)
 */
import { LEVELS } from '../config/benchmark.ts';
import { withAtomicPath } from '../util/atomic-write.ts';
import { audioCodecFor, runFfmpeg } from './ffmpeg.ts';
import { probeAudio } from './probe.ts';

/** One level of the ladder (LEVELS, in order, is the benchmark schema's list). */
export type CompressionLevel = (typeof LEVELS)[number];

// yuv420p needs even sizes: an odd width or height is padded by one pixel (as the encoder does)
const EVEN = ['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2'];
const CODEC: Record<CompressionLevel, string[]> = {
  c0: ['-c:v', 'libx264rgb', '-crf', '0', '-preset', 'veryfast'],
  c23: [...EVEN, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '23', '-preset', 'medium'],
  c40: [...EVEN, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '40', '-preset', 'medium'],
};

export async function compressVideo(src: string, level: CompressionLevel, out: string): Promise<void> {
  const audio = (await probeAudio(src))[0];
  await withAtomicPath(out, async (tmp) => {
    const args = ['-v', 'error', '-nostdin', '-y', '-i', src, '-map', '0:v:0', ...(audio ? ['-map', '0:a:0', '-c:a', audioCodecFor(audio.codec, '.mp4')] : []), ...CODEC[level], '-threads', '1'];
    args.push('-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '0', '-movflags', '+faststart+use_metadata_tags', tmp);
    await runFfmpeg(args, `cannot compress "${src}" to ${level}`);
  });
}
