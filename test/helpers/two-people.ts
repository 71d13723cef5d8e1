/**
 * A clip of two sample people who alternate and share the frame, made from face-api's photos
 * like the sample clips (same camera motion, `renderShot`): 320x160, 25 fps, 50 frames. Each
 * person is a 160x160 panel; alone, a person stands in the middle (grey either side); together,
 * A on the left and B on the right. Cuts fall between detection frames.
 *
 *   frames  0-9   A alone        10-19  A | B        20-27  B alone
 *          28-37  A | B          38-49  A alone                   (A in 42 frames, B in 28)
 *
 *   const segs = await makeTwoPeopleClip('a', 'b', 'tmp/ab.mp4');
 *   segs.framesOf.a   // Set of the frame indices showing A
 */
import { join } from 'node:path';
import { SAMPLE_IDENTITIES, type SampleName } from '../../src/config/samples.ts';
import { faceApiDemoDir } from '../../src/face/package-files.ts';
import { openVideoWriter } from '../../src/media/encode.ts';
import { createImage, readImage } from '../../src/media/image.ts';
import { renderShot, shotAt } from '../../src/samples/make-sample.ts';
import type { RgbImage } from '../../src/util/geometry.ts';

export const TWO_PEOPLE_LAYOUT: ReadonlyArray<{ from: number; to: number; show: 'a' | 'b' | 'ab' }> = [
  { from: 0, to: 9, show: 'a' },
  { from: 10, to: 19, show: 'ab' },
  { from: 20, to: 27, show: 'b' },
  { from: 28, to: 37, show: 'ab' },
  { from: 38, to: 49, show: 'a' },
];

const PANEL = 160;

function paste(dst: RgbImage, src: RgbImage, x0: number): void {
  for (let y = 0; y < src.height; y++) dst.data.set(src.data.subarray(y * src.width * 3, (y + 1) * src.width * 3), (y * dst.width + x0) * 3);
}

export async function makeTwoPeopleClip(a: SampleName, b: SampleName, out: string): Promise<{ frames: number; framesOf: { a: Set<number>; b: Set<number> } }> {
  const photos = { a: await readImage(join(faceApiDemoDir(), SAMPLE_IDENTITIES[a].photo)), b: await readImage(join(faceApiDemoDir(), SAMPLE_IDENTITIES[b].photo)) };
  const frames = TWO_PEOPLE_LAYOUT[TWO_PEOPLE_LAYOUT.length - 1]!.to + 1;
  const seconds = frames / 25;
  const framesOf = { a: new Set<number>(), b: new Set<number>() };
  const writer = await openVideoWriter({ out, width: 2 * PANEL, height: PANEL, fps: { num: 25, den: 1 }, crf: 18, deterministic: true });
  try {
    for (let i = 0; i < frames; i++) {
      const show = TWO_PEOPLE_LAYOUT.find((s) => i >= s.from && i <= s.to)!.show;
      const img = createImage(2 * PANEL, PANEL, 128);
      const panel = (who: 'a' | 'b') => renderShot(photos[who], shotAt(who === 'a' ? a : b, i / 25, seconds), PANEL);
      if (show === 'ab') {
        paste(img, panel('a'), 0);
        paste(img, panel('b'), PANEL);
        framesOf.a.add(i);
        framesOf.b.add(i);
      } else {
        paste(img, panel(show), PANEL / 2);
        framesOf[show].add(i);
      }
      await writer.write(img.data);
    }
    await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  return { frames, framesOf };
}
