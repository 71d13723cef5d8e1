/**
 * `make bench-repro`: the determinism matrix. The swap pipeline on two 1-s sample clips, trained
 * on a minutes budget, then each of its stages recomputed (`janus verify`, budgets pinned) under
 * changed conditions, and a killed-and-resumed rerun compared with the uninterrupted run:
 *
 *   same machine, wasm, twice      janus verify RUN (the run's thread count)
 *   wasm 1 / 2 / 4 threads          JANUS_WASM_THREADS=N janus verify RUN
 *   wasm against cpu                janus verify RUN --backend cpu
 *   killed and resumed              a second run pinned to the first (--pin), SIGKILLed mid-training
 *                                   and mid-composite and rerun, against the first (janus verify --expect)
 *   another ffmpeg build            where one is on PATH as JANUS_OTHER_FFMPEG (a folder with ffmpeg
 *                                   and ffprobe): extraction and composite recomputed with it
 *
 * Prints one row per stage: identical, or the first difference (file, frame, PSNR). Not a test.
 *
 *   npx tsx test/bench/repro-bench.ts [--seconds 1] [--minutes 0.1] [--columns same,1,4,cpu,killed]
 *
 * (the cpu column is slow: tfjs's plain cpu backend trains and extracts at a few faces a minute;
 * about 10 minutes here)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSampleClip } from '../../src/samples/make-sample.ts';
import type { VerifyReport } from '../../src/verify/verify.ts';
import { ROOT } from '../helpers/fixtures.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 1);
const MINUTES = arg('minutes', 0.1);
const BASE_THREADS = '2';
const i = process.argv.indexOf('--columns');
const COLUMNS = new Set(i > 0 ? process.argv[i + 1]!.split(',') : ['same', '1', '4', 'cpu', 'killed']);

function janus(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; signal: string | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'src/cli/bin.js'), ...args], { cwd: ROOT, env: { ...process.env, JANUS_WASM_THREADS: BASE_THREADS, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function report(args: string[], env: NodeJS.ProcessEnv = {}): VerifyReport | string {
  const r = janus([...args, '--json'], env);
  try {
    return JSON.parse(r.stdout) as VerifyReport;
  } catch {
    return `failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-2).join(' ')}`;
  }
}

/** One cell: identical, or the first difference in few words. */
function cell(r: VerifyReport | string, stage: string): string {
  if (typeof r === 'string') return r;
  const s = r.stages.find((x) => x.stage === stage);
  if (!s) return '-';
  if (s.verdict === 'identical') return 'identical';
  if (s.verdict === 'not-verified' || !s.outputs.length) return `${s.verdict}: ${s.reason ?? ''}`;
  const bad = s.outputs.filter((o) => !o.comparison?.identical);
  const first = bad[0]!.comparison!.first!;
  const psnr = first.psnr === undefined ? '' : `, PSNR ${first.psnr === Infinity || (first.psnr as unknown) === 'Infinity' ? 'inf' : first.psnr.toFixed(1)} dB`;
  const frame = first.frame !== undefined ? ` frame ${first.frame}` : '';
  const files = bad.reduce((n, o) => n + o.comparison!.differences.length, 0);
  return `differs: ${bad.map((o) => o.name).join('+')} (${files} file${files === 1 ? '' : 's'}; first ${first.file || bad[0]!.path}${frame}${psnr})`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'janus-repro-'));
  try {
    for (const n of ['a', 'b'] as const) await makeSampleClip(n, join(dir, `${n}.mp4`), { seconds: SECONDS, size: 256 });
    const sets = [`a=${join(dir, 'a.mp4')}`, `b=${join(dir, 'b.mp4')}`, 'preset=tiny', 'iterations=100000', `minutes=${MINUTES}`, 'batchSize=8', 'detector=tiny', 'size=128', 'segmentFrames=8', 'train.saveEvery=1000', 'train.saveMinutes=0.02', 'train.qualityMinutes=0.03'].flatMap((s) => ['--set', s]);
    const run = join(dir, 'run');
    const t0 = Date.now();
    const first = janus(['run', 'pipelines/swap.yaml', '--workdir', run, ...sets]);
    if (first.code !== 0) throw new Error(`the run failed: ${first.stderr.slice(-2000)}`);
    process.stdout.write(`run: ${SECONDS}-s clips, tiny preset, a ${MINUTES}-minute training budget, wasm on ${BASE_THREADS} threads (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    const columns: Array<[string, VerifyReport | string]> = [];
    const keys: Record<string, string> = { 'same, twice': 'same', '1 thread': '1', '4 threads': '4', cpu: 'cpu', 'killed+resumed': 'killed' };
    const column = (title: string, make: () => VerifyReport | string) => {
      if (keys[title] && !COLUMNS.has(keys[title])) return;
      const t = Date.now();
      columns.push([title, make()]);
      process.stdout.write(`  ${title}: ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
    };
    column('same, twice', () => report(['verify', run]));
    column('1 thread', () => report(['verify', run], { JANUS_WASM_THREADS: '1' }));
    column('4 threads', () => report(['verify', run], { JANUS_WASM_THREADS: '4' }));
    column('cpu', () => report(['verify', run, '--backend', 'cpu']));
    column('killed+resumed', () => {
      const again = join(dir, 'again');
      const pinned = [...sets, '--pin', join(run, 'run-manifest.json')];
      for (const kill of ['train.step@4', 'composite.segment@2']) {
        const k = janus(['run', 'pipelines/swap.yaml', '--workdir', again, ...pinned], { JANUS_FAULT_KILL: kill });
        if (k.signal !== 'SIGKILL') return `the run was not killed at ${kill} (exit ${k.code})`;
      }
      const last = janus(['run', 'pipelines/swap.yaml', '--workdir', again, ...pinned]);
      if (last.code !== 0) return `the rerun failed (exit ${last.code})`;
      const kit = join(dir, 'kit');
      janus(['reproduce', run, '--out', kit]);
      return report(['verify', again, '--expect', join(kit, 'kit.json')]);
    });
    const other = process.env.JANUS_OTHER_FFMPEG;
    if (other && existsSync(join(other, 'ffmpeg'))) {
      column('other ffmpeg', () => report(['verify', run, '--stage', 'extract-a', '--stage', 'extract-b', '--stage', 'composite'], { FFMPEG_PATH: join(other, 'ffmpeg'), FFPROBE_PATH: join(other, 'ffprobe') }));
    }
    const stages = ['extract-a', 'extract-b', 'train', 'swap', 'composite', 'metrics', 'report'];
    process.stdout.write(`\n| stage | ${columns.map(([t]) => t).join(' | ')} |\n|---|${columns.map(() => '---').join('|')}|\n`);
    for (const s of stages) process.stdout.write(`| ${s} | ${columns.map(([, r]) => cell(r, s)).join(' | ')} |\n`);
    if (!other) process.stdout.write('\nanother ffmpeg build: none on this machine (JANUS_OTHER_FFMPEG=DIR with ffmpeg and ffprobe adds the column)\n');
    for (const [title, r] of columns) if (typeof r !== 'string' && r.environment.length) process.stdout.write(`${title}: environment ${r.environment.map((d) => `${d.what} ${d.recorded} -> ${d.now}`).join('; ')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
