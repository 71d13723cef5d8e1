/**
 * `janus doctor`: what this machine gives Janus — node, tfjs, the backend chosen and why the
 * others were passed over, ffmpeg, face-api's model files, the sample clips — and what is
 * missing, with the fix. Exit code 0 when everything needed is there, 2 otherwise.
 *
 *   npx janus doctor
 *   npx janus doctor --backend wasm --json
 */
import { queueUrlFrom } from '../queue/queue-url.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_NAMES } from '../config/samples.ts';
import { resolveBackendChoice, resolveWasmThreads, selectBackend, type BackendSelection } from '../engine/backend.ts';
import { tf } from '../engine/tf.ts';
import { SWIFTSHADER_ICD, describeAdapter, probeAdapters, type AdapterReport } from '../engine/webgpu.ts';
import { checkFaceApiModels, faceApiModelDir, faceApiVersion, type ModelFileCheck } from '../face/package-files.ts';
import { FFMPEG_FIX, ffmpegVersion, requireFfmpeg } from '../media/ffmpeg.ts';
import { UserError, errorMessage } from '../util/errors.ts';
import type { DoctorOpts } from './commands.ts';

export interface DoctorReport {
  node: string;
  platform: string;
  tfjs: string;
  backend: BackendSelection | { error: string };
  /** WebGPU adapters Dawn offers (auto never picks an emulated one). */
  webgpu: { adapters: AdapterReport[]; dawnLog: string; reproducibility: string } | { error: string };
  /** The native route (tfjs-node-gpu): why it does not install from npm today and how to install it anyway. */
  native: string;
  ffmpeg: { version: string; ffmpeg: string; ffprobe: string } | { error: string };
  faceApi: { version: string; modelDir: string; models: ModelFileCheck[] } | { error: string };
  samples: Array<{ file: string; present: boolean }>;
  /** Things that stop Janus working, each with its fix. */
  missing: Array<{ what: string; fix: string }>;
  /** Things worth knowing that do not stop it. */
  notes: string[];
}

/** Measured on SwiftShader (test/engine/webgpu.test.ts): two identical runs in one process. */
const WEBGPU_REPRODUCIBILITY =
  'not byte-identical: two identical training runs on the same adapter and driver (SwiftShader) end with different weights (float sums in a different order); results agree to about 1e-5 per step. Byte-identical runs need wasm (same thread count) or cpu';

const NATIVE_ROUTE =
  '@tensorflow/tfjs-node-gpu (optional) downloads libtensorflow 2.9.1 at install from a bucket that answers 403 since August 2026 (tensorflow/tfjs issue 8742), so it does not install from npm alone. With your own copy of libtensorflow 2.9.1 (gpu-linux-x86_64): `TFJS_NODE_BASE_URI=https://YOUR-MIRROR/libtensorflow- npm i @tensorflow/tfjs-node-gpu@4.22.0` (or TFJS_NODE_CDN_STORAGE=https://YOUR-MIRROR/ for the whole bucket layout, or a scripts/custom-binary.json in the package naming "tf-lib"); it needs an NVIDIA driver >= 450, CUDA 11.2 and cuDNN 8.1';

