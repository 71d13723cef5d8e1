/**
 * Streaming encode: write RGB frames one at a time into an H.264 video, with the audio of a
 * source video copied in. The file appears at `out` only when `close()` succeeds (it is
 * written to a temp path and renamed), so a crash never leaves a half-written video.
 *
 *   const w = await openVideoWriter({ out: 'runs/x/out.mp4', width, height, fps, audioFrom: 'in.mp4' });
 *   for await (const f of decodeFrames('in.mp4')) await w.write(f.data);
 *   await w.close();            // or w.abort() to discard
 *
 * Audio that an MP4 can hold (aac, mp3, opus, alac, ac3) is copied bit for bit; anything else
 * is re-encoded to AAC. `deterministic: true` gives the same bytes for the same frames
 * (single-threaded x264, no version strings).
 */
import { extname } from 'node:path';
import { PassThrough } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { UserError } from '../util/errors.ts';
import { reserveTemp } from '../util/atomic-write.ts';
import { encoderInThread, type EncoderExit } from './encode-thread.ts';
import { audioCodecFor, fileArg, requireFfmpeg, stderrTail, watched } from './ffmpeg.ts';
import { probeAudio, type Rational } from './probe.ts';


export interface VideoWriterOptions {
  out: string;
  width: number;
  height: number;
  fps: Rational;
  /** Copy the first audio stream of this file (if it has one). */
  audioFrom?: string;
  /** x264 constant rate factor: 0 lossless … 51 worst. */
  crf?: number;
  /** x264 preset. */
  preset?: string;
  /** Same frames in, same bytes out (for a given `threads`). */
  deterministic?: boolean;
  /** x264's threads when deterministic (a fixed count keeps the bytes the same on any machine; 1 by default). */
  threads?: number;
  /** What `write` takes: RGB (3 bytes a pixel, the default) or grey (1 byte a pixel, stored as Y with neutral chroma). */
  input?: 'rgb24' | 'gray';
  /** Container metadata tags, e.g. { comment: 'synthetic' } (any key: MP4 gets them as mdta tags). */
  metadata?: Record<string, string>;
  /**
   * Feed ffmpeg from a worker thread (encode-thread.ts): for loops that compute each frame
   * (compositing), whose main thread would otherwise move a frame into the pipe only between
   * frames. The same bytes out. Costs a thread's start (~50 ms) and a copy of each frame.
   */
  thread?: boolean;
}

