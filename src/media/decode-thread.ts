/**
 * Raw frames of an ffmpeg command read on a worker thread (decode-worker.mjs): the main thread
 * gets each frame whole, as one message, its buffer transferred, while ffmpeg goes on decoding
 * the next ones however long the main thread computes. At most `ahead` frames wait (memory
 * stays flat); ending early (break, return, an exception) kills ffmpeg and ends the thread
 * before the generator's `finally` completes. A thread that dies (a bug, no memory) is an
 * Error, its ffmpeg killed from here.
 *
 *   const frames = framesInThread({ file, args, env, frameBytes: w * h * 3 });
 *   for (let r = await frames.next(); !r.done; r = await frames.next()) use(r.value);   // Buffers
 *   framesInThread({ ..., recycle: true })   // each Buffer emptied when the next is asked for, its memory reused
 *   // r.value at the end: { code, signal, stderr, partial, error, buffers }: what ffmpeg did
 */
import { Worker } from 'node:worker_threads';
import { killQuietly } from './ffmpeg.ts';

export interface ThreadCommand {
  /** The program and its arguments (ffmpeg under its watchdog: ffmpeg.ts `watched`). */
  file: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  frameBytes: number;
  /** Frames decoded ahead of the consumer (default 3). */
  ahead?: number;
  /**
   * Hand each frame's buffer back to the thread when the consumer asks for the next frame, for
   * the next frames to be cut into (no new 2.7-MB buffer a 720p frame: less garbage, fewer page
   * faults). The consumer must be done with a frame when it asks for the next: the frame's
   * Buffer is then empty (its memory transferred away), never overwritten under it.
   */
  recycle?: boolean;
}

export interface ThreadEnd {
  /** ffmpeg's exit code (null when a signal ended it or it never started). */
  code: number | null;
  signal: string | null;
  /** The start of ffmpeg's stderr. */
  stderr: string;
  /** Bytes of an incomplete last frame (0 when the output ended on a frame boundary). */
  partial: number;
  /** Why ffmpeg could not be started, or null. */
  error: string | null;
  /** How many frame buffers the thread made (with `recycle`, a few whatever the length). */
  buffers: number;
}

type Message = { type: 'pid'; pid: number } | { type: 'frame'; data: ArrayBuffer } | ({ type: 'end' } & ThreadEnd);

const WORKER = new URL('./decode-worker.mjs', import.meta.url);

export async function* framesInThread(cmd: ThreadCommand): AsyncGenerator<Buffer, ThreadEnd> {
  // execArgv []: the worker is plain JavaScript and needs none of this process's loaders (tsx)
  const worker = new Worker(WORKER, { execArgv: [], workerData: { file: cmd.file, args: [...cmd.args], env: cmd.env, frameBytes: cmd.frameBytes, ahead: cmd.ahead ?? 3 } });
  const inbox: Array<Exclude<Message, { type: 'pid' }>> = [];
  let failure: Error | null = null;
  let exited = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  let pid: number | null = null;
  worker.on('message', (m: Message) => {
    if (m.type === 'pid') pid = m.pid;
    else inbox.push(m);
    notify();
  });
  worker.on('error', (e) => ((failure = e), notify()));
  const exit = new Promise<void>((resolve) =>
    worker.on('exit', () => {
      exited = true;
      notify();
      resolve();
    }),
  );
  let ended = false;
  try {
    for (;;) {
      while (!inbox.length && !failure && !exited) await new Promise<void>((r) => (wake = r));
      const m = inbox.shift();
      if (!m) throw failure ?? new Error('the decoding thread ended without a word');
      if (m.type === 'end') {
        ended = true;
        return { code: m.code, signal: m.signal, stderr: m.stderr, partial: m.partial, error: m.error, buffers: m.buffers };
      }
      worker.postMessage({ type: 'credit' });
      yield Buffer.from(m.data);
      // asked for the next frame: this one's memory goes back to the thread
      if (cmd.recycle && !exited && m.data.byteLength > 0) worker.postMessage({ type: 'free', data: m.data }, [m.data]); // (not if the consumer moved it away)
    }
  } finally {
    if (!ended && !exited) worker.postMessage({ type: 'stop' });
    await exit;
    if (failure && pid !== null) killQuietly(pid); // the thread died: its ffmpeg is killed from here
  }
}
