/**
 * Choose the TensorFlow.js backend at run time: tfjs-node-gpu, then tfjs-node, then webgpu (a
 * hardware adapter only), then wasm, then cpu, recording why each one that was passed over could
 * not be used.
 *
 *   const sel = await selectBackend('auto');
 *   sel.candidate   // 'wasm'
 *   sel.attempts    // [{ candidate: 'tfjs-node-gpu', ok: false, reason: 'not installed …' }, …, { candidate: 'wasm', ok: true }]
 *
 * The native packages are optional dependencies (their install downloads libtensorflow, which
 * fails on machines without internet access), and so are WebGPU's (`webgpu`, Dawn's bindings,
 * and tfjs-backend-webgpu), so they are imported dynamically. Tests inject
 * their own loaders. On wasm, the kernels tfjs lacks for training are registered here.
 */
import { createRequire } from 'node:module';
import { BACKENDS, EngineConfig, type BackendChoice } from '../config/engine.ts';
import { parseConfig } from '../config/parse.ts';
import { UserError, errorMessage } from '../util/errors.ts';
import { tf } from './tf.ts';
import { WEBGPU_PACKAGES, loadWebgpu } from './webgpu.ts';
import { registerWebgpuTrainingKernels } from './webgpu-kernels.ts';
import { registerWasmTrainingKernels } from './wasm-kernels.ts';
import { defaultWasmThreads, installThreadedWasm, wasmThreads } from './wasm-threads.ts';

const CANDIDATES = ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu'] as const;
export type Candidate = (typeof CANDIDATES)[number];

/** The tfjs backend name each candidate registers. */
const BACKEND_NAME: Readonly<Record<Candidate, string>> = Object.freeze({
  'tfjs-node-gpu': 'tensorflow',
  'tfjs-node': 'tensorflow',
  webgpu: 'webgpu',
  wasm: 'wasm',
  cpu: 'cpu',
});

/** What each choice tries, in order. */
const CANDIDATES_FOR: Readonly<Record<BackendChoice, readonly Candidate[]>> = Object.freeze({
  auto: CANDIDATES,
  tensorflow: ['tfjs-node-gpu', 'tfjs-node'],
  webgpu: ['webgpu'],
  wasm: ['wasm'],
  cpu: ['cpu'],
});

/**
 * Makes a candidate's backend available to tfjs (imports and registers it); throws if it cannot.
 * `explicit`: the user asked for this backend by name (webgpu then accepts an emulated adapter).
 */
export type CandidateLoader = (ctx: { explicit: boolean }) => Promise<void>;

const PACKAGE: Readonly<Record<Candidate, string>> = Object.freeze({
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
  webgpu: `${WEBGPU_PACKAGES.backend} and ${WEBGPU_PACKAGES.dawn}`,
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
});

async function importPackage(name: string): Promise<void> {
  await import(name);
}

const DEFAULT_LOADERS: Readonly<Record<Candidate, CandidateLoader>> = Object.freeze({
  'tfjs-node-gpu': () => importPackage(PACKAGE['tfjs-node-gpu']),
  'tfjs-node': () => importPackage(PACKAGE['tfjs-node']),
  webgpu: ({ explicit }) => loadWebgpu({ allowEmulated: explicit }),
  wasm: async () => {
    // required, not imported: see tf.ts (Node's import of a CommonJS bundle scans its source first)
    createRequire(import.meta.url)(PACKAGE.wasm);
    installThreadedWasm(resolveWasmThreads());
  },
  cpu: async () => undefined, // always registered by @tensorflow/tfjs
});

export interface Attempt {
  candidate: Candidate;
  ok: boolean;
  /** Why it was passed over (only when !ok). */
  reason?: string;
}

export interface BackendSelection {
  requested: BackendChoice;
  /** Where the request came from: a flag, JANUS_BACKEND, or the default. */
  source: string;
  candidate: Candidate;
  /** tfjs's name for it: tensorflow | wasm | cpu. */
  backend: string;
  attempts: Attempt[];
  /** Kernels Janus registered on top of the backend's own. */
  addedKernels: string[];
  /** Threads the backend computes on (wasm: XNNPACK's pool), and why not more where it asked for more. */
  threads?: { count: number; wanted: number; reason?: string };
}

/** Explain a failed load in one line a person can act on. */
function explainLoadFailure(candidate: Candidate, err: unknown): string {
  const msg = errorMessage(err);
  const code = (err as { code?: string } | null)?.code;
  const pkg = PACKAGE[candidate];
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(msg)) {
    if (candidate === 'webgpu' && (msg.includes(WEBGPU_PACKAGES.backend) || /'webgpu'|"webgpu"/.test(msg))) {
      return `${pkg} are not installed (optional dependencies: npm ci installs them where their platform is supported)`;
    }
    if (msg.includes(pkg)) {
      return `${pkg} is not installed (an optional dependency: its install downloads libtensorflow, which fails without internet access)`;
    }
  }
  if (candidate === 'webgpu') return msg;
  if (/libtensorflow|tfjs_binding|\.node\b|napi/i.test(msg)) {
    return `${pkg} is installed but its native binding does not load (${msg}); reinstall it where libtensorflow can be downloaded`;
  }
  return `${pkg} failed to load: ${msg}`;
}

