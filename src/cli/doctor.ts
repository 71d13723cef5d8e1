/**
 * `janus doctor`: what this machine gives Janus — node, tfjs, the backend chosen and why the
 * others were passed over, ffmpeg, face-api's model files, the sample clips — and what is
 * missing, with the fix. Exit code 0 when everything needed is there, 2 otherwise.
 *
 *   npx janus doctor
 *   npx janus doctor --backend wasm --json
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_NAMES } from '../config/samples.ts';
import { resolveBackendChoice, resolveWasmThreads, selectBackend, type BackendSelection } from '../engine/backend.ts';
import { tf } from '../engine/tf.ts';
import { checkFaceApiModels, faceApiModelDir, faceApiVersion, type ModelFileCheck } from '../face/package-files.ts';
import { FFMPEG_FIX, ffmpegVersion, requireFfmpeg } from '../media/ffmpeg.ts';
import { errorMessage } from '../util/errors.ts';
import type { CommandSpec } from './command.ts';

export interface DoctorReport {
  node: string;
  platform: string;
  tfjs: string;
  backend: BackendSelection | { error: string };
  ffmpeg: { version: string; ffmpeg: string; ffprobe: string } | { error: string };
  faceApi: { version: string; modelDir: string; models: ModelFileCheck[] } | { error: string };
  samples: Array<{ file: string; present: boolean }>;
  /** Things that stop Janus working, each with its fix. */
  missing: Array<{ what: string; fix: string }>;
  /** Things worth knowing that do not stop it. */
  notes: string[];
}

export async function diagnose(backendFlag?: string): Promise<DoctorReport> {
  const missing: DoctorReport['missing'] = [];
  const notes: string[] = [];

  let backend: DoctorReport['backend'];
  const { choice, source } = resolveBackendChoice(backendFlag); // a bad name is the user's mistake: exit 2
  resolveWasmThreads(); // so is a bad JANUS_WASM_THREADS
  try {
    backend = await selectBackend(choice, { source });
    if (backend.backend === 'cpu') notes.push('the cpu backend is far too slow to train: install @tensorflow/tfjs-backend-wasm (`npm ci`)');
    if (backend.backend !== 'tensorflow') notes.push('no native TensorFlow: training uses wasm; where libtensorflow can be downloaded, `npm i @tensorflow/tfjs-node-gpu@4.22.0` is faster');
  } catch (err) {
    backend = { error: errorMessage(err) };
    missing.push({ what: `compute backend: ${errorMessage(err)}`, fix: 'run `npm ci` (or `make setup`) so @tensorflow/tfjs-backend-wasm is installed' });
  }

  let ffmpeg: DoctorReport['ffmpeg'];
  try {
    const bins = requireFfmpeg();
    ffmpeg = { version: await ffmpegVersion(), ...bins };
  } catch (err) {
    ffmpeg = { error: errorMessage(err) };
    missing.push({ what: 'ffmpeg and ffprobe', fix: FFMPEG_FIX });
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

  return { node: process.version, platform: `${process.platform}-${process.arch}`, tfjs: tf.version.tfjs, backend, ffmpeg, faceApi, samples, missing, notes };
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

export const doctorCommand: CommandSpec = {
  name: 'doctor',
  summary: 'show node, tfjs, the backend chosen (and why), ffmpeg, face-api models; say what is missing and how to fix it',
  options: ['backend', 'json'],
  async run(_args, opts) {
    const report = await diagnose(opts.backend as string | undefined);
    process.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
    return report.missing.length ? 2 : 0;
  },
};