export interface VideoWriter {
  readonly framesWritten: number;
  /** One frame, in the `input` layout. */
  write(pixels: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

export async function openVideoWriter(opts: VideoWriterOptions): Promise<VideoWriter> {
  requireFfmpeg();
  const { out, width, height, fps } = opts;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new UserError(`expected a positive integer frame size for "${out}", got ${width}x${height}`);
  }
  const ext = extname(out).toLowerCase();
  if (!['.mp4', '.mov', '.mkv'].includes(ext)) {
    throw new UserError(`expected the output video "${out}" to end in .mp4, .mov or .mkv, got "${ext || '(none)'}"`);
  }
  let audio: { file: string; copy: boolean } | null = null;
  if (opts.audioFrom) {
    const first = (await probeAudio(opts.audioFrom))[0];
    if (first) audio = { file: opts.audioFrom, copy: audioCodecFor(first.codec, ext) === 'copy' };
  }

  const reservation = reserveTemp(out);
  const tmp = reservation.tmp;
  const pixelFormat = opts.input ?? 'rgb24';
  const frameBytes = width * height * (pixelFormat === 'gray' ? 1 : 3);
  const inputOptions = ['-f', 'rawvideo', '-pix_fmt', pixelFormat, '-video_size', `${width}x${height}`, '-framerate', `${fps.num}/${fps.den}`];
  const outOpts: string[] = ['-map', '0:v:0'];
  if (audio) outOpts.push('-map', '1:a:0', '-c:a', audio.copy ? 'copy' : 'aac', '-shortest');
  const even = width % 2 === 0 && height % 2 === 0;
  if (!even) outOpts.push('-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2');
  outOpts.push('-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', String(opts.crf ?? 18), '-preset', opts.preset ?? 'medium');
  if (ext !== '.mkv') outOpts.push('-movflags', opts.metadata ? '+faststart+use_metadata_tags' : '+faststart');
  if (opts.deterministic) outOpts.push('-threads', String(opts.threads ?? 1), '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '-1');
  for (const [k, v] of Object.entries(opts.metadata ?? {})) outOpts.push('-metadata', `${k}=${v}`);
  const failed = (stderr: string, fallback: string) => new UserError(`cannot encode video "${out}": ${stderrTail(stderr) || fallback}`, 'check the free disk space and that the output folder is writable');
  const sink = opts.thread
    ? threadSink(['-v', 'error', ...inputOptions, '-i', 'pipe:0', ...(audio ? ['-i', fileArg(audio.file)] : []), '-y', ...outOpts, tmp], failed)
    : fluentSink(inputOptions, audio, outOpts, tmp, frameBytes, failed);

  let framesWritten = 0;
  let state: 'open' | 'closed' = 'open';
  const cleanup = () => reservation.discard();

  return {
    get framesWritten() {
      return framesWritten;
    },
    async write(pixels: Uint8Array) {
      if (state !== 'open') throw new Error(`video writer for "${out}" is already closed`);
      if (pixels.length !== frameBytes) {
        throw new UserError(`expected a ${width}x${height} ${pixelFormat === 'gray' ? 'grey' : 'RGB'} frame (${frameBytes} bytes) for "${out}", got ${pixels.length} bytes`);
      }
      framesWritten++;
      await sink.write(pixels);
    },
    async close() {
      if (state !== 'open') return;
      state = 'closed';
      try {
        await sink.end();
        if (framesWritten === 0) throw new UserError(`no frames were written to "${out}"`);
        await reservation.commit();
      } catch (err) {
        await cleanup();
        throw err;
      }
    },
    async abort() {
      if (state !== 'open') return;
      state = 'closed';
      try {
        await sink.kill();
      } finally {
        await cleanup();
      }
    },
  };
}

/** Where a writer's frames go: ffmpeg's stdin, from this thread or from a worker's. */
interface Sink {
  /** One frame in (rejects once ffmpeg has failed). */
  write(pixels: Uint8Array): Promise<void>;
  /** No more frames: wait for ffmpeg (rejects if it failed). */
  end(): Promise<void>;
  /** Kill ffmpeg and wait for it. */
  kill(): Promise<void>;
}

type Failed = (stderr: string, fallback: string) => UserError;

/** ffmpeg through fluent-ffmpeg, fed from this thread through a PassThrough of two frames. */
function fluentSink(inputOptions: string[], audio: { file: string; copy: boolean } | null, outOpts: string[], tmp: string, frameBytes: number, failed: Failed): Sink {
  const input = new PassThrough({ highWaterMark: frameBytes * 2 });
  const cmd = ffmpeg().input(input).inputOptions(inputOptions);
  if (audio) cmd.input(fileArg(audio.file));
  cmd.outputOptions(outOpts).output(tmp);
  cmd.inputOptions(['-v', 'error']);

  let stderr = '';
  let failure: Error | null = null;
  const done = new Promise<void>((resolve, reject) => {
    cmd.on('stderr', (l: string) => {
      if (stderr.length < 20000) stderr += `${l}\n`;
    });
    cmd.on('end', () => resolve());
    cmd.on('error', (err: Error, _o: string | null, errText: string | null) => {
      failure = failed(errText ?? stderr, err.message);
      reject(failure);
    });
  });
  done.catch(() => undefined);
  input.on('error', () => undefined);
  // fluent-ffmpeg spawns ffmpeg asynchronously (after probing its capabilities): an abort that
  // comes before the spawn kills the process as soon as it starts.
  let started = false;
  let killRequested = false;
  cmd.on('start', () => {
    started = true;
    if (killRequested) cmd.kill('SIGKILL');
  });
  cmd.run();
  return {
    async write(pixels) {
      if (failure) throw failure;
      if (!input.write(pixels)) {
        // Wait for the pipe to drain, or for ffmpeg to fail (whichever comes first).
        await new Promise<void>((resolve, reject) => {
          let settled = false;
          const onDrain = () => {
            if (settled) return;
            settled = true;
            resolve();
          };
          input.once('drain', onDrain);
          done.then(
            () => onDrain(),
            (err: unknown) => {
              if (settled) return;
              settled = true;
              input.off('drain', onDrain);
              reject(err);
            },
          );
        });
      }
    },
    async end() {
      input.end();
      await done;
    },
    async kill() {
      killRequested = true;
      if (started) cmd.kill('SIGKILL');
      input.destroy();
      await done.catch(() => undefined);
    },
  };
}

/** ffmpeg fed from a worker thread (encode-thread.ts), under its watchdog. */
function threadSink(args: string[], failed: Failed): Sink {
  const w = watched(requireFfmpeg().ffmpeg);
  const enc = encoderInThread({ file: w.file, env: w.env, args });
  // ffmpeg may end with success before its input does (-shortest with shorter audio): the frames
  // after are dropped, as the main-thread feed drops them
  const check = (exit: EncoderExit | null) => {
    if (exit && (exit.error !== null || exit.code !== 0)) throw failed(exit.stderr, exit.error ?? `ffmpeg ended with ${exit.signal ?? `exit code ${exit.code}`}`);
  };
  return {
    async write(pixels) {
      check(enc.exit);
      await enc.write(pixels);
      check(enc.exit);
    },
    async end() {
      check(await enc.end());
    },
    async kill() {
      await enc.kill();
    },
  };
}