export { resolveBackendChoice, type BackendRequest } from './backend-request.ts';

/** The wasm backend's thread count from JANUS_WASM_THREADS (`auto` or 1-8), else `auto`: the machine's cores. */
export function resolveWasmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.JANUS_WASM_THREADS;
  const { wasmThreads: n } = parseConfig(EngineConfig, raw === undefined || raw === '' ? {} : { wasmThreads: raw }, 'JANUS_WASM_THREADS');
  return n === 'auto' ? defaultWasmThreads() : n;
}

let current: BackendSelection | null = null;

/** The selection made by the last successful `selectBackend`, if any. */
export function currentBackend(): BackendSelection | null {
  return current;
}

export interface SelectOptions {
  loaders?: Partial<Record<Candidate, CandidateLoader>>;
  source?: string;
}

export async function selectBackend(choice: BackendChoice = 'auto', options: SelectOptions = {}): Promise<BackendSelection> {
  if (!(BACKENDS as readonly string[]).includes(choice)) {
    parseConfig(EngineConfig, { backend: choice }, 'backend'); // throws the standard message
  }
  if (CANDIDATES_FOR[choice].includes('wasm')) resolveWasmThreads(); // a bad JANUS_WASM_THREADS is the user's error, not a load failure
  const loaders = { ...DEFAULT_LOADERS, ...options.loaders };
  const attempts: Attempt[] = [];
  for (const candidate of CANDIDATES_FOR[choice]) {
    const name = BACKEND_NAME[candidate];
    try {
      await loaders[candidate]({ explicit: choice !== 'auto' });
      if (!tf.findBackendFactory(name)) throw new Error(`loading it did not register a "${name}" backend`);
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`tf.setBackend("${name}") failed to initialise it`);
      await tf.ready();
      const addedKernels = name === 'wasm' ? registerWasmTrainingKernels() : name === 'webgpu' ? registerWebgpuTrainingKernels() : [];
      attempts.push({ candidate, ok: true });
      const t = wasmThreads();
      const threads = { count: t.threads, wanted: t.wanted, ...(t.reason ? { reason: t.reason } : {}) };
      current = { requested: choice, source: options.source ?? 'argument', candidate, backend: tf.getBackend(), attempts, addedKernels, ...(name === 'wasm' ? { threads } : {}) };
      return current;
    } catch (err) {
      attempts.push({ candidate, ok: false, reason: explainLoadFailure(candidate, err) });
    }
  }
  const tried = attempts.map((a) => `${a.candidate}: ${a.reason}`).join('; ');
  throw new UserError(
    `no usable compute backend for "${choice}" (${tried})`,
    choice === 'auto' ? 'reinstall with `npm ci`; the wasm backend needs no native code' : `try --backend auto (valid: ${BACKENDS.join('|')})`,
  );
}

/** Backends that cannot read tensors synchronously in Node (face-api's detectors do). */
const NO_SYNC_READ = new Set(['webgpu']);
let syncScopeDepth = 0;
let syncScopeNoted = false;

/**
 * Run `fn` (face-api's detection, landmarks, descriptors) on a backend that reads tensors
 * synchronously: on webgpu, wasm (loaded on first use, Janus's kernels and threads) for the
 * call, then back; elsewhere `fn` runs as is. Janus's stages share the one `gpu` slot, so no
 * training step runs meanwhile. Says so once per process (`note`, default stderr).
 *
 *   const faces = await onSyncReadBackend(() => detectFaces(fa, img, opts));
 */
export async function onSyncReadBackend<T>(fn: () => Promise<T>, note: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<T> {
  const active = tf.getBackend();
  if (syncScopeDepth > 0 || !NO_SYNC_READ.has(active)) return fn();
  const firstUse = !tf.findBackendFactory('wasm');
  if (firstUse) await DEFAULT_LOADERS.wasm({ explicit: false });
  if (!(await tf.setBackend('wasm'))) throw new Error('face-api needs a backend that reads synchronously, and wasm did not start');
  if (firstUse) registerWasmTrainingKernels();
  if (!syncScopeNoted) {
    syncScopeNoted = true;
    note(`face-api runs on wasm beside ${active} in this run (tfjs's ${active} backend cannot read tensors synchronously in Node, as face-api's detectors do)`);
  }
  syncScopeDepth++;
  try {
    return await fn();
  } finally {
    syncScopeDepth--;
    await tf.setBackend(active);
  }
}
