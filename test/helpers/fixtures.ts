/**
 * Fixtures made by code: a temp folder per suite, the sample clips, bad inputs derived from
 * them (truncated, not a video, audio only), and a helper to run the CLI as a user would.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SAMPLE_A = join(ROOT, 'samples/a.mp4');
export const SAMPLE_B = join(ROOT, 'samples/b.mp4');

export function requireSamples(): void {
  for (const f of [SAMPLE_A, SAMPLE_B]) {
    if (!existsSync(f)) throw new Error(`test fixture ${f} is missing: run \`make samples\` (make test builds it)`);
  }
}

/** A fresh temp folder; JANUS_TEST_KEEP=1 keeps it after the test, for a look. */
export function tempDir(tag: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `janus-test-${tag}-`));
  return { dir, cleanup: () => (process.env.JANUS_TEST_KEEP === '1' ? console.log(`kept ${dir}`) : rmSync(dir, { recursive: true, force: true })) };
}

export function ffmpegSync(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The first `fraction` of a file's bytes. */
export function truncated(src: string, out: string, fraction: number): string {
  const bytes = readFileSync(src);
  writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return out;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `janus ARGS` as a separate process (the real bin), from the project root. */
export function janus(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'src/cli/bin.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
