/**
 * The threaded wasm build in Node: by default XNNPACK runs on every core (at most 8), one thread
 * is tfjs's single-threaded build, the results are bit-identical whatever the thread count, a
 * process that used the threads exits by itself, and a bad JANUS_WASM_THREADS is refused.
 *
 * @tier e2e (spawns processes that train)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, janus, tempDir } from '../helpers/fixtures.ts';

const test = suite('engine/wasm-threads');
const cache = tempDir('wasm-cache').dir;

function probe(threads: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/engine/threads-probe.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, JANUS_WASM_THREADS: threads, XDG_CACHE_HOME: cache },
    encoding: 'utf8',
    timeout: 180_000, // a process kept alive by its pool's workers would run into this
  });
  assert.is(r.signal, null, `JANUS_WASM_THREADS=${threads}: the probe did not exit by itself`);
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

test('2 threads and 1 thread give bit-identical gradients, losses and swaps; both processes exit by themselves', () => {
  const one = probe('1');
  const two = probe('2');
  assert.equal(one.threads, { count: 1, wanted: 1, reason: 'one thread was asked for' });
  assert.equal(two.threads, { count: 2, wanted: 2 });
  for (const k of ['dx', 'df', 'losses', 'swap']) assert.equal(two[k], one[k], `${k} differs between 1 and 2 threads`);
  assert.ok(one.losses[2] < one.losses[0], `the probe trained (${one.losses})`);
  // the worker script came from the private cache folder, not the shared temp folder
  const dir = join(cache, 'janus');
  assert.is(statSync(dir).mode & 0o777, 0o700);
  assert.equal(readdirSync(dir).map((f) => f.replace(/[0-9a-f]{16}/, 'HASH')), ['tfjs-backend-wasm-threaded-simd-worker-HASH.js']);
});

test('when the threaded build cannot start, wasm runs single-threaded with the same results and says why', () => {
  const broken = probe('2', '--break-threaded');
  assert.is(broken.threads.count, 1);
  assert.is(broken.threads.wanted, 2);
  assert.match(broken.threads.reason, /the threaded build did not start \(EACCES: .*injected by the test\)\); running single-threaded/);
  assert.equal(broken.losses, probe('1').losses);
});

test('janus doctor: the default is every core (at most 8); JANUS_WASM_THREADS=1 is single-threaded; a bad value exits 2', () => {
  const d = janus(['doctor', '--json', '--backend', 'wasm'], { JANUS_WASM_THREADS: '' });
  assert.is(d.code, 0, d.stderr);
  const want = Math.min(8, availableParallelism()); // written out, not asked of the code under test
  assert.is(JSON.parse(d.stdout).backend.threads.count, want);
  const text = janus(['doctor', '--backend', 'wasm'], { JANUS_WASM_THREADS: '1' });
  assert.match(text.stdout, /threads: 1 \(one thread was asked for\)/);
  const bad = janus(['doctor', '--backend', 'wasm'], { JANUS_WASM_THREADS: 'many' });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /invalid JANUS_WASM_THREADS: wasmThreads: expected auto or a whole number from 1 to 8, got "many"/);
});

test.run();
