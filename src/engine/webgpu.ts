/**
 * The WebGPU route: tfjs's `webgpu` backend on Dawn's Node bindings (npm `webgpu`), the GPU
 * engine whose every byte comes from npm. Dawn drives Vulkan (Linux), Metal (macOS) and D3D12
 * (Windows). Both packages are optional dependencies, imported on demand.
 *
 *   const { adapters } = probeAdapters();           // for `janus doctor` (in a child process)
 *   await loadWebgpu({ allowEmulated: false });    // registers the `webgpu` backend with tfjs, or throws why not
 *
 * An emulated adapter (SwiftShader, llvmpipe/lavapipe, anything reporting itself as a fallback
 * adapter) computes on the CPU and is slower than wasm: `auto` never picks it; `--backend
 * webgpu` takes it (that is how the tests run here, on Debian chromium's SwiftShader ICD with
 * `VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { tf } from './tf.ts';

export const WEBGPU_PACKAGES = { dawn: 'webgpu', backend: '@tensorflow/tfjs-backend-webgpu' } as const;

/** Debian chromium's SwiftShader Vulkan driver (a CPU Vulkan Dawn accepts). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters (SwiftShader, llvmpipe, lavapipe, WARP, fallback adapters). */
  emulated: boolean;
  /** What the request asked for: high-performance, low-power or fallback. */
  requestedAs: string;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
}

/** Minimal structural types of Dawn's objects (the `webgpu` package's own types need @webgpu/types globals). */
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
export interface AdapterLike {
  info: AdapterInfoLike;
  isFallbackAdapter?: boolean;
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  requestDevice(descriptor?: object): Promise<DeviceLike>;
}
export interface DeviceLike {
  lost: Promise<{ reason: string; message: string }>;
  destroy(): void;
}
interface GpuLike {
  requestAdapter(options?: object): Promise<AdapterLike | null>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}
