/**
 * Streaming decode: RGB frames from an ffmpeg pipe, one at a time. Memory stays flat whatever
 * the video's length: ffmpeg is paused by the pipe while the consumer works on a frame.
 *
 *   for await (const frame of decodeFrames('samples/a.mp4')) {
 *     frame.data; // Buffer of width*height*3 bytes, RGB, row-major
 *   }
 *
 * Frames come out upright (ffmpeg applies the rotation the container asks for), at the size
 * `probeVideo` reports as width × height. Every coded frame comes out once, except for a
 * variable-frame-rate video (`info.vfr`), which is resampled to `info.fps` (vfr.ts): frame i is
 * then the picture the source shows at (i + ½) / fps. Breaking out of the loop stops ffmpeg. A file that
 * ends early (truncated) or that ffmpeg cannot decode is a UserError naming the file.
 */
import ffmpeg from 'fluent-ffmpeg';
import type { Readable } from 'node:stream';
import { UserError } from '../util/errors.ts';
import { framesInThread, type ThreadEnd } from './decode-thread.ts';
import { fileArg, requireFfmpeg, stderrTail, watched } from './ffmpeg.ts';
import { probeVideo, refuseHdr, rationalValue, type VideoInfo } from './probe.ts';
import { decodeFilters } from './vfr.ts';

export interface Frame {
  /** 0-based index in the video (counting from the first frame, not from `startFrame`). */
  index: number;
  /** Presentation time in seconds, index / fps. */
  time: number;
  width: number;
  height: number;
  /** RGB24, row-major, width*height*3 bytes. */
  data: Buffer;
}

export interface DecodeOptions {
  /** The probe result, if the caller has it already. */
  info?: VideoInfo;
  /** First frame to yield (frames before it are decoded and skipped). */
  startFrame?: number;
  /** Stop after this many frames. */
  maxFrames?: number;
  /**
   * Read ffmpeg's output on a worker thread (decode-thread.ts), a few frames ahead: for loops
   * that compute on each frame (extraction, compositing), whose main thread would otherwise
   * read the pipe only between frames. Costs a thread's start (~50 ms): not for a frame or two.
   */
  thread?: boolean;
  /**
   * With `thread`: each frame's memory is reused for a later frame once the next one is asked
   * for (decode-thread.ts): for loops done with a frame when they ask for the next; the frame's
   * `data` is then empty, never overwritten. Less garbage and fewer page faults (2.7 MB a 720p frame).
   */
  recycle?: boolean;
}

