import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveBackendChoice, selectBackend, type CandidateLoader } from '../../src/engine/backend.ts';
import { tf } from '../../src/engine/tf.ts';
import { gpuDeviceFiles } from '../../src/engine/webgpu.ts';
import { UserError } from '../../src/util/errors.ts';

const test = suite('engine/backend');
const require = createRequire(import.meta.url);

function resolvable(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

const notInstalled = (pkg: string): CandidateLoader => async () => {
  throw Object.assign(new Error(`Cannot find package '${pkg}' imported from /x/src/engine/backend.ts`), { code: 'ERR_MODULE_NOT_FOUND' });
};
const brokenBinding: CandidateLoader = async () => {
  throw new Error('The specified module could not be found. lib/napi-v8/tfjs_binding.node');
};

test.after(async () => {
  await selectBackend('wasm');
});

test('auto falls back past missing and broken native backends to wasm, saying why', async () => {
  const sel = await selectBackend('auto', {
    loaders: { 'tfjs-node-gpu': notInstalled('@tensorflow/tfjs-node-gpu'), 'tfjs-node': brokenBinding, webgpu: notInstalled('webgpu') },
  });
  assert.is(sel.candidate, 'wasm');
  assert.is(sel.backend, 'wasm');
  assert.is(tf.getBackend(), 'wasm');
  assert.equal(
    sel.attempts.map((a) => [a.candidate, a.ok]),
    [
      ['tfjs-node-gpu', false],
      ['tfjs-node', false],
      ['webgpu', false],
      ['wasm', true],
    ],
  );
  assert.match(sel.attempts[0]!.reason!, /@tensorflow\/tfjs-node-gpu is not installed/);
  assert.match(sel.attempts[1]!.reason!, /native binding does not load/);
  assert.match(sel.attempts[2]!.reason!, /webgpu are not installed \(optional dependencies/);
  assert.ok(sel.addedKernels.includes('Conv2DBackpropFilter'));
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'), 'filter-gradient kernel registered');
});

test('auto falls through to cpu when wasm fails too', async () => {
  const sel = await selectBackend('auto', {
    loaders: {
      'tfjs-node-gpu': notInstalled('@tensorflow/tfjs-node-gpu'),
      'tfjs-node': notInstalled('@tensorflow/tfjs-node'),
      webgpu: notInstalled('webgpu'),
      wasm: async () => {
        throw new Error('WebAssembly.instantiate(): out of memory');
      },
    },
  });
  assert.is(sel.candidate, 'cpu');
  assert.is(tf.getBackend(), 'cpu');
  assert.match(sel.attempts[3]!.reason!, /tfjs-backend-wasm failed to load: WebAssembly.instantiate\(\): out of memory/);
});

test('a loader that registers nothing is passed over with that reason', async () => {
  const sel = await selectBackend('auto', { loaders: { 'tfjs-node-gpu': async () => undefined, 'tfjs-node': async () => undefined, webgpu: notInstalled('webgpu') } });
  assert.is(sel.candidate, 'wasm');
  assert.match(sel.attempts[0]!.reason!, /did not register a "tensorflow" backend/);
});

test('tensorflow alone fails with every reason listed', async () => {
  try {
    await selectBackend('tensorflow', { loaders: { 'tfjs-node-gpu': notInstalled('@tensorflow/tfjs-node-gpu'), 'tfjs-node': brokenBinding } });
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, /tfjs-node-gpu: @tensorflow\/tfjs-node-gpu is not installed/);
    assert.match((err as Error).message, /tfjs-node: .*native binding/);
  }
});

test('GPU device files: DRM render nodes, NVIDIA\'s and WSL2\'s, and nothing else', () => {
  const dev = mkdtempSync(join(tmpdir(), 'janus-dev-'));
  try {
    assert.equal(gpuDeviceFiles(dev), []);
    mkdirSync(join(dev, 'dri'));
    for (const f of ['dri/card0', 'dri/by-path', 'nvidiactl', 'nvidia-uvm', 'null', 'tty0']) writeFileSync(join(dev, f), '');
    assert.equal(gpuDeviceFiles(dev), [], 'a display card node, NVIDIA\'s control files and others are not a GPU to compute on');
    for (const f of ['dri/renderD128', 'nvidia0', 'dxg']) writeFileSync(join(dev, f), '');
    assert.equal(gpuDeviceFiles(dev).sort(), [join(dev, 'dri/renderD128'), join(dev, 'dxg'), join(dev, 'nvidia0')]);
  } finally {
    rmSync(dev, { recursive: true, force: true });
  }
});

test('real loaders on this machine: the native packages are explained, wasm or tensorflow wins', async () => {
  const sel = await selectBackend('auto');
  if (!resolvable('@tensorflow/tfjs-node-gpu')) {
    assert.match(sel.attempts[0]!.reason!, /tfjs-node-gpu is not installed \(an optional dependency/);
  }
  const webgpu = sel.attempts.find((a) => a.candidate === 'webgpu');
  if (webgpu && !webgpu.ok) {
    // no hardware adapter here: none at all, or only an emulated one (SwiftShader when the webgpu tests set VK_ICD_FILENAMES)
    assert.match(webgpu.reason!, /no usable WebGPU adapter|emulated on the CPU.*auto never picks it|are not installed/);
    // without a GPU device or a Vulkan driver named, Dawn is not even asked (its probe is a child process)
    if (process.platform === 'linux' && !process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && !gpuDeviceFiles().length) assert.match(webgpu.reason!, /no GPU device \(no \/dev\/dri\/renderD\*, \/dev\/nvidia\*, \/dev\/dxg\), so Dawn was not asked/);
  }
  if (!resolvable('@tensorflow/tfjs-node-gpu') && !resolvable('@tensorflow/tfjs-node') && webgpu && !webgpu.ok) {
    assert.is(sel.candidate, 'wasm');
  }
});

test('the choice comes from the flag, then JANUS_BACKEND, then the default', () => {
  assert.equal(resolveBackendChoice('cpu', { JANUS_BACKEND: 'wasm' }), { choice: 'cpu', source: '--backend' });
  assert.equal(resolveBackendChoice(undefined, { JANUS_BACKEND: 'wasm' }), { choice: 'wasm', source: 'JANUS_BACKEND' });
  assert.equal(resolveBackendChoice(undefined, {}), { choice: 'auto', source: 'default' });
});

test('an unknown backend name lists the valid ones', () => {
  assert.throws(() => resolveBackendChoice('gpu2', {}), (e: Error) => e instanceof UserError && e.message.includes('expected backend to be one of auto|tensorflow|webgpu|wasm|cpu, got "gpu2"'));
  assert.throws(() => resolveBackendChoice(undefined, { JANUS_BACKEND: 'cuda' }), /invalid JANUS_BACKEND: expected backend to be one of auto\|tensorflow\|webgpu\|wasm\|cpu, got "cuda"/);
});

test.run();
