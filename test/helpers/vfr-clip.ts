/**
 * A variable-frame-rate test clip whose frames show their own number, and the tools to read a
 * video's frame times and numbers back (for measuring drift).
 *
 *   const src = makeVfrClip(join(dir, 'vfr.mp4'));   // 100 frames over 4.7 s, jitter, a gap, held frames; AAC beeps
 *   frameNumbers(out)   // [0, 0, 1, 2, ...]: the number each decoded frame shows
 *   frameTimes(out)     // [0, 0.04, 0.08, ...]: when each is shown
 */
import { execFileSync } from 'node:child_process';
import { ffmpegSync } from './fixtures.ts';

export const W = 64;
export const H = 16;
const BITS = 8;

/**
 * Timestamps (ms) of source frame N: 40 frames at 25 fps with ±8 ms jitter (48, 32, 48, ...),
 * a 0.5 s gap, 30 regular frames, then 30 frames of which every fifth is held twice as long.
 */
const PTS_MS = 'if(lt(N\\,40)\\,N*40+8*mod(N\\,2)\\,if(lt(N\\,70)\\,N*40+500\\,N*40+500+floor((N-70)/5)*40))';

/** Write the VFR clip: 100 numbered frames over 4.7 s, AAC beeps for as long. */
export function makeVfrClip(out: string): string {
  const number = `geq=lum='if(mod(floor(N/pow(2\\,floor(X/8)))\\,2)\\,235\\,16)':cb=128:cr=128`;
  ffmpegSync([
    ...['-f', 'lavfi', '-i', `color=c=black:s=${W}x${H}:r=25:d=4`],
    ...['-f', 'lavfi', '-i', 'sine=f=440:b=4:d=4.7'],
    ...['-vf', `${number},settb=1/1000,setpts='${PTS_MS}/1000/TB'`],
    ...['-fps_mode', 'vfr', '-enc_time_base', '1/1000', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', out],
  ]);
  return out;
}

/** Presentation times (s) of a file's video frames, in order, as a player shows them. */
export function frameTimes(file: string): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=best_effort_timestamp_time', '-of', 'json', file], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return (JSON.parse(out) as { frames: Array<{ best_effort_timestamp_time: string }> }).frames.map((f) => Number(f.best_effort_timestamp_time));
}

/** The number each frame of a file shows (read from its blocks), in order, every frame once. */
export function frameNumbers(file: string): number[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v:0', '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 1 << 26 });
  const numbers: number[] = [];
  for (let off = 0; off + W * H <= raw.length; off += W * H) {
    let n = 0;
    for (let b = 0; b < BITS; b++) if (raw[off + (H / 2) * W + b * 8 + 4]! > 128) n += 2 ** b;
    numbers.push(n);
  }
  return numbers;
}