export async function diagnose(backendFlag?: string): Promise<DoctorReport> {
  const missing: DoctorReport['missing'] = [];
  const notes: string[] = [];

  let backend: DoctorReport['backend'];
  const { choice, source } = resolveBackendChoice(backendFlag); // a bad name is the user's mistake: exit 2
  resolveWasmThreads(); // so is a bad JANUS_WASM_THREADS
  try {
    backend = await selectBackend(choice, { source });
    if (backend.backend === 'cpu') notes.push('the cpu backend is far too slow to train: install @tensorflow/tfjs-backend-wasm (`npm ci`)');
    if (backend.backend === 'wasm') notes.push('training runs on wasm (CPU); a GPU speeds it up: see the webgpu adapters and the native route above');
  } catch (err) {
    backend = { error: errorMessage(err) };
    missing.push({ what: `compute backend: ${errorMessage(err)}`, fix: 'run `npm ci` (or `make setup`) so @tensorflow/tfjs-backend-wasm is installed' });
  }

  let webgpu: DoctorReport['webgpu'];
  try {
    const { adapters, dawnLog } = probeAdapters();
    webgpu = { adapters, dawnLog, reproducibility: WEBGPU_REPRODUCIBILITY };
    if (!adapters.length) notes.push(`no WebGPU adapter (for a software one to test with: apt-get install chromium; VK_ICD_FILENAMES=${SWIFTSHADER_ICD})`);
  } catch (err) {
    webgpu = { error: errorMessage(err) };
  }

  let ffmpeg: DoctorReport['ffmpeg'];
  try {
    const bins = requireFfmpeg();
    ffmpeg = { version: await ffmpegVersion(), ...bins };
  } catch (err) {
    ffmpeg = { error: errorMessage(err) };
    // not found, or too old: the error says which, its hint how to fix it
    missing.push(err instanceof UserError ? { what: err.message, fix: err.hint ?? FFMPEG_FIX } : { what: 'ffmpeg and ffprobe', fix: FFMPEG_FIX });
  }

  let faceApi: DoctorReport['faceApi'];
  try {
    const modelDir = faceApiModelDir();
    const models = checkFaceApiModels(modelDir);
    faceApi = { version: faceApiVersion(), modelDir, models };
    for (const m of models.filter((x) => !x.ok)) missing.push({ what: `face-api model ${m.name}: ${m.problem}`, fix: 'reinstall the package: `rm -rf node_modules && npm ci`' });
  } catch (err) {
    faceApi = { error: errorMessage(err) };
    missing.push({ what: '@vladmandic/face-api', fix: 'run `npm ci` (or `make setup`)' });
  }

  const samples = SAMPLE_NAMES.map((n) => {
    const file = join('samples', `${n}.mp4`);
    return { file, present: existsSync(file) };
  });
  if (samples.some((s) => !s.present)) notes.push('sample clips not built yet: run `make samples`');

  return { node: process.version, platform: `${process.platform}-${process.arch}`, tfjs: tf.version.tfjs, backend, webgpu, native: NATIVE_ROUTE, ffmpeg, faceApi, samples, missing, notes };
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function formatReport(r: DoctorReport): string {
  const lines: string[] = ['janus doctor'];
  const row = (k: string, v: string) => lines.push(`  ${k.padEnd(10)} ${v}`);
  row('node', `${r.node} (${r.platform})`);
  row('tfjs', r.tfjs);
  if ('error' in r.backend) row('backend', `NONE: ${r.backend.error}`);
  else {
    const b = r.backend;
    row('backend', `${b.backend} via ${b.candidate} (requested ${b.requested}, from ${b.source})`);
    for (const a of b.attempts) lines.push(`    ${a.ok ? 'chosen ' : 'skipped'} ${a.candidate}${a.ok ? '' : `: ${a.reason}`}`);
    if (b.addedKernels.length) lines.push(`    kernels added by Janus: ${b.addedKernels.join(', ')}`);
    if (b.threads) lines.push(`    threads: ${b.threads.count}${b.threads.reason ? ` (${b.threads.reason})` : ''}; JANUS_WASM_THREADS sets them (auto = every core, 1 = single-threaded)`);
  }
  if ('error' in r.webgpu) row('webgpu', `unavailable: ${r.webgpu.error}`);
  else {
    row('webgpu', r.webgpu.adapters.length ? `${r.webgpu.adapters.length} adapter${r.webgpu.adapters.length === 1 ? '' : 's'} (auto never picks an emulated one)` : 'no adapter');
    for (const a of r.webgpu.adapters) {
      lines.push(`    ${describeAdapter(a)} [${a.requestedAs}]; maxBufferSize ${mb(a.limits.maxBufferSize)}, maxStorageBufferBindingSize ${mb(a.limits.maxStorageBufferBindingSize)}`);
    }
    if (!r.webgpu.adapters.length && r.webgpu.dawnLog) lines.push(`    Dawn said: ${r.webgpu.dawnLog.split('\n').join(' | ')}`);
    lines.push(`    reproducibility: ${r.webgpu.reproducibility}`);
  }
  row('native', r.native);
  if ('error' in r.ffmpeg) row('ffmpeg', `MISSING: ${r.ffmpeg.error}`);
  else row('ffmpeg', `${r.ffmpeg.version} (${r.ffmpeg.ffmpeg}; ffprobe ${r.ffmpeg.ffprobe})`);
  if ('error' in r.faceApi) row('face-api', `MISSING: ${r.faceApi.error}`);
  else {
    row('face-api', `${r.faceApi.version}, models in ${r.faceApi.modelDir}`);
    for (const m of r.faceApi.models) lines.push(`    ${m.ok ? 'found  ' : 'MISSING'} ${m.name}${m.ok ? ` (${mb(m.bytes)})` : `: ${m.problem}`}`);
  }
  row('samples', r.samples.map((s) => `${s.file} ${s.present ? 'present' : 'not built'}`).join(', '));
  for (const n of r.notes) lines.push(`  note: ${n}`);
  if (r.missing.length) {
    lines.push('', 'Missing:');
    for (const m of r.missing) lines.push(`  - ${m.what}`, `    fix: ${m.fix}`);
  } else lines.push('', 'Ready: everything Janus needs is here.');
  return lines.join('\n');
}

export async function run(_args: string[], opts: DoctorOpts): Promise<number> {
  const queue = queueUrlFrom(opts.queue);
  if (queue) {
    // the queue's server first: a server unfit to hold jobs is the user's to fix (exit 2, with the fix)
    const { checkRedis } = await import('../queue/redis-check.ts');
    const r = await checkRedis(queue);
    process.stdout.write(`queue: Redis ${r.version} at ${r.url}: reachable, maxmemory-policy ${r.policy}, append-only file ${r.aof ? 'on' : 'off (a restart of the server loses the queue: appendonly yes in its redis.conf)'}\n`);
  }
  const report = await diagnose(opts.backend);
  process.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
  return report.missing.length ? 2 : 0;
}
