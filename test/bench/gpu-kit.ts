/**
 * `make gpu-kit`: what `make gpu-check` needs on a GPU machine without a registry, in one
 * folder: the repository's tracked files and a node_modules pruned to the packages the check
 * imports (tfjs, its wasm and webgpu backends, Dawn's bindings for this platform only, zod,
 * tsx) and their dependencies. Copy runs/gpu-kit/ over, then `make gpu-check` there.
 *
 *   npx tsx test/bench/gpu-kit.ts        # -> runs/gpu-kit/ and its size
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, 'runs/gpu-kit');
const ROOTS = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'webgpu', 'zod', 'tsx'];
const PLATFORM = `${process.platform}-${process.arch}`;

/** The package and every dependency it pulls in (hoisted layout: node_modules/NAME). */
function closure(names: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...names];
  while (todo.length) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    const pj = join(ROOT, 'node_modules', name, 'package.json');
    if (!existsSync(pj)) {
      if (ROOTS.includes(name)) throw new Error(`${name} is not installed in node_modules: run npm ci first`);
      continue; // an optional dependency not installed here
    }
    seen.add(name);
    const p = JSON.parse(readFileSync(pj, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    todo.push(...Object.keys(p.dependencies ?? {}), ...Object.keys(p.optionalDependencies ?? {}));
  }
  return seen;
}

function size(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.size;
  return readdirSync(p).reduce((sum, f) => sum + size(join(p, f)), 0);
}

/**
 * Dawn ships every platform's binary (132 MB): keep this one's. tfjs packages ship browser
 * bundles, ESM trees and typings beside the CommonJS bundle Node loads (`main`: dist/*.node.js):
 * keep that bundle and the wasm binaries and workers. No source maps, no typings.
 */
function keep(name: string, src: string): boolean {
  if (src.endsWith('.map') || src.endsWith('.d.ts')) return false;
  const rel = src.slice(join(ROOT, 'node_modules', name).length + 1);
  if (name === 'webgpu') return !rel.startsWith('dist/') || rel.startsWith(`dist/${PLATFORM}`);
  if (name.startsWith('@tensorflow/') && rel.startsWith('dist/') && rel !== 'dist') {
    if (rel.includes('/', 5)) return false; // dist/kernels/, dist/miniprogram/, ...: the ESM tree
    return rel.endsWith('.node.js') || rel.endsWith('.wasm') || rel.endsWith('.worker.js') || /tfjs-backend-wasm(-[a-z-]+)?\.js$/.test(rel);
  }
  return true;
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
for (const f of execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean)) {
  if (!existsSync(join(ROOT, f))) continue;
  mkdirSync(dirname(join(OUT, f)), { recursive: true });
  cpSync(join(ROOT, f), join(OUT, f));
}
const pkgs = closure(ROOTS);
for (const name of pkgs) {
  cpSync(join(ROOT, 'node_modules', name), join(OUT, 'node_modules', name), {
    recursive: true,
    filter: (src) => keep(name, src),
  });
}
for (const bin of ['tsx']) {
  mkdirSync(join(OUT, 'node_modules/.bin'), { recursive: true });
  cpSync(join(ROOT, 'node_modules/.bin', bin), join(OUT, 'node_modules/.bin', bin), { verbatimSymlinks: true });
}
console.log(`runs/gpu-kit: ${pkgs.size} packages for ${PLATFORM}, ${(size(OUT) / 2 ** 20).toFixed(0)} MiB; on the GPU machine: cd gpu-kit && make gpu-check`);