export async function* decodeFrames(file: string, options: DecodeOptions = {}): AsyncGenerator<Frame> {
  requireFfmpeg(); // fluent-ffmpeg then runs ffmpeg under the watchdog (ffmpeg.ts)
  const info = options.info ?? (await probeVideo(file));
  refuseHdr(info); // 8-bit SDR RGB out: HDR would need tone mapping
  const start = Math.max(0, Math.floor(options.startFrame ?? 0));
  const fps = rationalValue(info.fps);
  const frameBytes = info.width * info.height * 3;

  const out: string[] = ['-map', `0:${info.videoStreamIndex}`, '-an', '-sn', '-fps_mode', 'passthrough', '-pix_fmt', 'rgb24'];
  // frame numbers (select's n) count the resampled frames of a VFR video
  const filters = [...decodeFilters(info), ...(start > 0 ? [`select=gte(n\\,${start})`] : [])];
  if (filters.length) out.push('-vf', filters.join(','));
  if (options.maxFrames !== undefined) out.push('-frames:v', String(Math.max(0, Math.floor(options.maxFrames))));
  const damaged = 'the file is truncated or damaged: re-copy it, or re-encode it with ffmpeg';
  const checkCount = (yielded: number) => {
    const wanted = options.maxFrames === undefined ? info.frameCount - start : Math.min(options.maxFrames, info.frameCount - start);
    if (info.frameCountExact && yielded < wanted - 1) {
      throw new UserError(`cannot decode video "${file}": the container lists ${info.frameCount} frames but only ${start + yielded} could be decoded${stderr ? ` (${stderrTail(stderr, 2)})` : ''}`, damaged);
    }
  };
  const truncated = (index: number, filled: number) => new UserError(`cannot decode video "${file}": stream ended inside frame ${index} (${filled} of ${frameBytes} bytes)`, 'the file is truncated: re-copy it');
  let stderr = '';

  if (options.thread) {
    const w = watched(requireFfmpeg().ffmpeg);
    const frames = framesInThread({ file: w.file, env: w.env, frameBytes, recycle: options.recycle, args: ['-v', 'error', '-nostdin', '-i', fileArg(file), ...out, '-f', 'rawvideo', 'pipe:1'] });
    let index = start;
    let r: IteratorResult<Buffer, ThreadEnd>;
    const next = async () => {
      try {
        return await frames.next();
      } catch (e) {
        throw new Error(`cannot decode video "${file}": its decoding thread failed at frame ${index} (${(e as Error).message})`);
      }
    };
    try {
      for (r = await next(); !r.done; r = await next()) {
        yield { index, time: index / fps, width: info.width, height: info.height, data: r.value };
        index++;
      }
    } finally {
      await frames.return(undefined as never); // left early: ffmpeg killed, the thread ended (a no-op at the end)
    }
    const end = r.value;
    stderr = end.stderr;
    if (end.error !== null || end.code !== 0) throw new UserError(`cannot decode video "${file}": ${stderrTail(stderr) || end.error || `ffmpeg ended with ${end.signal ?? `exit code ${end.code}`}`}`, damaged);
    if (end.partial !== 0) throw truncated(index, end.partial);
    checkCount(index - start);
    return;
  }

  const cmd = ffmpeg(fileArg(file)).inputOptions(['-v', 'error', '-nostdin']).outputOptions(out).format('rawvideo');

  let killed = false;
  const finished = new Promise<void>((resolve, reject) => {
    cmd.on('stderr', (line: string) => {
      if (stderr.length < 20000) stderr += `${line}\n`;
    });
    cmd.on('end', () => resolve());
    cmd.on('error', (err: Error, _stdout: string | null, errText: string | null) => {
      // fluent-ffmpeg reports "Output stream closed" when ffmpeg exits more than 20 ms after its
      // output stream ended (a loaded machine, a slow consumer): every byte was delivered, and
      // the frame count is checked below
      if (killed || (err.message === 'Output stream closed' && stream.readableEnded)) resolve();
      else reject(new UserError(`cannot decode video "${file}": ${stderrTail(errText ?? stderr ?? err.message) || err.message}`, damaged));
    });
  });
  finished.catch(() => undefined); // observed below
  let started = false;
  cmd.on('start', () => {
    started = true;
    if (killed) cmd.kill('SIGKILL');
  });
  const stream = cmd.pipe() as Readable;

  let index = start;
  let yielded = 0;
  let buf = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  let complete = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - off);
        chunk.copy(buf, filled, off, off + n);
        filled += n;
        off += n;
        if (filled === frameBytes) {
          const frame: Frame = { index, time: index / fps, width: info.width, height: info.height, data: buf };
          index++;
          yielded++;
          buf = Buffer.allocUnsafe(frameBytes);
          filled = 0;
          yield frame;
        }
      }
    }
    await finished;
    if (filled !== 0) throw truncated(index, filled);
    checkCount(yielded);
    complete = true;
  } finally {
    if (!complete) {
      killed = true;
      if (started) cmd.kill('SIGKILL'); // else killed as soon as it starts
      stream.destroy();
    }
  }
}

/** Read a single frame (by index) into memory. */
export async function readFrame(file: string, index: number, info?: VideoInfo): Promise<Frame> {
  for await (const f of decodeFrames(file, { info, startFrame: index, maxFrames: 1 })) return f;
  throw new UserError(`video "${file}" has no frame ${index}`, `frame indices run from 0 to ${(info ?? (await probeVideo(file))).frameCount - 1}`);
}

/**
 * Read ahead: keep up to `depth` items of an async iterator in flight, so the producer (ffmpeg
 * decoding the next frame) works while the consumer (detection) is busy with this one.
 */
export async function* prefetch<T>(source: AsyncIterable<T>, depth = 2): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const queue: Array<Promise<IteratorResult<T>>> = [];
  try {
    for (let i = 0; i < depth; i++) queue.push(it.next());
    for (;;) {
      const r = await queue.shift()!;
      if (r.done) return;
      queue.push(it.next());
      yield r.value;
    }
  } finally {
    await Promise.allSettled(queue);
    await it.return?.(undefined);
  }
}
