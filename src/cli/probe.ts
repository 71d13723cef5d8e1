/**
 * `janus probe VIDEO`: what Janus reads from a video (size, fps, frames, rotation, audio).
 *
 *   npx janus probe samples/a.mp4
 *   npx janus probe samples/a.mp4 --json
 *   npx janus probe samples/a.mp4 --count-frames     # decode all frames: exact count, completeness check
 */
import { decodeFrames } from '../media/decode.ts';
import { probeVideo, rationalValue } from '../media/probe.ts';
import type { ProbeOpts } from './commands.ts';

export async function run([file]: string[], opts: ProbeOpts): Promise<number> {
  const info = await probeVideo(file!);
  if (opts.countFrames) {
    let n = 0;
    for await (const _ of decodeFrames(file!, { info })) n++;
    info.frameCount = n;
    info.frameCountExact = true;
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    return 0;
  }
  const audio = info.audio.map((a) => `${a.codec} ${a.sampleRate} Hz ${a.channels} ch`).join('; ') || 'none';
  process.stdout.write(
    [
      `${info.file}`,
      `  size      ${info.width}x${info.height}${info.rotation ? ` (stored ${info.codedWidth}x${info.codedHeight}, rotated ${info.rotation}°)` : ''}`,
      `  fps       ${info.fps.num}/${info.fps.den} (${rationalValue(info.fps).toFixed(3)})${info.vfr ? ', resampled from variable' : ''}`,
      `  frames    ${info.frameCount}${info.frameCountExact ? '' : ' (estimated)'}`,
      `  duration  ${info.duration.toFixed(3)} s`,
      `  video     ${info.videoCodec} ${info.pixelFormat}`,
      `  audio     ${audio}`,
    ].join('\n') + '\n',
  );
  return 0;
}
