// The thread of decodeFrames({ thread: true }) (decode-thread.ts starts it): runs the ffmpeg
// command it is given, cuts its raw RGB output into frames and hands each one to the main thread
// (the buffer is transferred, not copied), at most `ahead` frames before the main thread has
// taken them (a credit each). Reading the pipe here keeps ffmpeg decoding while the main thread
// computes: on the main thread the pipe is only read between two frames' work, 64 KB a turn.
// Plain JavaScript, importing only node: a worker that registers tsx starts in 600 ms, this in 40.
//
// Messages in:  { type: 'credit' } (one more frame may come), { type: 'stop' } (kill ffmpeg, end),
//               { type: 'free', data: ArrayBuffer } (a frame's buffer handed back: the next frame is
//               cut into it instead of a new one).
// Messages out: { type: 'pid', pid } once ffmpeg started (the main thread kills it if this thread
//               dies), { type: 'frame', data: ArrayBuffer } ..., then once { type: 'end', code, signal,
//               stderr, partial, error }: ffmpeg's exit, its stderr (first 20,000 characters),
//               the bytes of an incomplete last frame, a spawn error's message or null, and how
//               many frame buffers it made.
import { spawn } from 'node:child_process';
import { parentPort, workerData } from 'node:worker_threads';

const { file, args, env, frameBytes, ahead } = workerData;
let credits = ahead;
let stopped = false;
let exit = null;
const ready = [];
/** Buffers handed back by the main thread (decodeFrames' `recycle`), reused before new ones are made. */
const free = [];
let buf = Buffer.allocUnsafeSlow(frameBytes);
let made = 1;
let filled = 0;
let stderr = '';
let spawnError = null;
let ended = false;

const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
if (child.pid !== undefined) parentPort.postMessage({ type: 'pid', pid: child.pid });
child.stderr.setEncoding('utf8');
child.stderr.on('data', (s) => {
  if (stderr.length < 20000) stderr += s;
});
child.on('error', (e) => {
  spawnError = e.message;
  if (child.pid === undefined && exit === null) {
    exit = { code: null, signal: null }; // never started: no 'close' to wait for
    pump();
  }
});

function pump() {
  while (credits > 0 && ready.length && !stopped) {
    credits--;
    const frame = ready.shift();
    parentPort.postMessage({ type: 'frame', data: frame.buffer }, [frame.buffer]);
  }
  if (stopped) return;
  if (ready.length) child.stdout.pause();
  else if (exit === null) child.stdout.resume();
  else finish();
}

function finish() {
  if (ended) return;
  ended = true;
  parentPort.postMessage({ type: 'end', ...exit, stderr, partial: filled, error: spawnError, buffers: made });
  parentPort.close();
}

child.stdout.on('data', (chunk) => {
  let off = 0;
  while (off < chunk.length) {
    const n = Math.min(frameBytes - filled, chunk.length - off);
    chunk.copy(buf, filled, off, off + n);
    filled += n;
    off += n;
    if (filled === frameBytes) {
      ready.push(buf);
      buf = free.pop() ?? (made++, Buffer.allocUnsafeSlow(frameBytes));
      filled = 0;
    }
  }
  pump();
});
child.on('close', (code, signal) => {
  if (ended) return;
  exit = { code, signal };
  if (stopped) finish();
  else pump();
});
parentPort.on('message', (m) => {
  if (m.type === 'credit') {
    credits++;
    pump();
  } else if (m.type === 'free') {
    if (m.data.byteLength === frameBytes) free.push(Buffer.from(m.data)); // no more than were made
  } else if (m.type === 'stop' && !stopped) {
    stopped = true;
    ready.length = 0;
    child.stdout.destroy();
    if (exit === null) child.kill('SIGKILL');
    else finish();
  }
});
