/**
 * The 720p clip the extraction, composite and memory benches time: samples/a.mp4 (looped when
 * more frames are asked for than its 125), scaled to 720x720 and padded to 1280x720 (no audio).
 *
 *   const clip = clip720p(dir, 50);                 // <dir>/720p.mp4
 *   const long = clip720p(dir, 15000, 'long');      // 10 minutes at 25 fps: <dir>/long.mp4
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function clip720p(dir: string, frames: number, name = '720p'): string {
  const clip = join(dir, `${name}.mp4`);
  execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '-1', '-i', 'samples/a.mp4', '-frames:v', String(frames), '-vf', 'scale=720:720,pad=1280:720:280:0', '-c:v', 'libx264', '-preset', frames > 1000 ? 'veryfast' : 'fast', '-an', clip]);
  return clip;
}
