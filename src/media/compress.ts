/**
 * The FaceForensics++ compression ladder: the same video at `c0` (lossless, libx264rgb crf 0),
 * `c23` (libx264 crf 23, "high quality") and `c40` (libx264 crf 40, "low quality"), audio
 * copied (or AAC when MP4 cannot hold it), container tags kept. Written atomically and
 * deterministically (single-threaded x264, no version strings), so a rerun gives the same bytes.
 *
 * A real video and its fakes must not differ in anything but the face (a detector would learn
 * the difference): every rung pads an odd width or height to even (as Janus's encoder pads the
 * fakes, which 4:2:0 needs), signals square pixels, names its pixel format and times its frames
 * at the stated rate snapped to a common one, so at each rung both have the same size, frame
 * rate and timing, pixel format and codec settings, whatever the real source's format. A
 * variable-frame-rate real is resampled to the constant rate its fakes were decoded and written
 * at (vfr.ts), not to whatever rate ffmpeg would guess for it.
 *
 *   await compressVideo('fake/x.mp4', 'c23', 'c23/fake/x.mp4');
 *   LEVELS   // ['c0', 'c23', 'c40'] (src/config/benchmark.ts)
 */
import { LEVELS } from '../config/benchmark.ts';
import { withAtomicPath } from '../util/atomic-write.ts';
import { audioCodecFor, fileArg, runFfmpeg } from './ffmpeg.ts';
import { probeVideo, rationalValue, type Rational } from './probe.ts';
import { decodeFilters, snapRate } from './vfr.ts';

/** One level of the ladder (LEVELS, in order, is the benchmark schema's list). */
export type CompressionLevel = (typeof LEVELS)[number];

// an odd width or height is padded by one pixel at every rung, as the fakes' encoder does (yuv420p
// needs it); square pixels signalled alike (a real source's own aspect ratio flag would set it apart from its fakes, made from raw frames)
const EVEN = 'pad=ceil(iw/2)*2:ceil(ih/2)*2,setsar=1';
const CODEC: Record<CompressionLevel, string[]> = {
  c0: ['-c:v', 'libx264rgb', '-pix_fmt', 'rgb24', '-crf', '0', '-preset', 'veryfast'],
  c23: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '23', '-preset', 'medium'],
  c40: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '40', '-preset', 'medium'],
};

/**
 * The constant rate every rung is timed at: the stated one snapped to a common rate (a phone's
 * 29.97 fps stored in 1/600 s ticks reads 18000/601 over a short clip), so that a real video and
 * its fakes, written at whatever rate their probe read, come out with the same timing fields; a
 * VFR video's resampling rate is snapped already.
 */
export function rungRate(info: { fps: Rational; vfr?: boolean }): Rational {
  return info.vfr ? info.fps : snapRate(rationalValue(info.fps));
}

/**
 * `strip`: drop every container and stream tag of the source (GPS location, device, creation
 * time, names: a real person's video going into a dataset) and write `tags` instead; otherwise
 * the source's tags are kept (a fake's synthetic mark) and `tags` added.
 */
export async function compressVideo(src: string, level: CompressionLevel, out: string, opts: { strip?: boolean; tags?: Record<string, string> } = {}): Promise<void> {
  const info = await probeVideo(src);
  const audio = info.audio[0];
  const rate = rungRate(info);
  const filters = [...decodeFilters(info), `setpts=N/(${rate.num}/${rate.den})/TB`, EVEN].join(',');
  const metadata = opts.strip ? ['-map_metadata', '-1', '-map_metadata:s:v', '-1', '-map_metadata:s:a', '-1', '-map_chapters', '-1'] : ['-map_metadata', '0'];
  const tags = Object.entries(opts.tags ?? {}).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
  await withAtomicPath(out, async (tmp) => {
    const args = ['-v', 'error', '-nostdin', '-y', '-i', fileArg(src), '-map', '0:v:0', ...(audio ? ['-map', '0:a:0', '-c:a', audioCodecFor(audio.codec, '.mp4')] : []), '-vf', filters, '-r', `${rate.num}/${rate.den}`, ...CODEC[level], '-threads', '1'];
    args.push('-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', ...metadata, ...tags, '-movflags', '+faststart+use_metadata_tags', tmp);
    await runFfmpeg(args, `cannot compress "${src}" to ${level}`);
  });
}
