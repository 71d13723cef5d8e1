/**
 * What of the machine can change a run's bytes: Node, the platform, the CPU's vector features
 * (wasm SIMD lowers to them), ffmpeg's version, and the settings read from the environment
 * (backend, wasm threads). Recorded in every run manifest; `janus verify` names what differs.
 *
 *   machineEnvironment()   // { node: 'v20.19.2', platform: 'linux-x64', cpu: { model: '…', cores: 2, features: ['avx', 'avx2', …] }, ffmpeg: '5.1.9-0+deb12u1', settings: { JANUS_WASM_THREADS: '2' } }
 *   environmentDifferences(recorded, machineEnvironment())   // [{ what: 'ffmpeg', recorded: '5.1.6', now: '5.1.9' }]
 */
import { readFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { z } from 'zod';
import { ffmpegVersionOf, which } from './ffmpeg-version.ts';

/** The CPU flags that change which machine code tfjs-wasm (V8's SIMD) and ffmpeg's encoders run. */
const VECTOR_FEATURES = ['sse2', 'ssse3', 'sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'neon', 'asimd'];

/** The settings read from the environment that change results. */
export const RESULT_SETTINGS = ['JANUS_BACKEND', 'JANUS_WASM_THREADS'] as const;

export const Environment = z
  .object({
    node: z.string(),
    platform: z.string(),
    cpu: z.object({ model: z.string(), cores: z.number().int().min(0), features: z.array(z.string()) }).strict(),
    ffmpeg: z.string().nullable(),
    settings: z.record(z.string(), z.string()),
  })
  .strict();
export type Environment = z.infer<typeof Environment>;

function cpuFeatures(): string[] {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const line = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(text)?.[1] ?? '';
    const have = new Set(line.split(/\s+/));
    return VECTOR_FEATURES.filter((f) => have.has(f));
  } catch {
    return [];
  }
}

/** The version of the ffmpeg Janus runs (the one media/ffmpeg.ts checks: the same cached answer), null when there is none. */
function ffmpegVersion(): string | null {
  const bin = which('ffmpeg', process.env.FFMPEG_PATH);
  if (!bin) return null;
  try {
    return ffmpegVersionOf(bin);
  } catch {
    return null;
  }
}

let cached: Environment | null = null;

/** This machine's environment (read once per process; the settings each call). */
export function machineEnvironment(): Environment {
  cached ??= {
    node: process.version,
    platform: `${platform()}-${arch()}`,
    cpu: { model: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length, features: cpuFeatures() },
    ffmpeg: ffmpegVersion(),
    settings: {},
  };
  const settings = Object.fromEntries(RESULT_SETTINGS.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  return { ...cached, settings };
}

export interface Difference {
  what: string;
  recorded: string;
  now: string;
}

const show = (v: unknown): string => (v === undefined || v === null ? '(none)' : Array.isArray(v) ? v.join(' ') || '(none)' : String(v));

/** What differs between two environments, one entry per value (package versions: pass them as `packages`). */
export function environmentDifferences(
  recorded: Partial<Environment> & { janus?: string; packages?: Record<string, string> },
  now: Partial<Environment> & { janus?: string; packages?: Record<string, string> },
): Difference[] {
  const out: Difference[] = [];
  const add = (what: string, a: unknown, b: unknown) => {
    if (show(a) !== show(b)) out.push({ what, recorded: show(a), now: show(b) });
  };
  if (recorded.janus !== undefined) add('janus', recorded.janus, now.janus);
  add('node', recorded.node, now.node);
  add('platform', recorded.platform, now.platform);
  if (recorded.cpu && now.cpu) {
    add('cpu model', recorded.cpu.model, now.cpu.model);
    add('cpu vector features', recorded.cpu.features, now.cpu.features);
  }
  if (recorded.ffmpeg !== undefined) add('ffmpeg', recorded.ffmpeg, now.ffmpeg);
  if (recorded.settings) for (const k of new Set([...Object.keys(recorded.settings), ...Object.keys(now.settings ?? {})])) add(k, recorded.settings[k], now.settings?.[k]);
  if (recorded.packages) for (const k of new Set([...Object.keys(recorded.packages), ...Object.keys(now.packages ?? {})])) add(`package ${k}`, recorded.packages[k], now.packages?.[k]);
  return out;
}
