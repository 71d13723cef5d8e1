/**
 * The composite stage's per-frame loop, overlapped: the next frame's faces are read (PNG
 * decodes off the main thread) while this frame is composited, and this frame's writes drain
 * into the encoders (their own processes) while the next one is composited. The stage runs it
 * per segment; `make bench` times it as it is.
 *
 *   const { frames, swapped } = await compositeFrames({ frames: decoder, first: 0, end: 100, facesOf, swap, video, mask, comparison: null });
 */
import type { Frame } from '../media/decode.ts';
import type { VideoWriter } from '../media/encode.ts';
import { compositeFaces, readFaces, sideBySide, type FrameSwap } from './composite-frame.ts';
import type { KeptFace } from './kept-faces.ts';
import { settledAll } from '../util/settled-all.ts';

export interface CompositeFramesOptions {
  /**
   * The decoder, positioned at `first`. A frame's pixels go to the writers before the next frame is asked for,
   * but a write is awaited only after that: from a recycling decoder (`decodeFrames`' `recycle`),
   * the writers must copy what they are given at once (the threaded writers do; the main-thread
   * one keeps the Buffer).
   */
  frames: AsyncIterator<Frame>;
  /** Frames first .. end - 1 (fewer when the decoder ends sooner: a container over-counted its frames). */
  first: number;
  end: number;
  /** The faces to swap into a frame (none: the frame passes through). */
  facesOf(index: number): readonly KeptFace[];
  swap: FrameSwap;
  /** The swapped frames (RGB), the replaced-pixel mask (grey) and the side-by-side (RGB, twice as wide) when given. */
  video: VideoWriter;
  mask: VideoWriter;
  comparison?: VideoWriter | null;
  /** Checked before each frame: aborted, the loop throws. */
  signal?: AbortSignal;
  /** Checked before each frame: true, the loop ends there (the frames before it written). */
  stop?: () => boolean;
}

/** Composite and write frames first .. end - 1; returns how many were written, those with a face swapped, and the next frame's index. */
export async function compositeFrames(o: CompositeFramesOptions): Promise<{ frames: number; swapped: number[]; next: number }> {
  const ahead = (index: number) => {
    const p = readFaces(index < o.end ? o.facesOf(index) : [], o.swap);
    p.catch(() => undefined); // awaited in its turn
    return p;
  };
  const done = { frames: 0, swapped: [] as number[], next: o.first };
  let faces = ahead(o.first);
  let writing: Promise<unknown> = Promise.resolve();
  try {
    for (let index = o.first; index < o.end; index++) {
      if (o.signal?.aborted) throw new Error('interrupted');
      if (o.stop?.()) break;
      const r = await o.frames.next();
      if (r.done) break;
      if (r.value.index !== index) throw new Error(`decoder gave frame ${r.value.index}, expected ${index}`);
      const these = await faces;
      faces = ahead(index + 1);
      const original = o.comparison ? r.value.data : null; // the side-by-side's left half
      const out = compositeFaces(r.value, these, o.swap, !original);
      await writing;
      writing = settledAll([o.video.write(out.image.data), o.mask.write(out.replaced.data), o.comparison?.write(sideBySide(original!, out.image.data, r.value.width, r.value.height))]);
      writing.catch(() => undefined); // awaited in its turn
      done.frames++;
      done.next = index + 1;
      if (these.length) done.swapped.push(index);
    }
    await writing;
  } finally {
    // no read or write left running behind the caller's back
    await faces.catch(() => undefined);
    await writing.catch(() => undefined);
  }
  return done;
}
