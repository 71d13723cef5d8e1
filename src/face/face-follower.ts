/**
 * Pass 1 of extraction over consecutive frames: the faces of each frame (detectFrame), with the
 * state that following needs carried from one frame to the next: the previous frame's faces
 * and its signature (a shot change between two frames makes the next one a detection frame).
 * A frame that does not follow the previous one starts afresh (a detection).
 *
 *   const follower = new FaceFollower(fa, cfg);
 *   for await (const frame of decodeFrames(video)) detections.push(await follower.next(frame));
 */
import type { ExtractConfig } from '../config/extract.ts';
import type { RgbImage } from '../util/geometry.ts';
import type { FrameDetections } from './detections-file.ts';
import { detectFrame } from './extract.ts';
import type { FaceApi } from './face-api.ts';
import { frameSignature, isShotChange } from './shot-change.ts';

export class FaceFollower {
  private previous: FrameDetections | null = null;
  private signature: Float32Array | null = null;

  constructor(
    private readonly fa: FaceApi,
    private readonly cfg: ExtractConfig,
  ) {}

  async next(frame: RgbImage & { index: number; time: number }): Promise<FrameDetections> {
    const follows = this.previous !== null && this.previous.index === frame.index - 1;
    const signature = frameSignature(frame);
    const cut = follows && this.signature !== null && isShotChange(this.signature, signature);
    const d = await detectFrame(this.fa, frame, this.cfg, follows ? this.previous!.faces : null, cut);
    this.previous = d;
    this.signature = signature;
    return d;
  }
}
