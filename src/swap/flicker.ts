/**
 * Output flicker: how much the replaced face region changes from frame to frame in the output,
 * against how much it changes in the source. Per pair of consecutive frames, the mean absolute
 * difference of the RGB values (0-255) inside the replaced-pixel mask (weighted by the mask's
 * blend weight, the larger of the two frames' masks, so a face that pops in or out counts);
 * then the mean over pairs, for the output and for the source, and their ratio: 1.0 is as
 * stable as the source, above 1 the swapped face wobbles or shimmers more than the real one.
 *
 *   const meter = new FlickerMeter();
 *   for (…each frame…) meter.add(sourceFrame, outputFrame, maskFrame);
 *   meter.result()   // { output: 2.1, source: 1.9, ratio: 1.1, pairs: 124 }
 *   await videoFlicker('in.mp4', 'output.mp4', 'mask.mp4')   // the same, read from the videos
 */
import { decodeFrames } from '../media/decode.ts';

/** An image of any channel count (the mask's blend weight is its first channel). */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface FlickerResult {
  /** Mean over frame pairs of the output's mean absolute change inside the mask (0-255). */
  output: number;
  /** The same for the source frames, with the same weights. */
  source: number;
  /** output / source; null when the source does not change at all and the output does. */
  ratio: number | null;
  /** Frame pairs with a replaced pixel in either frame. */
  pairs: number;
}

export class FlickerMeter {
  private prev: { source: Pixels; output: Pixels; mask: Pixels } | null = null;
  private sumOut = 0;
  private sumSrc = 0;
  private pairs = 0;

  add(source: Pixels, output: Pixels, mask: Pixels): void {
    const { width, height } = source;
    if (output.width !== width || output.height !== height || mask.width !== width || mask.height !== height) {
      throw new Error(`flicker: expected frames of one size, got source ${width}x${height}, output ${output.width}x${output.height}, mask ${mask.width}x${mask.height}`);
    }
    const p = this.prev;
    this.prev = { source, output, mask };
    if (!p) return;
    const n = width * height;
    const mc = mask.data.length / n;
    const pc = p.mask.data.length / n;
    let wsum = 0;
    let dOut = 0;
    let dSrc = 0;
    for (let i = 0; i < n; i++) {
      const w = Math.max(mask.data[i * mc]!, p.mask.data[i * pc]!);
      if (!w) continue;
      wsum += w;
      let o = 0;
      let s = 0;
      for (let c = i * 3; c < i * 3 + 3; c++) {
        o += Math.abs(output.data[c]! - p.output.data[c]!);
        s += Math.abs(source.data[c]! - p.source.data[c]!);
      }
      dOut += w * o;
      dSrc += w * s;
    }
    if (!wsum) return;
    this.sumOut += dOut / (3 * wsum);
    this.sumSrc += dSrc / (3 * wsum);
    this.pairs++;
  }

  /** Null when no pair of frames had a replaced pixel. */
  result(): FlickerResult | null {
    if (!this.pairs) return null;
    const output = this.sumOut / this.pairs;
    const source = this.sumSrc / this.pairs;
    return { output, source, ratio: source > 0 ? output / source : output === 0 ? 1 : null, pairs: this.pairs };
  }
}

/** Flicker of a swapped video against its source, inside its replaced-pixel mask video. */
export async function videoFlicker(sourceVideo: string, outputVideo: string, maskVideo: string): Promise<FlickerResult | null> {
  const streams = [sourceVideo, outputVideo, maskVideo].map((v) => decodeFrames(v, { thread: true }));
  const meter = new FlickerMeter();
  try {
    for (;;) {
      const [s, o, m] = await Promise.all(streams.map((x) => x.next()));
      if (s!.done || o!.done || m!.done) break;
      meter.add(s!.value, o!.value, m!.value);
    }
  } finally {
    await Promise.all(streams.map((x) => x.return(undefined)));
  }
  return meter.result();
}
