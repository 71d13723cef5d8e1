/**
 * An ffmpeg encoder fed from a worker thread (encode-worker.mjs): `write` copies a frame into a
 * buffer of its own (one the thread handed back after an earlier frame) and hands it to the thread, which puts it into ffmpeg's stdin however long
 * the main thread then computes. At most `ahead` frames wait for the pipe (memory stays flat):
 * `write` resolves at once below that, else when the oldest has gone in.
 *
 *   const enc = encoderInThread({ file, args, env });
 *   await enc.write(pixels);            // ...
 *   const exit = await enc.end();       // { code, signal, stderr, error }: what ffmpeg did
 *   // or: await enc.kill();
 */
import { Worker } from 'node:worker_threads';
import { killQuietly } from './ffmpeg.ts';

export interface EncoderCommand {
  /** The program and its arguments (ffmpeg under its watchdog: ffmpeg.ts `watched`), reading frames on stdin. */
  file: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Frames handed over and not yet in the pipe before `write` waits (default 3). */
  ahead?: number;
}

export interface EncoderExit {
  code: number | null;
  signal: string | null;
  stderr: string;
  /** Why ffmpeg could not be started, or null. */
  error: string | null;
}

export interface ThreadEncoder {
  /** Resolves when the frame may be reused and the next one written; once ffmpeg has ended (see `exit`) it takes nothing more in. */
  write(pixels: Uint8Array): Promise<void>;
  /** Close stdin and wait for ffmpeg to finish. */
  end(): Promise<EncoderExit>;
  /** SIGKILL ffmpeg and wait for the thread to end; never rejects (a dead thread's ffmpeg is killed from here). */
  kill(): Promise<EncoderExit>;
  /** ffmpeg's exit, if it has ended. */
  readonly exit: EncoderExit | null;
}

type Message = { type: 'pid'; pid: number } | { type: 'written'; data: ArrayBuffer } | ({ type: 'exit' } & EncoderExit);

const WORKER = new URL('./encode-worker.mjs', import.meta.url);

export function encoderInThread(cmd: EncoderCommand): ThreadEncoder {
  const ahead = cmd.ahead ?? 3;
  // execArgv []: the worker is plain JavaScript and needs none of this process's loaders (tsx)
  const worker = new Worker(WORKER, { execArgv: [], workerData: { file: cmd.file, args: [...cmd.args], env: cmd.env } });
  let inFlight = 0;
  let pid: number | null = null;
  /** Buffers the thread handed back, for the next frames' copies (no 3 MB of garbage a frame). */
  const spare: ArrayBuffer[] = [];
  let exit: EncoderExit | null = null;
  let failure: Error | null = null;
  const waiters: Array<() => void> = [];
  const wakeAll = () => waiters.splice(0).forEach((w) => w());
  worker.on('message', (m: Message) => {
    if (m.type === 'pid') pid = m.pid;
    else if (m.type === 'written') {
      inFlight--;
      if (spare.length < ahead) spare.push(m.data);
    } else exit = { code: m.code, signal: m.signal, stderr: m.stderr, error: m.error };
    wakeAll();
  });
  worker.on('error', (e) => ((failure = e), wakeAll()));
  let gone = false;
  const ended = new Promise<void>((resolve) =>
    worker.on('exit', () => {
      gone = true;
      wakeAll();
      resolve();
    }),
  );
  const until = async (done: () => boolean) => {
    while (!done()) {
      if (failure) throw failure;
      if (gone) throw new Error('the encoding thread ended without a word');
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const finalExit = async (): Promise<EncoderExit> => {
    await until(() => exit !== null);
    await ended;
    return exit!;
  };
  return {
    get exit() {
      return exit;
    },
    async write(pixels) {
      if (exit) return; // the caller reads `exit` (ffmpeg ended): nothing more goes in
      const reuse = spare.pop();
      const copy = reuse && reuse.byteLength === pixels.length ? new Uint8Array(reuse) : new Uint8Array(pixels.length);
      copy.set(pixels);
      inFlight++;
      worker.postMessage({ type: 'frame', data: copy.buffer }, [copy.buffer]);
      await until(() => inFlight < ahead || exit !== null);
    },
    async end() {
      worker.postMessage({ type: 'end' });
      return finalExit();
    },
    async kill() {
      if (!exit) worker.postMessage({ type: 'kill' });
      try {
        return await finalExit();
      } catch (e) {
        // the thread died: ffmpeg is killed from here
        if (pid !== null) killQuietly(pid);
        return exit ?? { code: null, signal: 'SIGKILL', stderr: '', error: (e as Error).message };
      }
    },
  };
}
