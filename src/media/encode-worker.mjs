// The thread of openVideoWriter({ thread: true }) (encode-thread.ts starts it): runs the ffmpeg
// command it is given and feeds the raw frames the main thread transfers to it into ffmpeg's
// stdin. Writing the pipe here keeps the encoder fed while the main thread computes the next
// frame: on the main thread a frame goes into the pipe only between two frames' work, 64 KB a
// turn, and x264 waits. Plain JavaScript, importing only node (a worker that registers tsx
// starts in 600 ms, this in 40).
//
// Messages in:  { type: 'frame', data: ArrayBuffer }, { type: 'end' } (no more frames: close
//               stdin), { type: 'kill' } (SIGKILL ffmpeg).
// Messages out: { type: 'pid', pid } once ffmpeg started (the main thread kills it if this
//               thread dies), { type: 'written', data } as each frame has gone into the pipe
//               (its buffer handed back, for the next frame), then once { type: 'exit', code,
//               signal, stderr, error }: ffmpeg's exit, its stderr (first 20,000 characters), a
//               spawn error's message or null.
import { spawn } from 'node:child_process';
import { parentPort, workerData } from 'node:worker_threads';

const { file, args, env } = workerData;
let stderr = '';
let spawnError = null;
let exited = false;

const child = spawn(file, args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
if (child.pid !== undefined) parentPort.postMessage({ type: 'pid', pid: child.pid });
child.stderr.setEncoding('utf8');
child.stderr.on('data', (s) => {
  if (stderr.length < 20000) stderr += s;
});
child.stdin.on('error', () => undefined); // ffmpeg gone (failed, killed): its exit says why
const report = (code, signal) => {
  if (exited) return;
  exited = true;
  parentPort.postMessage({ type: 'exit', code, signal, stderr, error: spawnError });
  parentPort.close();
};
child.on('error', (e) => {
  spawnError = e.message;
  if (child.pid === undefined) report(null, null); // never started: no 'close' to wait for
});
child.on('close', (code, signal) => report(code, signal));

parentPort.on('message', (m) => {
  if (m.type === 'frame') {
    const written = () => parentPort.postMessage({ type: 'written', data: m.data }, [m.data]);
    if (exited || child.stdin.destroyed) return written();
    child.stdin.write(Buffer.from(m.data), () => {
      if (!exited) written();
    });
  } else if (m.type === 'end') {
    child.stdin.end();
  } else if (m.type === 'kill') {
    child.stdin.destroy();
    if (!exited) child.kill('SIGKILL');
  }
});