/** What the report needs of an adapter: in process (a Dawn adapter) or as the probe child sends it. */
interface AdapterFacts {
  info: AdapterInfoLike;
  isFallbackAdapter?: boolean;
  limits: { maxBufferSize?: number; maxStorageBufferBindingSize?: number };
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render|warp/i;

/** Whether an adapter computes on the CPU. */
function isEmulated(info: AdapterInfoLike, fallbackFlag?: boolean): boolean {
  if (info.isFallbackAdapter || fallbackFlag) return true;
  return SOFTWARE.test([info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '));
}

export function describeAdapter(a: Pick<AdapterReport, 'vendor' | 'architecture' | 'description' | 'emulated'>): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  return `${name}${a.description ? ` (${a.description})` : ''}${a.emulated ? ', emulated on the CPU' : ''}`;
}

let dawn: GpuLike | null = null;

/**
 * Dawn's `navigator.gpu` stand-in, created once: its WebGPU constants are installed as globals
 * and it is published as `navigator.gpu` (tfjs's WebGPU backend checks for it), until
 * `releaseWebgpu()`; while Dawn is referenced, Node does not exit.
 */
async function dawnGpu(): Promise<GpuLike> {
  if (dawn) return dawn;
  const module = (await import(WEBGPU_PACKAGES.dawn)) as DawnModule;
  for (const [k, v] of Object.entries(module.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  const gpu = module.create([]);
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator!, 'gpu', { value: gpu, configurable: true });
  dawn = gpu;
  return gpu;
}

/**
 * Let go of Dawn (the device, the backend, `navigator.gpu`) so that Node can exit; the CLI calls
 * it when a command ends. A later `loadWebgpu` starts again.
 */
export function releaseWebgpu(): void {
  if (!dawn) return;
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu'); // disposes the backend; tfjs picks another when next used
  session?.device.destroy();
  session = null;
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav && nav.gpu === dawn) delete nav.gpu;
  dawn = null;
}

function report(a: AdapterFacts, requestedAs: string): AdapterReport {
  const i = a.info;
  return {
    vendor: i.vendor ?? '',
    architecture: i.architecture ?? '',
    device: i.device ?? '',
    description: i.description ?? '',
    emulated: isEmulated(i, a.isFallbackAdapter),
    requestedAs,
    limits: { maxBufferSize: a.limits.maxBufferSize ?? 0, maxStorageBufferBindingSize: a.limits.maxStorageBufferBindingSize ?? 0 },
  };
}

export interface AdapterProbe {
  adapters: AdapterReport[];
  /** What Dawn and the Vulkan loader printed while looking (why a driver was refused), trimmed. */
  dawnLog: string;
}

/**
 * Look for adapters in a child process: Dawn and the Vulkan drivers print their refusals straight
 * to the process's stderr (native code), which would otherwise land in every command's output on
 * a machine without a GPU. The child's stderr is kept as `dawnLog` for `janus doctor`. Throws
 * when the `webgpu` package is not installed.
 */
export function probeAdapters(): AdapterProbe {
  const entry = pathToFileURL(createRequire(import.meta.url).resolve(WEBGPU_PACKAGES.dawn)).href;
  const script = `
    const { create } = await import(${JSON.stringify(entry)});
    const gpu = create([]);
    const out = [];
    for (const [as, o] of [['high-performance', { powerPreference: 'high-performance' }], ['low-power', { powerPreference: 'low-power' }], ['fallback', { forceFallbackAdapter: true }]]) {
      const a = await gpu.requestAdapter(o);
      if (!a) continue;
      const i = a.info;
      out.push({ as, info: { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter }, isFallbackAdapter: a.isFallbackAdapter, limits: { maxBufferSize: a.limits.maxBufferSize, maxStorageBufferBindingSize: a.limits.maxStorageBufferBindingSize } });
    }
    process.stdout.write(JSON.stringify(out));
    process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  const dawnLog = (r.stderr ?? '').split('\n').filter((l) => l.trim() && !/^\s+at /.test(l)).join('\n').slice(0, 2000);
  if (r.status !== 0) throw new Error(`probing WebGPU adapters failed (${r.error ? r.error.message : `exit ${r.status ?? r.signal}`}): ${dawnLog || 'no message'}`);
  const raw = JSON.parse(r.stdout) as Array<AdapterFacts & { as: string }>;
  const adapters: AdapterReport[] = [];
  for (const x of raw) {
    const rep = report(x, x.as);
    if (!adapters.some((o) => o.vendor === rep.vendor && o.architecture === rep.architecture && o.device === rep.device && o.description === rep.description)) adapters.push(rep);
  }
  return { adapters, dawnLog };
}

/** The adapter and device the `webgpu` backend runs on, and whether the device was lost (driver reset, GPU removed). */
export interface WebgpuSession {
  adapter: AdapterReport;
  device: DeviceLike;
  lost: { reason: string; message: string } | null;
}

let session: WebgpuSession | null = null;

export function webgpuSession(): WebgpuSession | null {
  return session;
}

/** Why the current WebGPU device was lost (driver reset, GPU removed, destroyed), or null while it works or off webgpu. */
export function deviceLost(): string | null {
  if (!session?.lost || tf.getBackend() !== 'webgpu') return null;
  return `${session.lost.reason}${session.lost.message ? `: ${session.lost.message}` : ''}`;
}

/** Why `auto` passes over an emulated adapter. */
function emulatedRefusal(a: AdapterReport): string {
  return `the only WebGPU adapter is ${describeAdapter(a)}, slower than wasm: auto never picks it (--backend webgpu uses it anyway)`;
}

/** Why no adapter came back, with the fix. */
function noAdapterReason(): string {
  const icd = process.env.VK_ICD_FILENAMES;
  return icd
    ? `Dawn found no usable WebGPU adapter with VK_ICD_FILENAMES=${icd}`
    : `Dawn found no usable WebGPU adapter (no GPU driver Dawn accepts; Mesa's lavapipe lacks a feature Dawn requires; a software adapter for tests: apt-get install chromium, then VK_ICD_FILENAMES=${SWIFTSHADER_ICD})`;
}

/**
 * The device files through which a hardware GPU's Vulkan driver is reached on Linux: DRM render
 * nodes (Mesa's AMD and Intel drivers, NVIDIA's open one), NVIDIA's own, WSL2's /dev/dxg. None
 * means Dawn can offer only a software adapter, which `auto` refuses anyway.
 */
export function gpuDeviceFiles(dev = '/dev'): string[] {
  const found: string[] = [];
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  for (const n of list(join(dev, 'dri'))) if (n.startsWith('renderD')) found.push(join(dev, 'dri', n));
  for (const n of list(dev)) if (/^nvidia\d+$/.test(n) || n === 'dxg') found.push(join(dev, n));
  return found;
}

export interface LoadWebgpuOptions {
  /** Take a software adapter (explicit `--backend webgpu`); `auto` passes false. */
  allowEmulated: boolean;
}

/**
 * Register tfjs's `webgpu` backend on the best adapter Dawn offers. Throws (with the reason) when
 * the packages are missing, no adapter exists, or only an emulated one does and it is not allowed.
 */
export async function loadWebgpu(options: LoadWebgpuOptions): Promise<void> {
  if (!options.allowEmulated) {
    // auto on Linux with no GPU device and no Vulkan driver named: nothing to ask Dawn (its probe,
    // a child process, costs 300 ms of every command's start)
    if (process.platform === 'linux' && !process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && !gpuDeviceFiles().length) {
      throw new Error('no usable WebGPU adapter: this machine has no GPU device (no /dev/dri/renderD*, /dev/nvidia*, /dev/dxg), so Dawn was not asked');
    }
    // auto: look first in a child process (quietly), and load Dawn here only for a hardware adapter
    const { adapters, dawnLog } = probeAdapters();
    const hw = adapters.find((a) => !a.emulated);
    if (!hw) {
      if (adapters[0]) throw new Error(emulatedRefusal(adapters[0]));
      throw new Error(`${noAdapterReason()}${dawnLog ? ` [Dawn: ${dawnLog.split('\n')[0]}]` : ''}`);
    }
  }
  const gpu = await dawnGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error(noAdapterReason());
  const info = report(adapter, 'high-performance');
  if (info.emulated && !options.allowEmulated) throw new Error(emulatedRefusal(info));
  const pkg = (await import(WEBGPU_PACKAGES.backend)) as { WebGPUBackend: new (device: unknown, info?: unknown) => tf.KernelBackend };
  // Importing the package registers its own factory (now that navigator.gpu exists): replace it
  // with one bound to the adapter chosen here, which records the device and watches for its loss.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  session?.device.destroy(); // a device of an earlier load: its backend is gone
  session = null;
  tf.registerBackend(
    'webgpu',
    async () => {
      const l = adapter.limits;
      const requiredFeatures = ['timestamp-query', 'bgra8unorm-storage'].filter((f) => adapter.features.has(f));
      const device = await adapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxBufferSize: l.maxBufferSize,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        },
      });
      const s: WebgpuSession = { adapter: info, device, lost: null };
      session = s;
      void device.lost.then((why) => {
        s.lost = { reason: why.reason, message: why.message };
      });
      return new pkg.WebGPUBackend(device, adapter.info);
    },
    1,
  );
}

/**
 * The largest float32 tensor among `shapes` against the adapter's limits (`maxBufferSize`,
 * `maxStorageBufferBindingSize`): a batch too big for one storage binding fails inside tfjs with
 * an opaque validation error, so say it first. Returns the message, or null when it fits (or off webgpu).
 */
export function bufferLimitProblem(what: string, shapes: number[][], limits = tf.getBackend() === 'webgpu' ? session?.adapter.limits : undefined): string | null {
  if (!limits || !shapes.length) return null;
  const count = (sh: number[]) => sh.reduce((p, q) => p * q, 1);
  const worst = shapes.reduce((w, sh) => (count(sh) > count(w) ? sh : w));
  const bytes = count(worst) * 4;
  const limit = Math.min(limits.maxBufferSize || Infinity, limits.maxStorageBufferBindingSize || Infinity);
  if (bytes <= limit) return null;
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  return `${what} needs a GPU buffer of ${mib(bytes)} (a float32 tensor [${worst.join(', ')}]) but the adapter binds at most ${mib(limit)} (maxBufferSize ${mib(limits.maxBufferSize)}, maxStorageBufferBindingSize ${mib(limits.maxStorageBufferBindingSize)})`;
}
