/**
 * Where a result came from: the git commit of the code, the versions of the packages that
 * made it, the machine. Goes into run manifests and sidecars.
 *
 *   provenance()   // { git: { commit: 'df0f88e…', dirty: false }, packages: { '@tensorflow/tfjs': '4.22.0', … }, node: 'v20…' }
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

export interface Provenance {
  janus: string;
  git: { commit: string | null; dirty: boolean | null };
  node: string;
  platform: string;
  packages: Record<string, string>;
}

function installedVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`, { paths: [ROOT] }), 'utf8')) as { version: string }).version;
  } catch {
    try {
      // packages whose exports hide package.json: walk up from the entry point
      let d = dirname(require.resolve(name, { paths: [ROOT] }));
      for (let i = 0; i < 5; i++, d = dirname(d)) {
        try {
          const pj = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name?: string; version: string };
          if (pj.name === name) return pj.version;
        } catch {
          // keep walking
        }
      }
    } catch {
      // not installed
    }
    return 'not installed';
  }
}

let cached: Provenance | null = null;

export function provenance(): Provenance {
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
  const packages: Record<string, string> = {};
  for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})].sort()) packages[name] = installedVersion(name);
  let commit: string | null = null;
  let dirty: boolean | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
  } catch {
    // not a git checkout
  }
  cached = { janus: pkg.version, git: { commit, dirty }, node: process.version, platform: `${process.platform}-${process.arch}`, packages };
  return cached;
}
