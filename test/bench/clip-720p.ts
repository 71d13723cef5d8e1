/**
 * The 720p clip the extraction and composite benches time: samples/a.mp4's first `frames`
 * frames, scaled to 720x720 and padded to 1280x720 (no audio).
 *
 *   const clip = clip720p(dir, 50);   // <dir>/720p.mp4
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function clip720p(dir: string, frames: number): string {
  const clip = join(dir, '720p.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-i', 'samples/a.mp4', '-frames:v', String(frames), '-vf', 'scale=720:720,pad=1280:720:280:0', '-c:v', 'libx264', '-preset', 'fast', '-an', clip]);
  return clip;
}
