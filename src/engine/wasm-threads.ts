/**
 * Multi-threaded wasm in Node. tfjs ships a threaded SIMD build of its wasm backend
 * (`wasm-out/tfjs-backend-wasm-threaded-simd.*`) but only browsers get it; in Node its loader
 * always takes the single-threaded build. Four things stand in the way, each handled here:
 * 1. the loader never picks the threaded build: we call its emscripten factory ourselves and
 *    hand the module to tfjs's `BackendWasm`, as tfjs's own browser path does;
 * 2. emscripten starts each pthread as a worker from a script file, but the package ships that
 *    script as a string (`wasmWorkerContents`): it is written once to a content-addressed file
 *    in the per-user cache folder (util/cache-dir.ts: 0700, owner checked; never the shared temp
 *    folder), atomically so concurrent processes agree, and its bytes are hash-checked before
 *    the path is handed over; the edited factory (3.) is compiled from memory, never from a file;
 * 3. the backend caps its thread pool at half the logical cores it reads during the module's
 *    start-up (one thread on a 2-core machine), and the runtime pre-starts 8 workers (about
 *    0.1 s each); the factory's source is loaded with the cores it reports and the number of
 *    pre-started workers set to what the pool uses (checked text edits: if tfjs's text is not
 *    what was checked, the threaded build is not used and the reason is kept);
 * 4. pthreads keep Node alive: the pool's idle workers are unref'd so a process exits when done.
 *
 *   installThreadedWasm(2);            // after importing @tensorflow/tfjs-backend-wasm
 *   await tf.setBackend('wasm');       // XNNPACK now runs on 2 threads
 *   wasmThreads();                     // { threads: 2 } or { threads: 1, reason: '…' }
 *
 * Results are the same as single-threaded (XNNPACK splits outputs between threads, not sums).
 */
import { readFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { cachedFile, userCacheDir } from '../util/cache-dir.ts';
import { errorMessage } from '../util/errors.ts';
import { tf } from './tf.ts';

const require = createRequire(import.meta.url);

/** XNNPACK's pool in tfjs's build holds at most 8 threads. */
const MAX_WASM_THREADS = 8;

/** The thread count `auto` means: the machine's cores, at most MAX_WASM_THREADS. */
export function defaultWasmThreads(): number {
  return Math.max(1, Math.min(MAX_WASM_THREADS, availableParallelism()));
}

interface ThreadState {
  wanted: number;
  threads: number;
  reason?: string;
}
let installed = false;
let state: ThreadState = { wanted: 1, threads: 1, reason: 'the threaded build was not requested' };

/** How many threads the wasm backend runs on, and why not more when it asked for more. */
export function wasmThreads(): Readonly<ThreadState> {
  return state;
}

interface EmscriptenModule {
  cwrap: (name: string, ret: string | null, args: string[]) => (...a: number[]) => number;
  PThread: { runningWorkers: Array<{ unref(): void }> };
  tfjs?: Record<string, unknown>;
}
type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

const BUILD = 'tfjs-backend-wasm-threaded-simd';
/** The exact texts of tfjs 4.22.0's threaded factory that are edited (see 3. above). */
const CORES_TEXT = 'function _emscripten_num_logical_cores(){if(ENVIRONMENT_IS_NODE)return require("os").cpus().length;';
const POOL_TEXT = 'var pthreadPoolSize=8;';

function wasmOutDir(): string {
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

/** Node's CommonJS module internals used to compile a module from text held in memory. */
interface CompilableModule {
  filename: string;
  paths: string[];
  exports: unknown;
  _compile(text: string, filename: string): void;
}
const ModuleClass = Module as unknown as { new (id: string): CompilableModule; _nodeModulePaths(dir: string): string[] };

/** Compile CommonJS `text` as if it were the file `filename` (its require and __dirname), from memory. */
function compileModule(text: string, filename: string): unknown {
  const m = new ModuleClass(filename);
  m.filename = filename;
  m.paths = ModuleClass._nodeModulePaths(dirname(filename));
  m._compile(text, filename);
  return m.exports;
}

/** The threaded factory, edited so that the module sees 2·threads cores and pre-starts threads-1 workers. */
async function loadFactory(threads: number): Promise<{ factory: Factory; worker: string; main: string }> {
  const dir = wasmOutDir();
  const main = join(dir, `${BUILD}.js`);
  const source = readFileSync(main, 'utf8');
  for (const text of [CORES_TEXT, POOL_TEXT]) {
    if (!source.includes(text)) throw new Error(`${main} does not contain the text Janus edits (${text.slice(0, 40)}…): is @tensorflow/tfjs-backend-wasm 4.22.0 installed?`);
  }
  // tfjs halves the cores it reads (hyper-threads) and caps its pool there
  const edited = source
    .replace(CORES_TEXT, `function _emscripten_num_logical_cores(){if(ENVIRONMENT_IS_NODE)return ${2 * threads};`)
    .replace(POOL_TEXT, `var pthreadPoolSize=${threads - 1};`);
  const factory = compileModule(edited, main) as Factory;
  const { wasmWorkerContents } = require(join(dir, `${BUILD}.worker.js`)) as { wasmWorkerContents: string };
  // the string's escaped newlines were unescaped by the template literal that holds it
  const worker = await cachedFile(userCacheDir(), `${BUILD}-worker`, wasmWorkerContents.replace(/\n/g, '\\n'));
  return { factory, worker, main };
}

async function createThreadedBackend(threads: number): Promise<tf.KernelBackend> {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as {
    BackendWasm: new (module: EmscriptenModule) => tf.KernelBackend;
    setThreadsCount: (n: number) => void;
    getThreadsCount: () => number;
  };
  const { factory, worker, main } = await loadFactory(threads);
  const dir = wasmOutDir();
  const module = await factory({
    locateFile: (p: string) => (p.endsWith('.worker.js') ? worker : join(dir, p)),
    // each worker loads the unedited factory: workers start no pool of their own
    mainScriptUrlOrBlob: main,
  });
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  wasm.setThreadsCount(threads);
  const backend = new wasm.BackendWasm(module);
  for (const w of module.PThread.runningWorkers) w.unref();
  const got = wasm.getThreadsCount();
  if (got !== threads) throw new Error(`asked XNNPACK for ${threads} threads, it runs ${got}`);
  return backend;
}

/**
 * Replace the registered 'wasm' backend factory with one that starts the threaded build on
 * `threads` threads, falling back to the stock single-threaded one (reason kept) if that fails.
 * Call after importing @tensorflow/tfjs-backend-wasm and before the backend is first used.
 */
export function installThreadedWasm(threads: number): void {
  if (installed) return; // the first call decides: replacing the factory would drop the live backend
  const stock = tf.findBackendFactory('wasm');
  if (!stock) throw new Error('the wasm backend is not registered (import @tensorflow/tfjs-backend-wasm first)');
  installed = true;
  if (threads <= 1) {
    state = { wanted: threads, threads: 1, reason: 'one thread was asked for' };
    return;
  }
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        const backend = await createThreadedBackend(threads);
        state = { wanted: threads, threads };
        return backend;
      } catch (err) {
        state = { wanted: threads, threads: 1, reason: `the threaded build did not start (${errorMessage(err)}); running single-threaded` };
        return await stock();
      }
    },
    2,
  );
}
